// An officer logs a school visit on a phone: the form's checks (a note that reads like a
// name), the saved entry and the month's figures per school. Every page passes axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
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

test('an activity is logged from a phone', async () => {
  const { context, page } = await staffSignIn(browser, server.baseUrl, {
    options: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
  });

  await page.goto(server.baseUrl + '/staff/activity');
  await page.getByRole('heading', { name: 'Activity log' }).waitFor();
  await checkPage(page, 'activity-form');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the form fits the phone (${width}px)`);

  await page.getByLabel('What').selectOption('presentation');
  await page.getByLabel('School, college or organization').selectOption({ label: 'Bayside High School (School)' });
  await page.getByLabel('Minutes').fill('45');
  await page.getByLabel('People reached').fill('31');
  await page.getByLabel('Short note (optional)').fill('Talk on scams with Omar Haddad after class.');
  await page.getByRole('button', { name: 'Log it' }).click();
  await page.getByText('Does the note name someone?').waitFor();
  await checkPage(page, 'activity-name-warning');

  await page.getByLabel('Short note (optional)').fill('Talk on phone scams for the senior class.');
  await page.getByRole('button', { name: 'Log it' }).click();
  await page.getByText('Saved.').waitFor();
  await page.getByRole('rowheader', { name: 'Bayside High School' }).waitFor();
  await page.getByRole('link', { name: /^\d{4}-\d{2}-\d{2}$/ }).first().waitFor();
  await checkPage(page, 'activity-saved');
  await context.close();
});

test('duties, training, traffic and the engagement report', async () => {
  const { context, page } = await staffSignIn(browser, server.baseUrl);
  await page.goto(server.baseUrl + '/staff/duties');
  await page.getByRole('heading', { name: 'Community duties' }).waitFor();
  await checkPage(page, 'duties');
  await page.getByLabel('Officer', { exact: true }).selectOption({ label: 'Theo Mensah' });
  await page.getByLabel('Duty', { exact: true }).selectOption('dare_instructor');
  await page.getByRole('button', { name: 'Assign' }).click();
  await page.getByText('Enter the date of the DARE instructor certification.').waitFor();
  await checkPage(page, 'duties-error');
  await page.getByLabel('DARE instructor certification (DARE only)').fill('2025-06-01');
  await page.getByRole('button', { name: 'Assign' }).click();
  await page.getByRole('heading', { name: 'Community duties' }).waitFor();
  await page.goto(server.baseUrl + '/programs/dare');
  await page.getByRole('heading', { name: 'Who serves' }).waitFor();
  await page.getByText('Detective Theo Mensah').waitFor();
  await checkPage(page, 'program-who-serves');

  await page.goto(server.baseUrl + '/staff/training');
  await page.getByRole('heading', { name: 'Officer training' }).waitFor();
  await checkPage(page, 'training');
  await page.goto(server.baseUrl + '/staff/traffic');
  await page.getByRole('heading', { name: 'Selective traffic enforcement' }).waitFor();
  await checkPage(page, 'traffic');
  await page.goto(server.baseUrl + '/staff/reports/engagement');
  await page.getByRole('heading', { name: 'Community engagement' }).waitFor();
  await page.getByRole('rowheader', { name: 'Jenna Brandt' }).first().waitFor();
  await checkPage(page, 'engagement-report');
  await context.close();
});
