// A new department goes live from an empty database with nothing but
// `precinct admin create`, on SQLite and on PostgreSQL, through the browser alone:
// profile, units, staff invited by email, a lottery program and a class from a meeting
// pattern, residents applying, the draw, attendance, graduation with certificates, and the
// class copied to the next semester. Every page on the way passes axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, createAdmin, freshPostgres, chromiumOptions, checkPage, ARTIFACTS } from './server.mjs';

let browser;
// A one-pixel PNG, standing in for a photo of a document.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch(chromiumOptions);
});

after(async () => {
  await browser?.close();
});

// Waits for the newest message of `kind` to `email` in the file outbox and returns the
// first link in it matching `path`.
async function emailedLink(dataDir, email, kind, path) {
  const dir = join(dataDir, 'outbox');
  for (let i = 0; i < 150; i++) {
    if (existsSync(dir)) {
      const files = readdirSync(dir).filter((f) => f.endsWith(`${kind}.eml`)).sort().reverse();
      for (const f of files) {
        const text = readFileSync(join(dir, f), 'utf8').replace(/=\r?\n/g, '');
        if (text.toLowerCase().includes(email.toLowerCase())) {
          const m = text.match(new RegExp(`https?://\\S+${path}[A-Za-z0-9_-]+`));
          if (m) return m[0];
        }
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no ${kind} message for ${email}`);
}

async function signIn(baseUrl, email, password, label) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(baseUrl + '/staff/sign-in');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Classes', level: 1 }).waitFor();
  if (label) await checkPage(page, label);
  return { context, page };
}

// Follows an invitation, chooses a password and signs in.
async function acceptInvitation(server, email, password, label) {
  const link = await emailedLink(server.dataDir, email, 'staff_welcome', '/staff/password-reset/');
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(link);
  await page.getByLabel(/New password/).fill(password);
  await page.getByLabel('The same password again').fill(password);
  if (label) await checkPage(page, label);
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await page.waitForURL('**/staff/sign-in');
  await context.close();
  return signIn(server.baseUrl, email, password);
}

// A `datetime-local` value `minutes` from now in the department's zone (America/Chicago).
function chicago(minutes) {
  const d = new Date(Date.now() + minutes * 60_000);
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'America/Chicago', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(d);
  const v = Object.fromEntries(parts.map((p) => [p.type, p.value]));
  return { date: `${v.year}-${v.month}-${v.day}`, local: `${v.year}-${v.month}-${v.day}T${v.hour}:${v.minute}` };
}

// `YYYY-MM-DD` plus `n` days.
function addDays(date, n) {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

async function goLive(backend) {
  let pg = null;
  if (backend === 'postgres') {
    pg = freshPostgres();
    if (!pg) return; // no PostgreSQL here (CI requires one: freshPostgres throws there)
  }
  const dataDir = mkdtempSync(join(tmpdir(), `precinct-golive-${backend}-`));
  const adminEmail = 'chief@lakeside.example';
  const adminPassword = createAdmin({ dataDir, databaseUrl: pg?.url, email: adminEmail });
  const server = await startServer({ demo: false, databaseUrl: pg?.url, dataDir });
  const tag = (name) => `golive-${backend}-${name}`;
  try {
    // The first sign-in shows the first-run checklist.
    const admin = await signIn(server.baseUrl, adminEmail, adminPassword, tag('checklist'));
    const a = admin.page;
    await a.getByRole('heading', { name: 'Set up the department' }).waitFor();

    // The department's profile.
    await a.getByRole('link', { name: /Enter the department/ }).click();
    await a.getByLabel("Department's name").fill('Lakeside Police Department');
    await a.getByLabel('Short name (optional)').fill('Lakeside PD');
    await a.getByLabel('City', { exact: true }).fill('Lakeside');
    await a.getByLabel('State').fill('MN');
    await a.getByLabel('Service area (optional)').fill('North Shore\n55401');
    await a.getByLabel('Time zone').fill('America/Chicago');
    await a.getByLabel('Street address').fill('12 Harbor Street, Lakeside, MN 55400');
    await a.getByLabel('Main phone number').fill('(555) 010-2000');
    await a.getByLabel('Non-emergency phone number (optional)').fill('(555) 010-2011');
    await a.getByLabel('Contact email address').fill('community@lakeside.example');
    await a.getByLabel('Reply-to address for email').fill('programs@lakeside.example');
    await a.getByLabel('Accessibility contact (optional)').fill('access@lakeside.example');
    await checkPage(a, tag('settings'));
    await a.getByRole('button', { name: 'Save the profile' }).click();
    await a.getByText('Saved.').waitFor();
    await a.getByText('Lakeside Police Department').first().waitFor();

    // Units.
    await a.goto(server.baseUrl + '/staff/units');
    for (const unit of ['Detectives', 'K-9', 'Patrol']) {
      await a.getByLabel('Name', { exact: true }).last().fill(unit);
      await a.getByRole('button', { name: 'Add the unit' }).click();
      await a.getByText('Unit added.').waitFor();
    }
    await checkPage(a, tag('units'));

    // Holidays: the federal ones, and a local one the next semester's class will meet.
    const start = chicago(-22 * 24 * 60);
    const copyFirst = addDays(start.date, 16 * 7);
    await a.goto(server.baseUrl + '/staff/holidays');
    await a.getByRole('button', { name: /Add the usual US federal holidays/ }).click();
    await a.getByText('Thanksgiving Day').first().waitFor();
    await a.getByLabel('Date', { exact: true }).fill(addDays(copyFirst, 7));
    await a.getByLabel('Name', { exact: true }).fill("Founders' Day");
    await a.getByRole('button', { name: 'Add', exact: true }).click();
    await a.getByText("Founders' Day").first().waitFor();
    await checkPage(a, tag('holidays'));

    // A coordinator and two officers, invited by email.
    await a.goto(server.baseUrl + '/staff/people');
    const invite = async (email, name, role, unit, rank, badge) => {
      await a.getByLabel('Work email address').fill(email);
      await a.getByLabel('Full name').fill(name);
      await a.getByLabel('Role', { exact: true }).selectOption({ label: role });
      if (rank) await a.getByLabel('Rank (optional)').fill(rank);
      if (badge) await a.getByLabel('Badge number (optional)').fill(badge);
      if (unit) await a.locator('label.usa-checkbox__label', { hasText: new RegExp(`^${unit}$`) }).click();
      await a.getByRole('button', { name: 'Send the invitation' }).click();
      await a.getByText('Invitation sent.').waitFor();
    };
    await invite('r.osei@lakeside.example', 'Rosa Osei', 'Program coordinator');
    await invite('t.nguyen@lakeside.example', 'Tam Nguyen', 'Officer', 'K-9', 'Sergeant', '4471');
    await invite('l.berg@lakeside.example', 'Lena Berg', 'Officer', 'Detectives', 'Detective', '5120');
    await checkPage(a, tag('people'));

    const coordinator = await acceptInvitation(server, 'r.osei@lakeside.example', 'lakeside coordinator passphrase', tag('invitation'));
    const tam = await acceptInvitation(server, 't.nguyen@lakeside.example', 'lakeside k9 officer passphrase');
    const lena = await acceptInvitation(server, 'l.berg@lakeside.example', 'lakeside detective passphrase');
    await a.reload();
    assert.equal(await a.getByText('Invited, not yet signed up').count(), 0, 'everyone accepted');

    const c = coordinator.page;
    // A program that gives seats by lottery.
    await c.goto(server.baseUrl + '/staff/programs/new');
    await c.getByLabel('Web address name').fill('citizen-academy');
    await c.getByLabel('Kind of program').selectOption({ label: 'Citizen academy' });
    await c.getByLabel('Name', { exact: true }).fill('Lakeside Citizen Academy');
    await c.getByLabel('Summary (one sentence)').fill('Ten evenings inside the department, from dispatch to the crime lab.');
    await c.getByLabel('Program page').fill('## What you will see\n\nHow officers train, investigate and answer calls.');
    await c.getByLabel('Youngest age on the first day (optional)').fill('18');
    await c.locator('label', { hasText: 'Someone who lives in the city' }).click();
    await c.locator('label', { hasText: /lottery/i }).click();
    await checkPage(c, tag('program'));
    await c.getByRole('button', { name: 'Save the program' }).click();
    await c.getByRole('heading', { name: 'Lakeside Citizen Academy', level: 1 }).waitFor();
    await checkPage(c, tag('program-public'));

    // Two questions of the department's own: one sensitive document for the background check.
    await c.goto(server.baseUrl + '/staff/programs/citizen-academy/questions');
    await c.getByLabel('Question', { exact: true }).fill('Why do you want to take part?');
    await c.getByLabel('Kind of answer').selectOption({ label: 'Text' });
    await c.locator('label[for=required]').click();
    await c.getByRole('button', { name: 'Add the question' }).click();
    await c.getByRole('cell', { name: 'Why do you want to take part?' }).waitFor();
    await c.getByLabel('Question', { exact: true }).fill("Driver's license (photo or scan)");
    await c.getByLabel('Kind of answer').selectOption({ label: 'Document (JPEG, PNG or PDF)' });
    await c.locator('label[for=required]').click();
    await c.locator('label[for=sensitive]').click();
    await c.getByLabel(/Keep answers for this many months/).fill('3');
    await c.getByRole('button', { name: 'Add the question' }).click();
    await c.getByRole('cell', { name: "Driver's license (photo or scan)" }).waitFor();
    await checkPage(c, tag('questions'));

    // A class from a weekly meeting pattern: two evenings already held (attendance is
    // taken only once a session has begun), registration open now.
    await c.goto(server.baseUrl + '/staff/classes/new');
    await c.getByLabel('Program').selectOption({ label: 'Lakeside Citizen Academy' });
    await c.getByLabel('Name', { exact: true }).fill('Spring Class 1');
    await c.getByLabel('Capacity').fill('1');
    await c.getByLabel('Location').fill('Lakeside Police Headquarters');
    await c.getByLabel('Registration opens (optional)').fill(chicago(-60).local);
    await c.getByLabel('Registration closes (optional)').fill(chicago(120).local);
    const weekday = new Date(`${start.date}T12:00:00Z`).toLocaleDateString('en-US', { weekday: 'long', timeZone: 'UTC' });
    await c.getByLabel('Weekday').selectOption({ label: weekday });
    await c.getByLabel('First possible date').fill(start.date);
    await c.getByLabel('Starts').fill('18:00');
    await c.getByLabel('Ends').fill('20:00');
    await c.getByLabel('Number of sessions').fill('2');
    await c.getByLabel('Session topic').fill('Inside the department');
    await checkPage(c, tag('class-new'));
    await c.getByRole('button', { name: 'Create the draft class' }).click();
    await c.getByRole('heading', { name: /Spring Class 1/ }).first().waitFor();
    const classUrl = c.url().split('?')[0];
    await c.getByRole('button', { name: 'Open registration' }).click();
    await c.getByText('Registration open').first().waitFor();
    await checkPage(c, tag('class'));

    const classId = classUrl.split('/').pop();

    // Residents apply; with one seat, the lottery decides.
    const apply = async (first, email, city, label) => {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
      const page = await context.newPage();
      await page.goto(`${server.baseUrl}/classes/${classId}`);
      await page.getByLabel('First name').fill(first);
      await page.getByLabel('Last name').fill('Lindqvist');
      await page.getByLabel('Email address').fill(email);
      await page.getByLabel('Phone number').first().fill('(555) 010-3344');
      await page.getByLabel('Month', { exact: true }).fill('5');
      await page.getByLabel('Day', { exact: true }).fill('14');
      await page.getByLabel('Year', { exact: true }).fill('1980');
      await page.getByLabel('City you live in').fill(city);
      await page.locator('label[for=affiliation-resides]').click();
      if (await page.locator('#emergency_phone').count()) {
        await page.getByLabel('Name', { exact: true }).fill('Kari Lindqvist');
        await page.locator('#emergency_phone').fill('(555) 010-3345');
      }
      if (await page.locator('label[for=waiver_accepted]').count()) await page.locator('label[for=waiver_accepted]').click();
      await page.getByLabel('Why do you want to take part?').fill('To understand how my neighborhood is policed.');
      await page.locator('input[type=file]').setInputFiles({ name: 'license.png', mimeType: 'image/png', buffer: Buffer.from(PNG, 'base64') });
      if (label) await checkPage(page, label);
      await page.getByRole('button', { name: 'Send my application' }).click();
      await page.getByRole('heading', { name: 'Application received' }).waitFor();
      if (label) await checkPage(page, `${label}-received`);
      await context.close();
    };
    await apply('Signe', 'signe@mail.example', 'Lakeside', tag('apply'));
    await apply('Ove', 'ove@mail.example', '55401');

    // Registration closes: the coordinator moves the closing time to now and the
    // background job draws the lottery.
    await c.goto(`${classUrl}/edit`);
    await c.getByLabel('Registration closes').fill(chicago(-1).local);
    await c.getByRole('button', { name: 'Save the details' }).click();
    await c.waitForURL(`**/staff/classes/${classId}?done=details`);
    for (let i = 0; i < 60; i++) {
      await c.reload();
      if (await c.getByRole('cell', { name: 'On the waitlist' }).count()) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await c.getByRole('cell', { name: 'On the waitlist' }).first().waitFor();
    await c.getByRole('button', { name: 'Close registration' }).click();
    await c.getByRole('button', { name: 'Start the class' }).click();
    await c.getByText('In progress').first().waitFor();

    // Sergeant Nguyen presents both sessions and takes attendance on a phone.
    for (const n of [1, 2]) {
      await c.goto(classUrl);
      await c.getByRole('link', { name: new RegExp(`^Edit session ${n}\\.`) }).click();
      await c.locator('label', { hasText: 'K-9: Sergeant Tam Nguyen' }).click();
      if (n === 1) await checkPage(c, tag('session-edit'));
      await c.getByRole('button', { name: 'Save the session' }).click();
      await c.waitForURL(`**/staff/classes/${classId}?done=session`);
    }
    const t = tam.page;
    await t.setViewportSize({ width: 390, height: 844 });
    await t.goto(server.baseUrl + '/staff');
    await t.getByRole('link', { name: /Spring Class 1/ }).first().click();
    for (const n of [1, 2]) {
      await t.getByRole('link', { name: new RegExp(`^${n}\\. `) }).click();
      await t.getByRole('heading', { name: 'Attendance' }).waitFor();
      await t.locator('.precinct-attendance__person').first().getByText('Present', { exact: true }).click();
      await t.getByRole('button', { name: 'Save attendance' }).click();
      await t.getByText('Saved: 1 mark changed.').waitFor();
      if (n === 1) await checkPage(t, tag('attendance'));
      await t.goto(classUrl);
    }

    // The class graduates; the graduate's certificate checks out publicly.
    await c.goto(classUrl);
    await c.getByRole('link', { name: 'Graduation', exact: true }).click();
    await c.getByRole('heading', { name: 'Graduation' }).waitFor();
    await checkPage(c, tag('graduation'));
    await c.getByRole('button', { name: 'Confirm graduation' }).click();
    await c.getByText('This class has graduated.').waitFor();
    const certificate = c.getByRole('link', { name: /\(PDF\)$/ }).first();
    const number = (await certificate.textContent()).replace(' (PDF)', '').trim();
    const resident = await browser.newContext();
    const verify = await resident.newPage();
    await verify.goto(`${server.baseUrl}/certificates/${number}`);
    await verify.getByText('Spring Class 1').first().waitFor();
    await checkPage(verify, tag('certificate'));
    await resident.close();

    // Next semester: the class copied with its topics and presenters, the local holiday
    // skipped, shown before it is saved.
    await c.goto(classUrl);
    await c.getByRole('link', { name: 'Copy this class' }).click();
    await c.getByLabel('New class name').fill('Fall Class 2');
    await c.getByLabel('New first date').fill(copyFirst);
    await c.getByRole('button', { name: 'Preview the sessions' }).click();
    await c.getByText("Moved a week later for the department's holidays").waitFor();
    await c.getByText(/Founders' Day/).first().waitFor();
    await c.getByRole('cell', { name: /Tam Nguyen/ }).first().waitFor();
    await checkPage(c, tag('copy-preview'));
    await c.getByRole('button', { name: 'Save the copy as a draft' }).click();
    await c.waitForURL('**?done=copied');
    await c.getByRole('heading', { name: /Fall Class 2/ }).first().waitFor();
    await checkPage(c, tag('copied'));

    for (const s of [admin, coordinator, tam, lena]) await s.context.close();
  } finally {
    await server.stop();
    pg?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

test('a department goes live from an empty SQLite database through the browser', async () => {
  await goLive('sqlite');
});

test('a department goes live from an empty PostgreSQL database through the browser', async () => {
  await goLive('postgres');
});
