// A resident applies to the open class, sees the confirmation, opens the emailed link,
// and withdraws. Every page on the way passes axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, chromiumOptions, checkPage, ARTIFACTS } from './server.mjs';

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


// Waits for the delivered message to `email` and returns the link in it.
async function emailedLink(email, kind) {
  const dir = join(server.dataDir, 'outbox');
  for (let i = 0; i < 100; i++) {
    if (existsSync(dir)) {
      for (const f of readdirSync(dir).filter((f) => f.endsWith(`${kind}.eml`))) {
        const text = readFileSync(join(dir, f), 'utf8').replace(/=\r?\n/g, '');
        if (text.includes(email)) {
          const m = text.match(/https?:\/\/\S+\/my\/link\/[A-Za-z0-9_-]+/);
          if (m) return m[0];
        }
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no ${kind} message for ${email}`);
}

test('a resident applies, follows the emailed link, withdraws and takes it back', async () => {
  const context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
  const page = await context.newPage();
  await page.goto(server.baseUrl + '/programs/citizen-academy');
  await page.getByRole('link', { name: 'Class 33' }).click();
  // What applying does, and the way to the form, come before the schedule.
  await page.getByRole('heading', { name: 'Seats are open' }).waitFor();
  await page.getByRole('link', { name: 'Apply for a seat' }).click();
  await page.getByRole('heading', { name: 'Apply', exact: true }).waitFor();
  await checkPage(page, 'apply-form');

  // Sending the form empty names every missing field, and passes axe in its error state.
  await page.getByRole('button', { name: 'Send my application' }).click();
  await page.getByText('Your application was not sent').waitFor();
  await page.getByText('Enter your first name.').first().waitFor();
  assert.match(await page.title(), /^Error: /);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'error-summary', 'focus moves to the summary');
  await checkPage(page, 'apply-errors');

  await page.getByLabel('First name').fill('Marisol');
  await page.getByLabel('Last name').fill('Quintero');
  await page.getByLabel('Email address').fill('marisol.quintero@mail.example');
  await page.getByLabel('Phone number').first().fill('(555) 010-3344');
  // The birth date is three boxes (month, day, year), as residents say it.
  await page.getByLabel('Month', { exact: true }).fill('8');
  await page.getByLabel('Day', { exact: true }).fill('14');
  await page.getByLabel('Year', { exact: true }).fill('1979');
  await page.getByLabel('City you live in').fill('Harbor Point');
  // USWDS hides the native control behind its label, so click the label as a person would.
  await page.locator('label[for=affiliation-resides]').click();
  await page.getByLabel('Name', { exact: true }).fill('Tomás Quintero');
  await page.locator('#emergency_phone').fill('(555) 010-3345');
  await page.locator('label[for=waiver_accepted]').click();
  await page.getByRole('button', { name: 'Send my application' }).click();
  await page.getByRole('heading', { name: 'Application received' }).waitFor();
  await page.getByText('A seat is held for you').waitFor();
  await checkPage(page, 'apply-received');

  const link = await emailedLink('marisol.quintero@mail.example', 'application_received');
  await page.goto(link);
  await checkPage(page, 'my-link');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Your applications' }).waitFor();
  await page.getByText('Seat held, under review').waitFor();
  await checkPage(page, 'my-applications');

  // A private calendar address, shown once, ready to subscribe to.
  await page.getByRole('button', { name: 'Get my calendar address' }).click();
  await page.getByText('Your private calendar address is ready').waitFor();
  const feed = await page.getByLabel(/paste this address/).inputValue();
  assert.match(feed, /\/calendar\/me\/[A-Za-z0-9_-]{43}\.ics$/);
  const ics = await (await fetch(feed)).text();
  assert.match(ics, /BEGIN:VCALENDAR/);
  assert.match(ics, /BEGIN:VEVENT/);
  await checkPage(page, 'my-calendar');

  // Withdrawing asks first, says what happens to the seat, and can be taken back during
  // the grace period without losing the place.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole('link', { name: 'Withdraw this application…' }).click();
  await page.getByRole('heading', { name: /^Withdraw from Citizen Police Academy: Class 33\?$/ }).waitFor();
  await checkPage(page, 'my-withdraw-confirm-phone');
  await page.getByRole('button', { name: 'Withdraw my application' }).click();
  await page.getByText('You asked to withdraw.').first().waitFor();
  await page.getByText('Seat held, under review').waitFor();
  await checkPage(page, 'my-withdrawing-phone');
  await page.getByRole('button', { name: 'Keep my application' }).click();
  await page.getByText('You kept your application.').waitFor();
  assert.equal(await page.getByRole('link', { name: 'Withdraw this application…' }).count(), 1);
  await page.setViewportSize({ width: 1024, height: 900 });
  await page.getByRole('link', { name: 'Withdraw this application…' }).click();
  await page.getByRole('button', { name: 'Withdraw my application' }).click();
  await page.getByText(/It takes effect at/).waitFor();
  await checkPage(page, 'my-withdrawing');
  await context.close();
});

test('find my application works without JavaScript', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(server.baseUrl + '/my');
  await page.getByLabel('Email address').fill('not-an-email');
  await page.getByRole('button', { name: 'Email me a link' }).click();
  await page.getByText('Enter an email address like name@example.com.').first().waitFor();
  await page.getByLabel('Email address').fill('someone@mail.example');
  await page.getByRole('button', { name: 'Email me a link' }).click();
  await page.getByText('we have emailed a link').waitFor();
  await context.close();
});

test('the find-my-application page passes axe', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(server.baseUrl + '/my');
  await checkPage(page, 'my-find');
  await context.close();
});
