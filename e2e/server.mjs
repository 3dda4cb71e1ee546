// Starts the precinct binary with the demo department on a free port, for browser tests.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { AxeBuilder } from '@axe-core/playwright';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export async function startServer() {
  const bin = process.env.PRECINCT_BIN ?? 'target/debug/precinct';
  const dataDir = mkdtempSync(join(tmpdir(), 'precinct-e2e-'));
  // The browser suite always uses its own SQLite file in a temporary directory.
  delete process.env.PRECINCT_DATABASE_URL;
  const child = spawn(bin, ['serve', '--demo', '--addr', '127.0.0.1:0', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, RUST_LOG: 'warn', PRECINCT_JOB_INTERVAL: '1', PRECINCT_RATE_LIMIT: 'off' },
  });
  const lines = createInterface({ input: child.stdout });
  const baseUrl = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start within 60 s')), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited early with ${code}`));
    });
    lines.on('line', (line) => {
      const m = line.match(/listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  return {
    baseUrl,
    dataDir,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const chromiumOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

// Shared by the suites: screenshots land in e2e/artifacts (git-ignored); axe checks
// WCAG 2.2 A/AA rules and must find nothing.

export const ARTIFACTS = 'e2e/artifacts';
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

export async function checkPage(page, name, { axe = true } = {}) {
  await page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
  // axe runs as a script inside the page, so it needs JavaScript; no-JS runs check
  // that the same pages work, and the JS runs check them for accessibility.
  if (!axe) return;
  const results = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  assert.deepEqual(summary, [], `axe violations on ${name}`);
}

// Signs in to the back office in a fresh browser context with the demo password and
// waits for the class list. `options` are the context's (viewport, downloads, ...).
export async function signIn(browser, baseUrl, {
  email = 'admin@harborpoint-pd.example',
  options = { viewport: { width: 1280, height: 900 } },
} = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await page.goto(baseUrl + '/staff/sign-in');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill('harbor-point-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Classes', level: 1 }).waitFor();
  return { context, page };
}
