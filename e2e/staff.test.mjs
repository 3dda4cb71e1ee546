// A coordinator's first steps in the back office: sign in, open a class, change its
// capacity, read the audit log. Every page passes axe.
import { test, before, after } from 'node:test';
import { mkdirSync } from 'node:fs';
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

  // Attendance on a phone-sized page: one tap per person.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole('link', { name: /^1\. / }).click();
  await page.getByRole('heading', { name: 'Attendance' }).waitFor();
  await page.getByRole('button', { name: /^Present: / }).first().click();
  await page.getByText('Now: Present').first().waitFor();
  await checkPage(page, 'staff-attendance');
  await page.getByRole('link', { name: 'Citizen Police Academy: Class 33' }).click();
  await page.getByRole('link', { name: 'Graduation', exact: true }).click();
  await page.getByRole('heading', { name: 'Graduation' }).waitFor();
  await checkPage(page, 'staff-graduation');
  await page.setViewportSize({ width: 1280, height: 900 });

  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.getByText('class.capacity').first().waitFor();
  await checkPage(page, 'staff-audit');

  await page.getByRole('link', { name: 'Classes', exact: true }).click();
  await page.getByRole('link', { name: 'Citizen Police Academy', exact: true }).click();
  await page.getByRole('heading', { name: /statistics/ }).waitFor();
  await checkPage(page, 'staff-statistics');

  await page.getByRole('link', { name: 'Two-step sign-in' }).click();
  await page.getByRole('heading', { name: 'Two-step sign-in' }).waitFor();
  await checkPage(page, 'staff-two-factor');

  await page.getByRole('button', { name: /Sign out/ }).click();
  await page.waitForURL('**/staff/sign-in');
  await context.close();
});
