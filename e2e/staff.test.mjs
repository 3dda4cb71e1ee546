// The back office in a browser: sign in, run a class, take attendance, graduate a class
// and download a certificate, and the planning pages. Every page passes axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { startServer, chromiumOptions, checkPage, signIn as staffSignIn, ARTIFACTS } from './server.mjs';

let server;
let browser;

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startServer();
  browser = await chromium.launch(chromiumOptions);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the demo administrator signs in and runs a class', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(server.baseUrl + '/staff');
  await page.waitForURL('**/staff/sign-in');
  await checkPage(page, 'staff-sign-in');

  await page.getByLabel('Email address').fill('admin@harborpoint-pd.example');
  await page.getByLabel('Password').fill('wrong');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('The email address, password or code is not right.').waitFor();
  await checkPage(page, 'staff-sign-in-error');

  await page.getByLabel('Password').fill('harbor-point-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Classes', level: 1 }).waitFor();
  await checkPage(page, 'staff-dashboard');

  await page.getByRole('link', { name: 'Citizen Police Academy: Class 33' }).click();
  await page.getByRole('heading', { name: /Roster/ }).waitFor();
  await checkPage(page, 'staff-class');
  await page.getByLabel('Capacity').fill('31');
  await page.getByRole('button', { name: 'Change capacity' }).click();
  await page.getByText('The capacity is updated').waitFor();

  // Cancelling asks first and shows the email that would go out; keeping changes nothing.
  await page.getByRole('link', { name: 'Cancel the whole class…' }).click();
  await page.getByRole('heading', { name: /^Cancel Citizen Police Academy: Class 33\?$/ }).waitFor();
  await page.getByText('Hello [first name],').waitFor();
  await checkPage(page, 'staff-cancel-class-confirm');
  await page.getByRole('link', { name: 'Keep the class' }).click();
  await page.getByRole('heading', { name: /Roster/ }).waitFor();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole('link', { name: /^Cancel session 2/ }).click();
  await page.getByRole('heading', { name: 'Cancel session 2?' }).waitFor();
  assert.match(await page.getByRole('button', { name: /^Cancel session 2 and email/ }).innerText(), /email \d+ (person|people)/);
  await checkPage(page, 'staff-cancel-session-confirm-phone');
  await page.getByRole('link', { name: 'Keep the session' }).click();
  await page.getByRole('heading', { name: /Roster/ }).waitFor();
  await checkPage(page, 'staff-class-phone');
  await page.setViewportSize({ width: 1280, height: 900 });

  // Class 33 has not started: its first session takes no marks yet, and says when it will.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole('link', { name: /^1\. / }).click();
  await page.getByRole('heading', { name: 'Attendance' }).waitFor();
  await page.getByText('This session has not started yet.').waitFor();
  assert.equal(await page.getByRole('radio').count(), 0, 'no marks before the session');
  await checkPage(page, 'staff-attendance-not-yet');
  await page.getByRole('link', { name: 'Citizen Police Academy: Class 33' }).click();
  await page.getByRole('link', { name: 'Graduation', exact: true }).click();
  await page.getByRole('heading', { name: 'Graduation' }).waitFor();
  await page.getByText('This class cannot graduate before its last session').waitFor();
  await checkPage(page, 'staff-graduation');

  // Attendance on a phone-sized page, in the weekend class that met on Saturdays: a tap
  // per person and one save (everyone was at the first session, so after changing one
  // mark and changing it back the verdicts stay as they are).
  await page.goto(server.baseUrl + '/staff');
  await page.getByRole('link', { name: 'Citizen Police Academy: Weekend Class 4' }).click();
  await page.getByRole('link', { name: /^1\. / }).click();
  await page.getByRole('heading', { name: 'Attendance' }).waitFor();
  const first = page.locator('.precinct-attendance__person').first();
  await first.getByText('Absent', { exact: true }).click();
  await page.getByRole('button', { name: 'Save attendance' }).click();
  await page.getByText('Saved: 1 mark changed.').waitFor();
  await page.locator('.precinct-attendance__person').first().getByText('Present', { exact: true }).click();
  await page.getByRole('button', { name: 'Save attendance' }).click();
  await page.getByText('Saved: 1 mark changed.').waitFor();
  await page.getByRole('button', { name: 'Mark everyone not yet marked present, and save' }).click();
  await page.getByText('Saved: nothing had changed.').waitFor();
  await checkPage(page, 'staff-attendance');
  // On a phone the long staff menu is one "Menu" line until opened.
  assert.equal(await page.getByRole('link', { name: 'Audit log' }).count(), 0, 'the menu starts folded');
  await page.getByText('Menu', { exact: true }).click();
  await page.getByRole('link', { name: 'Audit log' }).waitFor();
  await checkPage(page, 'staff-menu-phone');
  await page.setViewportSize({ width: 1280, height: 900 });

  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.getByText('class.capacity').first().waitFor();
  await checkPage(page, 'staff-audit');

  await page.getByRole('link', { name: 'Classes', exact: true }).click();
  await page.getByRole('link', { name: 'statistics' }).first().click();
  await page.getByRole('heading', { name: /statistics/ }).waitFor();
  await checkPage(page, 'staff-statistics');

  await page.getByRole('link', { name: 'My account' }).click();
  await page.getByRole('heading', { name: 'My account', level: 1 }).waitFor();
  await checkPage(page, 'staff-account');
  await page.getByRole('link', { name: 'Two-step sign-in' }).click();
  await page.getByRole('heading', { name: 'Two-step sign-in' }).waitFor();
  await checkPage(page, 'staff-two-factor');

  await page.getByRole('button', { name: /Sign out/ }).click();
  await page.waitForURL('**/staff/sign-in');
  await context.close();
});

function signIn(browser) {
  return staffSignIn(browser, server.baseUrl, {
    options: { viewport: { width: 1280, height: 900 }, acceptDownloads: true },
  });
}

test('a coordinator graduates the weekend class and downloads a certificate', async () => {
  const { context, page } = await signIn(browser);
  await page.getByRole('link', { name: 'Citizen Police Academy: Weekend Class 4' }).click();
  await page.getByRole('link', { name: 'Graduation', exact: true }).click();
  await page.getByRole('heading', { name: 'Graduation' }).waitFor();
  await page.getByText('arriving more than 15 minutes late counts as an absence').waitFor();
  await checkPage(page, 'staff-graduation-ready');
  const verdicts = await page.getByRole('cell', { name: 'Graduates', exact: true }).count();
  assert.equal(verdicts, 10, 'ten of twelve graduate by the rule');

  await page.getByRole('button', { name: 'Confirm graduation' }).click();
  await page.getByText('This class has graduated.').waitFor();
  await checkPage(page, 'staff-graduation-done');
  const link = page.getByRole('link', { name: /\(PDF\)$/ }).first();
  const number = (await link.textContent()).replace(' (PDF)', '').trim();
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  assert.equal(download.suggestedFilename(), `certificate-${number}.pdf`);
  const pdf = readFileSync(await download.path());
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-', 'a PDF file');

  // Anyone can check the number on the public page.
  await page.goto(`${server.baseUrl}/certificates/${number}`);
  await page.getByText('Weekend Class 4').first().waitFor();
  await checkPage(page, 'certificate-verify');
  await context.close();
});

test('the planning pages work and pass axe', async () => {
  const { context, page } = await signIn(browser);
  // A new class from a weekly pattern; a mistake first, then the fix.
  await page.getByRole('link', { name: 'New class' }).click();
  await page.getByRole('heading', { name: 'New class' }).waitFor();
  await checkPage(page, 'staff-class-new');
  await page.getByLabel('Name', { exact: true }).fill('Class 34');
  await page.getByLabel('First possible date').fill('2027-03-02');
  await page.getByLabel('Starts').fill('21:00');
  await page.getByLabel('Ends').fill('18:30');
  await page.getByRole('button', { name: 'Create the draft class' }).click();
  await page.getByText('The class was not created').waitFor();
  await checkPage(page, 'staff-class-new-errors');
  await page.getByLabel('Starts').fill('18:30');
  await page.getByLabel('Ends').fill('21:00');
  await page.getByLabel('Dates to skip').fill('2027-03-16');
  await page.getByRole('button', { name: 'Create the draft class' }).click();
  await page.getByText('The draft class is created').waitFor();
  await page.getByRole('link', { name: /^1\. / }).waitFor();

  // Edit the first session: a new room and two presenters.
  await page.getByRole('link', { name: /^Edit session 1\./ }).click();
  await page.getByRole('heading', { name: 'Edit session 1' }).waitFor();
  await checkPage(page, 'staff-session-edit');
  await page.getByLabel('Room').fill('Training Room B');
  // USWDS draws its own checkbox over the label; a person clicks the label.
  await page.locator('label', { hasText: 'K-9: Officer Diego Ferreira' }).click();
  await page.locator('label', { hasText: 'Community Relations: Officer Jenna Brandt' }).click();
  await page.getByRole('button', { name: 'Save the session' }).click();
  await page.getByText('The session is updated').waitFor();

  await page.getByRole('link', { name: 'Class details' }).click();
  await page.getByRole('heading', { name: 'Class details' }).waitFor();
  await checkPage(page, 'staff-class-edit');
  await page.getByRole('link', { name: 'Citizen Police Academy: Class 34' }).click();

  await page.getByRole('link', { name: 'Registration rules' }).click();
  await page.getByRole('heading', { name: 'Registration rules' }).waitFor();
  await checkPage(page, 'staff-rules');
  await page.getByLabel('Seats held back for phone and walk-in applications').fill('2');
  await page.getByRole('button', { name: 'Save the rules' }).click();
  await page.getByText('The registration rules are updated').waitFor();

  // Ride-along shifts of the open class.
  await page.getByRole('link', { name: 'Classes', exact: true }).click();
  await page.getByRole('link', { name: 'Citizen Police Academy: Class 33' }).click();
  await page.getByRole('link', { name: 'Ride-alongs' }).click();
  await page.getByRole('heading', { name: 'Ride-alongs' }).waitFor();
  await page.getByText('Night patrol, Harbor district').first().waitFor();
  await checkPage(page, 'staff-ride-alongs');

  // Next year's holidays, then Class 33 copied to a semester that skips them.
  const year = new Date().getFullYear() + 1;
  await page.getByRole('link', { name: 'Holidays', exact: true }).click();
  await page.getByRole('heading', { name: /^Holidays \d+/ }).waitFor();
  await page.getByLabel('Year').selectOption(String(year));
  await page.getByRole('button', { name: 'Show' }).click();
  await page.getByRole('heading', { name: `Holidays ${year}` }).waitFor();
  await page.getByRole('button', { name: `Add the usual US federal holidays for ${year}` }).click();
  await page.getByRole('cell', { name: 'Thanksgiving Day', exact: true }).waitFor();
  await page.getByLabel('Date').fill(`${year}-03-31`);
  await page.getByLabel('Name').fill('César Chávez Day');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await page.getByText('The holiday is added').waitFor();
  await checkPage(page, 'staff-holidays');
  await page.getByRole('link', { name: 'Classes', exact: true }).click();
  await page.getByRole('link', { name: 'Citizen Police Academy: Class 33' }).click();
  await page.getByRole('link', { name: 'Copy this class' }).click();
  await page.getByRole('heading', { name: 'Copy this class' }).waitFor();
  await checkPage(page, 'staff-class-copy');
  await page.getByLabel('New class name').fill('Class 35');
  await page.getByLabel('New first date').fill(`${year}-09-01`);
  await page.getByRole('button', { name: 'Preview the sessions' }).click();
  await page.getByText('12 sessions of Class 35').waitFor();
  await checkPage(page, 'staff-class-copy-preview');
  await page.getByRole('button', { name: 'Save the copy as a draft' }).click();
  await page.getByText('The class is copied as a draft').waitFor();

  await page.getByRole('link', { name: 'Classes', exact: true }).click();
  await page.getByRole('link', { name: 'rules and screening' }).first().click();
  await page.getByRole('heading', { name: /rules and screening/ }).waitFor();
  await checkPage(page, 'staff-program-rules');

  await page.getByRole('link', { name: 'Classes', exact: true }).click();
  await page.getByRole('link', { name: 'details' }).first().click();
  await page.getByRole('heading', { name: /^Edit / }).waitFor();
  await checkPage(page, 'staff-program-edit');
  await page.getByRole('link', { name: 'Classes', exact: true }).click();
  await page.getByRole('link', { name: 'New program' }).click();
  await page.getByLabel('Web address name').fill('Block Captains');
  await page.getByLabel('Name', { exact: true }).fill('Block Captains');
  await page.getByLabel('Summary (one sentence)').fill('Run a block watch with your neighbors.');
  await page.getByRole('button', { name: 'Save the program' }).click();
  await page.getByText('The program was not saved').waitFor();
  await checkPage(page, 'staff-program-new-errors');

  await page.getByRole('link', { name: 'My account' }).click();
  await page.getByRole('link', { name: 'Password' }).click();
  await page.getByRole('heading', { name: 'Change your password' }).waitFor();
  await checkPage(page, 'staff-password');

  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { name: 'Settings' }).waitFor();
  await checkPage(page, 'staff-settings');

  // A new application waiting for review: its screening stages.
  const classes = await (await page.request.get(server.baseUrl + '/api/v1/classes?program=citizen-academy')).json();
  const open = classes.classes.find((c) => c.name === 'Class 33');
  const applied = await page.request.post(`${server.baseUrl}/api/v1/classes/${open.id}/registrations`, {
    data: {
      first_name: 'Rosa', last_name: 'Delgado', email: 'rosa.delgado@example.org', phone: '(555) 010-7788',
      date_of_birth: '1979-06-02', city: 'Harbor Point', affiliation: { kind: 'resides' },
      emergency_contact: { name: 'Tomas Delgado', phone: '555-010-7789' }, waiver_accepted: true,
    },
  });
  assert.equal(applied.status(), 201);
  const { id } = await applied.json();
  await page.goto(`${server.baseUrl}/staff/applications/${id}`);
  await page.getByRole('heading', { name: 'Screening' }).waitFor();
  await page.getByLabel('Note (optional, staff only)').fill('Called to confirm the employer.');
  await page.getByRole('button', { name: 'Record' }).click();
  await page.getByText('Called to confirm the employer.').waitFor();
  await checkPage(page, 'staff-review');
  // Approving before the screening is done explains why on the same page.
  await page.getByRole('button', { name: 'Approve and open the next' }).click();
  await page.getByRole('heading', { name: 'Nothing was saved' }).waitFor();
  await page.getByRole('heading', { name: 'Rosa Delgado', level: 1 }).waitFor();
  await checkPage(page, 'staff-review-refused');
  await page.getByRole('link', { name: 'Review queue' }).click();
  await page.getByRole('link', { name: 'Rosa Delgado' }).waitFor();
  await checkPage(page, 'staff-review-queue');

  // The roster filter works without JavaScript: a plain GET form.
  await page.getByRole('link', { name: 'Citizen Police Academy: Class 33' }).click();
  await page.getByLabel('Status').selectOption('pending_review');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.getByText('1 matching row shown').waitFor();
  await checkPage(page, 'staff-class-filtered');
  await context.close();
});

test('the outbox and an officer calendar pass axe', async () => {
  const { context, page } = await signIn(browser);
  await page.getByRole('link', { name: 'Outbox' }).click();
  await page.getByRole('heading', { name: 'Outbox', level: 1 }).waitFor();
  await checkPage(page, 'staff-outbox');
  // The graduation above emailed its graduates: those messages are listed.
  await page.getByLabel('Recipient contains').fill('@');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.waitForURL('**/staff/outbox?status=&q=%40');
  await page.getByRole('link', { name: /^Congratulations, you graduated/ }).first().click();
  await page.getByRole('heading', { name: 'Text' }).waitFor();
  await checkPage(page, 'staff-outbox-message');
  await page.getByRole('link', { name: 'My account' }).click();
  await page.getByRole('link', { name: 'My calendar' }).click();
  await page.getByRole('heading', { name: 'My calendar', level: 1 }).waitFor();
  await page.getByRole('button', { name: 'Get my calendar address' }).click();
  await page.getByText('Your address is ready').waitFor();
  await checkPage(page, 'staff-calendar');
  await context.close();
});
