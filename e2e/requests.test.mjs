// A resident asks for traffic enforcement on their street (also without JavaScript), follows
// the request and comments; a coordinator assigns it; staff publish an advisory that
// residents read. Every page on the way passes axe.
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

function signIn() {
  return staffSignIn(browser, server.baseUrl);
}

test('a resident files a traffic request on a phone and follows it', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(server.baseUrl + '/');
  await page.getByRole('link', { name: 'Ask for help' }).first().click();
  await page.getByRole('heading', { name: 'Ask the department for help' }).waitFor();
  await checkPage(page, 'requests-index');
  await page.getByRole('link', { name: 'Traffic enforcement at a location' }).click();
  await page.getByRole('heading', { name: 'Traffic enforcement at a location' }).waitFor();
  await checkPage(page, 'request-form');

  // Sending it half-filled lists what is missing (when and where).
  await page.getByLabel('Street', { exact: true }).fill('Cormorant Drive');
  await page.getByLabel('Email address').fill('ines.ferrer@mail.example');
  await page.getByRole('button', { name: 'Send my request' }).click();
  await page.getByText('Please check your request').waitFor();
  await checkPage(page, 'request-form-errors');

  await page.getByLabel('Nearest cross street (optional)').fill('Pier Street');
  // USWDS draws its own boxes over the inputs: people click the labels.
  await page.getByText('School arrival or dismissal', { exact: true }).click();
  await page.getByText('Speeding in a school zone', { exact: true }).click();
  await page.getByLabel('Address or place').fill('Cormorant Dr near Bayview Elementary');
  await page.getByLabel('First name (optional)').fill('Ines');
  await page.getByRole('button', { name: 'Send my request' }).click();
  await page.getByText('Your request is filed').waitFor();
  await page.getByText('School arrival or dismissal').waitFor();
  await checkPage(page, 'request-status');
  const followUrl = page.url();

  await page.getByLabel('Add a comment').fill('Worst between 7:45 and 8:15.');
  await page.getByRole('button', { name: 'Add my comment' }).click();
  await page.getByText('Your comment is added').waitFor();
  await page.getByText('Worst between 7:45 and 8:15.').waitFor();
  await checkPage(page, 'request-commented');
  await context.close();

  // The coordinator assigns it to a traffic officer; the requester sees the change.
  const staff = await signIn();
  await staff.page.getByRole('link', { name: 'Requests' }).click();
  await staff.page.getByRole('heading', { name: 'Community requests' }).waitFor();
  await checkPage(staff.page, 'staff-requests');
  await staff.page.getByRole('link', { name: /Traffic enforcement at a location/ }).first().click();
  await staff.page.getByRole('heading', { name: /^Request \d+/ }).waitFor();
  await checkPage(staff.page, 'staff-request');
  const officer = staff.page.getByLabel('Officer');
  const fits = await officer.locator('option', { hasText: 'duty fits' }).first().getAttribute('value');
  await officer.selectOption(fits);
  await staff.page.getByLabel('Due date (optional)').fill('2027-01-20');
  await staff.page.getByLabel(/Note for the requester/).fill('Officer Harlow will watch the school zone next week.');
  await staff.page.getByRole('button', { name: 'Save' }).click();
  await staff.page.getByText('Saved.').waitFor();
  await checkPage(staff.page, 'staff-request-saved');
  await staff.context.close();

  const again = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const follow = await again.newPage();
  await follow.goto(followUrl);
  await follow.getByText('Officer Harlow will watch the school zone next week.').first().waitFor();
  assert.match(await follow.locator('dl').first().innerText(), /Assigned/);
  await again.close();
});

test('staff publish an advisory that residents read on the home page', async () => {
  const { context, page } = await signIn();
  await page.getByRole('link', { name: 'Pages' }).click();
  await page.getByRole('heading', { name: 'Pages and advisories' }).waitFor();
  await checkPage(page, 'staff-content');
  await page.getByRole('link', { name: 'New page or advisory' }).click();
  await checkPage(page, 'staff-content-new');
  await page.getByLabel('Title').fill('Holiday package thefts');
  await page.getByLabel('Web address name').fill('holiday-packages');
  await page.getByLabel('Summary (optional, one or two sentences)').fill('Have parcels held or delivered to a locker.');
  await page.getByLabel('Text').fill('## What helps\n\n- Ask for a signature.\n- Use a parcel locker.');
  await page.getByText('Published (residents can read it)', { exact: true }).click();
  await page.getByText(/Show on the home page/).click();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('link', { name: 'Holiday package thefts' }).waitFor();
  await context.close();

  const resident = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const home = await resident.newPage();
  await home.goto(server.baseUrl + '/');
  await home.getByRole('heading', { name: 'Current advisories' }).waitFor();
  await checkPage(home, 'home-advisories');
  await home.getByRole('link', { name: 'Holiday package thefts' }).click();
  await home.getByRole('heading', { name: 'What helps' }).waitFor();
  await checkPage(home, 'advisory');
  await home.getByRole('link', { name: 'All current advisories' }).click();
  await checkPage(home, 'advisories');
  await home.goto(server.baseUrl + '/pages/community-policing');
  await home.getByRole('heading', { name: 'What is community policing?' }).waitFor();
  await checkPage(home, 'page-community-policing');
  await resident.close();
});

test('filing a question works without JavaScript', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(server.baseUrl + '/requests/new/question');
  await page.getByLabel('Your question').fill('Can our book club visit the station?');
  await page.getByLabel('Email address').fill('reading.circle@mail.example');
  await page.getByRole('button', { name: 'Send my request' }).click();
  await page.getByText('Your request is filed').waitFor();
  await page.getByText('Can our book club visit the station?').waitFor();
  await checkPage(page, 'request-no-js', { axe: false });
  await context.close();
});
