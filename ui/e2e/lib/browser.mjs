// Debian's Chromium driven by playwright-core (Playwright's own browser download does not work on
// these machines), plus small helpers shared by the test files. With auth on, a new page is signed in
// as the e2e admin (run.mjs creates it) unless asked otherwise, and `api()` sends the e2e admin API key.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

export const BASE_URL = process.env.E2E_BASE_URL ?? process.env.LINEAGELENS_E2E_URL ?? 'http://127.0.0.1:5173';
export const SCREENSHOTS = resolve(import.meta.dirname, '..', 'screenshots');
mkdirSync(SCREENSHOTS, { recursive: true });

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run'];

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
  });
}

/** The e2e admin's user name and password, when the receiver has auth on (null: test without signing in). */
export const ADMIN = process.env.E2E_ADMIN_USER ? { username: process.env.E2E_ADMIN_USER, password: process.env.E2E_ADMIN_PASSWORD ?? '' } : null;
export const API_KEY = process.env.E2E_API_KEY ?? null;

/** Sign a browser context in through the API (its cookies land in the context's cookie jar). */
export async function signIn(context, { username, password }) {
  const r = await context.request.post(url('api/v1/auth/login'), { data: { username, password } });
  if (r.status() !== 200) throw new Error(`sign-in of ${username} answered ${r.status()}: ${await r.text()}`);
  return r.json();
}

/** A page in a fresh context; `as` = credentials to sign in with (default: the e2e admin), or null for none. */
export async function newPage(browser, { width = 1440, height = 900, as = ADMIN } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, acceptDownloads: true, deviceScaleFactor: 1 });
  if (as) await signIn(context, as);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) errors.push(msg.text());
  });
  page.errors = errors;
  page.setDefaultTimeout(15_000);
  return page;
}

export function url(path) {
  return new URL(path.replace(/^\//, ''), BASE_URL.endsWith('/') ? BASE_URL : `${BASE_URL}/`).toString();
}

export const ARTIFACTS = resolve(import.meta.dirname, '..', '.artifacts');
mkdirSync(ARTIFACTS, { recursive: true });

/** The page as it was at the end of a test (for failures): e2e/.artifacts/<test>.png. */
export async function artifact(page, testName) {
  const name = testName.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 80);
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) }).catch(() => undefined);
}

export async function shot(page, name) {
  await page.waitForTimeout(350);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** A call to the API from the test itself, with the e2e admin API key unless `init.headers` says otherwise. */
export async function api(path, init = {}) {
  const auth = API_KEY ? { Authorization: `Bearer ${API_KEY}` } : {};
  const r = await fetch(url(`api/v1/${path.replace(/^\//, '')}`), {
    ...init, headers: { 'Content-Type': 'application/json', ...auth, ...(init.headers ?? {}) },
  });
  const text = await r.text();
  return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : null };
}

export const lineageUrl = (nodeId, extra = '') => url(`lineage?nodeId=${encodeURIComponent(nodeId)}${extra}`);
