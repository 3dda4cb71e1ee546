// The teen academy in a browser: a counselor nominates a junior, the coordinator accepts,
// the guardian consents through the emailed link (read from the outbox files), and the
// coordinator confirms. Every page passes axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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

function signIn(email) {
  return staffSignIn(browser, server.baseUrl, { email });
}

/// The newest consent link emailed to `to`, from the .eml files the delivery job writes.
async function consentLink(to) {
  const dir = join(server.dataDir, 'outbox');
  for (let i = 0; i < 60; i++) {
    let files = [];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
    } catch {}
    for (const f of files.sort().reverse()) {
      const text = readFileSync(join(dir, f), 'utf8').replace(/=\r?\n/g, '');
      if (text.includes(to) && text.includes('/consent/')) {
        return text.match(/(\/consent\/[A-Za-z0-9_-]+)/)[1];
      }
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no consent email to ${to}`);
}

test('a counselor nominates, a guardian consents, the coordinator confirms', async () => {
  const counselor = await signIn('counselor@harborpoint-schools.example');
  const page = counselor.page;
  // A counselor lands on the nominations, their work, not on an empty class list.
  await page.getByRole('heading', { name: 'Teen academy nominations' }).waitFor();
  await checkPage(page, 'teen-nominations-counselor');
  await page.getByLabel("Student's first name").fill('Noor');
  await page.getByLabel("Student's last name").fill('Haddad');
  await page.getByLabel('Grade').selectOption('11');
  await page.getByLabel("School's student ID").fill('HP-30112');
  await page.getByLabel("Parent or guardian's name").fill('Samir Haddad');
  await page.getByLabel("Parent or guardian's email").fill('samir.haddad@family.example');
  await page.getByRole('button', { name: 'Nominate' }).click();
  await page.getByText('The nomination is filed').waitFor();
  await page.getByRole('rowheader', { name: /Noor Haddad/ }).waitFor();
  await counselor.context.close();

  const coordinator = await signIn('admin@harborpoint-pd.example');
  await coordinator.page.getByRole('link', { name: 'Nominations' }).click();
  await coordinator.page.getByRole('button', { name: 'Accept Noor Haddad' }).click();
  await coordinator.page.getByText('The guardian was emailed a consent link').waitFor();
  await checkPage(coordinator.page, 'teen-nominations-coordinator');

  // The guardian, on a phone, signs by typing their name.
  const link = await consentLink('samir.haddad@family.example');
  const guardian = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const gpage = await guardian.newPage();
  await gpage.goto(server.baseUrl + link);
  await gpage.getByRole('heading', { name: 'Consent for Noor Haddad' }).waitFor();
  await checkPage(gpage, 'teen-consent');
  await gpage.getByLabel('Name', { exact: true }).fill('Samir Haddad');
  await gpage.getByLabel('Phone number').fill('(555) 010-8080');
  await gpage.getByLabel(/Medical notes/).fill('Mild asthma; carries an inhaler.');
  await gpage.locator('label', { hasText: 'photos or video' }).click();
  await gpage.getByLabel('Type your full name to sign').fill('Samir Haddad');
  await gpage.getByRole('button', { name: 'Sign and give consent' }).click();
  await gpage.getByText('Your consent is recorded').waitFor();
  await checkPage(gpage, 'teen-consent-signed');
  const again = await gpage.goto(server.baseUrl + link);
  assert.equal(again.status(), 410, 'the link works once');
  await guardian.close();

  await coordinator.page.reload();
  await coordinator.page.getByText('consent signed by Samir Haddad, photos allowed').waitFor();
  await coordinator.page.getByRole('button', { name: 'Confirm Noor Haddad' }).click();
  await coordinator.page.getByText('Confirmed: the student is in the cohort.').waitFor();
  await coordinator.page.getByRole('link', { name: 'Schools' }).click();
  await coordinator.page.getByRole('heading', { name: 'Schools, organizations and counselors' }).waitFor();
  await checkPage(coordinator.page, 'teen-schools');
  await coordinator.page.getByRole('link', { name: 'Retention' }).click();
  await coordinator.page.getByRole('heading', { name: "Minors' data retention" }).waitFor();
  await checkPage(coordinator.page, 'teen-retention');
  await coordinator.context.close();
});
