// Starts the precinct binary with the demo department on a free port, for browser tests.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { AxeBuilder } from '@axe-core/playwright';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const BIN = process.env.PRECINCT_BIN ?? 'target/debug/precinct';

// A fresh PostgreSQL database for one suite, on the server the integration tests use;
// `null` when none answers (the suite then runs on SQLite only, except under CI).
export function freshPostgres() {
  const base = process.env.PRECINCT_TEST_POSTGRES_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
  const name = `precinct_e2e_${process.pid}_${Date.now()}`;
  try {
    execFileSync('psql', [base, '-qc', `CREATE DATABASE ${name}`], { stdio: 'pipe' });
  } catch (e) {
    if (process.env.CI) throw new Error(`PostgreSQL is needed under CI: ${e.message}`);
    return null;
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop() {
      execFileSync('psql', [base, '-qc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`], { stdio: 'pipe' });
    },
  };
}

// Runs `precinct admin create` as a department would on a new server, and returns the
// password it printed.
export function createAdmin({ dataDir, databaseUrl, email }) {
  const env = { ...process.env, RUST_LOG: 'warn' };
  delete env.PRECINCT_DATABASE_URL;
  delete env.PRECINCT_ADMIN_PASSWORD;
  if (databaseUrl) env.PRECINCT_DATABASE_URL = databaseUrl;
  const out = execFileSync(BIN, ['admin', 'create', '--email', email, '--data-dir', dataDir], { env }).toString();
  const m = out.match(/password: (\S+)/);
  if (!m) throw new Error(`no password printed: ${out}`);
  return m[1];
}

// Starts the service: by default with the demo department in a temporary SQLite file;
// `{ demo: false }` starts it as a new department would, `databaseUrl` on PostgreSQL.
export async function startServer({ demo = true, databaseUrl, dataDir: givenDir } = {}) {
  const bin = BIN;
  const dataDir = givenDir ?? mkdtempSync(join(tmpdir(), 'precinct-e2e-'));
  // The browser suite uses its own database: a temporary SQLite file unless told otherwise.
  delete process.env.PRECINCT_DATABASE_URL;
  const args = ['serve', '--addr', '127.0.0.1:0', '--data-dir', dataDir];
  if (demo) args.push('--demo');
  const env = { ...process.env, RUST_LOG: 'warn', PRECINCT_JOB_INTERVAL: '1', PRECINCT_RATE_LIMIT: 'off' };
  if (databaseUrl) env.PRECINCT_DATABASE_URL = databaseUrl;
  const child = spawn(bin, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    env,
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
  // Each role lands on its own work: classes for most, nominations for a counselor.
  await page.waitForURL((url) => !url.pathname.endsWith('/sign-in'));
  await page.getByRole('heading', { level: 1 }).waitFor();
  return { context, page };
}
