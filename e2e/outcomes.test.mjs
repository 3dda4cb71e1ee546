// A coordinator graduates the weekend class; its graduates get the after-the-class survey
// by email and answer it (with and without JavaScript), and the link then refuses a second
// answer. Staff read the results, write to alumni and open the annual report. Every page
// passes axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, existsSync } from 'node:fs';
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

// Survey links the job has delivered so far.
async function surveyLinks(count) {
  const dir = join(server.dataDir, 'outbox');
  for (let i = 0; i < 150; i++) {
    const links = new Set();
    if (existsSync(dir)) {
      for (const f of readdirSync(dir).filter((f) => f.endsWith('survey_invitation.eml'))) {
        const text = readFileSync(join(dir, f), 'utf8').replace(/=\r?\n/g, '');
        const m = text.match(/https?:\/\/\S+\/surveys\/[A-Za-z0-9_-]+/);
        if (m) links.add(m[0]);
      }
    }
    if (links.size >= count) return [...links];
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`fewer than ${count} survey links were delivered`);
}

function signIn() {
  return staffSignIn(browser, server.baseUrl);
}

test('graduates answer the after-the-class survey once', async () => {
  const staff = await signIn();
  await staff.page.getByRole('link', { name: 'Citizen Police Academy: Weekend Class 4' }).click();
  await staff.page.getByRole('link', { name: 'Graduation', exact: true }).click();
  await staff.page.getByRole('button', { name: 'Confirm graduation' }).click();
  await staff.page.getByText('This class has graduated.').waitFor();
  await staff.context.close();

  const [link, second] = await surveyLinks(2);
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(link);
  await page.getByRole('heading', { name: 'Before and after the academy' }).waitFor();
  await page.getByText('now that you have graduated').waitFor();
  await checkPage(page, 'survey-form');
  // USWDS hides the native radio behind its label, so click the label as a person would.
  await page.locator('label[for=q-trust-4]').click();
  await page.locator('label[for=q-safety-3]').click();
  // "understanding" and "contact" are skipped.
  await page.getByLabel('Anything you would like the department to know?').fill('The scenario night was the best part.');
  await page.getByRole('button', { name: 'Send my answers' }).click();
  await page.getByRole('heading', { name: 'Thank you' }).waitFor();
  await checkPage(page, 'survey-thanks');
  await page.goto(link);
  await page.getByRole('heading', { name: 'This survey link has been used' }).waitFor();
  await checkPage(page, 'survey-used');
  await context.close();

  // Without JavaScript the form works the same.
  const plain = await browser.newContext({ javaScriptEnabled: false });
  const p2 = await plain.newPage();
  await p2.goto(second);
  await p2.locator('label[for=q-contact-5]').click();
  await p2.getByRole('button', { name: 'Send my answers' }).click();
  await p2.getByRole('heading', { name: 'Thank you' }).waitFor();
  await plain.close();
});

test('staff read the results, write to alumni and open the annual report', async () => {
  const { context, page } = await signIn();

  await page.goto(server.baseUrl + '/staff/programs/citizen-academy/survey/results');
  await page.getByRole('heading', { name: 'Citizen Police Academy: survey results' }).waitFor();
  await page.getByText(/a change of \+/).first().waitFor();
  const charts = await page.locator('svg[role=img]').count();
  assert.ok(charts >= 4, `a chart per scale question (${charts})`);
  await checkPage(page, 'survey-results');

  await page.goto(server.baseUrl + '/staff/programs/citizen-academy/survey');
  await page.getByRole('heading', { name: /before-and-after survey/ }).waitFor();
  await checkPage(page, 'survey-edit');

  await page.goto(server.baseUrl + '/staff/alumni');
  await page.getByLabel('Subject').fill('Volunteers for the harbor festival');
  await page.getByLabel('Message').fill('We need eight graduates at the safety booth on Saturday.');
  await page.getByRole('button', { name: 'Send to alumni' }).click();
  await page.getByText(/messages? (are|is) in the outbox/).waitFor();
  await checkPage(page, 'alumni');

  await page.goto(server.baseUrl + '/staff/reports/annual');
  await page.getByRole('heading', { name: /^Community programs \d{4}$/ }).waitFor();
  await page.getByText('What participants told us').waitFor();
  await checkPage(page, 'annual-report');
  const pdf = await page.request.get(server.baseUrl + '/staff/reports/annual.pdf');
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  await context.close();
});
