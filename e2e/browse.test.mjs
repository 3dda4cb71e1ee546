// A resident browses home -> program -> class, with and without JavaScript, on a
// desktop and a phone. Every page must pass axe (WCAG 2.2 A/AA) with no violations.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
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


async function journey(context, prefix, options) {
  const page = await context.newPage();
  const res = await page.goto(server.baseUrl + '/');
  assert.equal(res.status(), 200);
  await assert.doesNotReject(page.getByRole('heading', { level: 1 }).first().waitFor());
  assert.match(await page.title(), /Harbor Point Police Department/);
  await checkPage(page, `${prefix}-home`, options);

  await page.getByRole('link', { name: 'About Citizen Police Academy' }).click();
  await page.waitForURL('**/programs/citizen-academy');
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Citizen Police Academy');
  await page.getByText('You must be 18 or older on the first day of class.').waitFor();
  // The page's title is its largest heading, above the program text's own headings.
  const sizes = await page.evaluate(() => ['h1', 'h2', 'h3'].map((t) =>
    Math.max(0, ...[...document.querySelectorAll(`main ${t}`)].map((h) => parseFloat(getComputedStyle(h).fontSize)))));
  assert.ok(sizes[0] > sizes[1] && sizes[0] > sizes[2], `heading sizes ${sizes}`);
  await checkPage(page, `${prefix}-program`, options);

  await page.getByRole('link', { name: 'Class 33' }).click();
  await page.waitForURL('**/classes/*');
  await page.getByText('18 of 30 seats left').waitFor();
  const rows = await page.locator('table.precinct-schedule tbody tr').count();
  assert.equal(rows, 12);
  await checkPage(page, `${prefix}-class`, options);

  await page.getByRole('link', { name: 'Community policing' }).click();
  await page.waitForURL('**/about');
  await checkPage(page, `${prefix}-about`, options);

  const missing = await page.goto(server.baseUrl + '/programs/no-such-program');
  assert.equal(missing.status(), 404);
  await page.getByText('We could not find that program.').waitFor();
  await checkPage(page, `${prefix}-404`, options);
  await page.close();
}

test('a resident browses home, program and class on a desktop', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await journey(context, 'desktop');
  await context.close();
});

test('a resident browses the same pages on a phone', async () => {
  const context = await browser.newContext({ viewport: { width: 375, height: 812 }, isMobile: true });
  await journey(context, 'phone');
  await context.close();
});

test('the same journey works without JavaScript', async () => {
  const context = await browser.newContext({
    viewport: { width: 375, height: 812 },
    isMobile: true,
    javaScriptEnabled: false,
  });
  await journey(context, 'phone-nojs', { axe: false });
  await context.close();
});

test('the skip link is the first stop and moves focus to the content', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(server.baseUrl + '/programs');
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
  assert.equal(focused, 'Skip to main content');
  await page.keyboard.press('Enter');
  const target = await page.evaluate(() => document.activeElement?.id);
  assert.equal(target, 'main-content');
  await context.close();
});
