// DARE at schools: the instructor records a lesson on a phone without JavaScript (moving
// it first), and the coordinator's planning, class and certificate pages pass axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { startServer, chromiumOptions, checkPage, signIn, ARTIFACTS } from './server.mjs';

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

const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

// Yesterday in the demo department's zone, as the date input wants it.
function yesterday() {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Los_Angeles' })
    .format(new Date(Date.now() - 24 * 3600 * 1000));
  return parts;
}

test('the instructor records a lesson on a phone, with and without JavaScript', async () => {
  const email = 'l.castellanos@harborpoint-pd.example';
  const { context, page } = await signIn(browser, server.baseUrl, { email, options: phone });
  // The instructor's home lists their DARE classes and the lessons waiting to be recorded.
  await page.getByRole('heading', { name: 'Your DARE classes' }).waitFor();
  await checkPage(page, 'dare-instructor-home');
  await page.goto(server.baseUrl + '/staff/dare');
  await page.getByRole('heading', { name: 'DARE classes' }).waitFor();
  await checkPage(page, 'dare-instructor-list');
  await page.getByRole('link', { name: /Marsh Road Elementary School/ }).click();
  await page.getByRole('heading', { name: 'Lessons' }).waitFor();
  await checkPage(page, 'dare-class-phone');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the lessons fit the phone (${width}px)`);
  await context.close();

  // The same steps with JavaScript off: the disclosure and both buttons are plain HTML.
  const plain = await signIn(browser, server.baseUrl, { email, options: { ...phone, javaScriptEnabled: false } });
  const p = plain.page;
  await p.goto(server.baseUrl + '/staff/dare');
  await p.getByRole('link', { name: /Marsh Road Elementary School/ }).click();
  const sixth = p.getByRole('listitem').filter({ has: p.getByRole('heading', { name: /^6\. / }) });
  await sixth.getByText('Move or cancel lesson 6').click();
  await sixth.getByLabel('Date').fill(yesterday());
  await sixth.getByLabel('Start time').fill('13:00');
  await sixth.getByRole('button', { name: 'Plan at this time' }).click();
  await p.getByRole('heading', { name: 'Lessons' }).waitFor();
  const moved = p.getByRole('listitem').filter({ has: p.getByRole('heading', { name: /^6\. / }) });
  await moved.getByLabel('Students there').fill('24');
  await moved.getByRole('button', { name: 'Taught' }).click();
  await p.getByRole('listitem').filter({ has: p.getByRole('heading', { name: /^6\. / }) })
    .getByText('Taught, 24 of 28 students there').waitFor();
  await checkPage(p, 'dare-lesson-taught', { axe: false });
  await plain.context.close();
});

test('coordinators plan classes and print certificates', async () => {
  const { context, page } = await signIn(browser, server.baseUrl);
  await page.goto(server.baseUrl + '/staff/dare');
  await page.getByRole('heading', { name: 'Plan a DARE class' }).waitFor();
  await page.getByLabel('School', { exact: true }).selectOption({ label: 'Seacliff Elementary School' });
  await page.getByLabel('Classroom teacher').fill('Mr. Tomas Berg');
  await page.getByLabel('Number of students').fill('25');
  await page.getByLabel('DARE instructor').selectOption({ label: 'Luis Castellanos' });
  await page.getByLabel('First lesson').fill('2027-02-23');
  await page.getByLabel('Start time').fill('09:30');
  await page.getByLabel('School holidays to skip (optional)').fill('spring break');
  await page.getByRole('button', { name: 'Plan the class' }).click();
  await page.getByText('The class was not planned').waitFor();
  await checkPage(page, 'dare-plan-error');
  await page.getByLabel('School holidays to skip (optional)').fill('2027-03-16');
  await page.getByRole('button', { name: 'Plan the class' }).click();
  await page.getByRole('heading', { name: 'Seacliff Elementary School: Mr. Tomas Berg, 5th grade' }).waitFor();
  await page.getByText('Why we are here: making safe and responsible choices').waitFor();
  await checkPage(page, 'dare-class-planned');

  await page.goto(server.baseUrl + '/staff/dare');
  await page.getByRole('link', { name: /Seacliff Elementary School: Mr\. Daniel Reyes/ }).click();
  await page.getByRole('heading', { name: 'Certificates' }).waitFor();
  await checkPage(page, 'dare-class-graduated');
  const download = page.waitForEvent('download');
  await page.getByLabel('Names, one per line').fill('Lena Morales\nKofi Mensah');
  await page.getByRole('button', { name: 'Print the certificates (PDF)' }).click();
  const file = await download;
  assert.match(file.suggestedFilename(), /^dare-certificates-\d+\.pdf$/);
  await context.close();
});

test('the instructor adds a photo that appears on the DARE page', async () => {
  const email = 'l.castellanos@harborpoint-pd.example';
  const { context, page } = await signIn(browser, server.baseUrl, { email, options: phone });
  await page.goto(server.baseUrl + '/staff/profile');
  await page.getByRole('heading', { name: 'Public profile' }).waitFor();
  await checkPage(page, 'profile-empty');
  await page.setInputFiles('#photo', 'docs/screenshots/home.png');
  await page.getByRole('button', { name: 'Upload' }).click();
  await page.getByText('Saved.').waitFor();
  await page.getByRole('img', { name: 'Your current photo' }).waitFor();
  await checkPage(page, 'profile-photo');
  await page.goto(server.baseUrl + '/programs/dare');
  await page.getByRole('heading', { name: 'Who serves' }).waitFor();
  const portrait = page.locator('img.precinct-portrait');
  await portrait.waitFor();
  const loaded = await portrait.evaluate((img) => img.complete && img.naturalWidth > 0);
  assert.ok(loaded, 'the portrait loads');
  await checkPage(page, 'program-portrait');
  await context.close();
});
