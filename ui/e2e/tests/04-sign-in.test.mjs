// Sign-in with auth on: a signed-out visit goes to the sign-in page, a wrong password is refused with an
// announced error, the right one lands on the page asked for, sign-out ends the session for the API too,
// and the rate limit on sign-in shows how long to wait.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { ADMIN, artifact, launch, newPage, shot, signIn, url } from '../lib/browser.mjs';

const WANTED = 'jobs/airflow/BQ.upload';
let browser;
let page;
before(async () => {
  browser = await launch();
  page = await newPage(browser, { as: null });
});
afterEach(async (t) => {
  await artifact(page, t.name);
});
after(async () => {
  await browser?.close();
});

test('a signed-out visit goes to the sign-in page, remembering where it was going', { skip: !ADMIN && 'auth is off' }, async () => {
  await page.goto(url(WANTED));
  await page.waitForURL(/\/signin\?next=/);
  assert.equal(new URL(page.url()).searchParams.get('next'), `/${WANTED}`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 0, 'no app navigation before signing in');
  assert.equal(await page.getByLabel('User name').getAttribute('autocomplete'), 'username');
  assert.equal(await page.getByLabel('Password').getAttribute('autocomplete'), 'current-password');
  await shot(page, 'sign-in');
});

test('a wrong password shows an error and stays on the sign-in page', { skip: !ADMIN && 'auth is off' }, async () => {
  await page.getByLabel('User name').fill(ADMIN.username);
  await page.getByLabel('Password').fill(`${ADMIN.password}-wrong`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'Wrong user name or password' }).waitFor();
  assert.match(page.url(), /\/signin\?next=/);
  assert.equal(await page.getByLabel('Password').inputValue(), '', 'the wrong password is cleared');
  assert.equal(await page.getByRole('button', { name: 'Sign in' }).isEnabled(), true);
  await shot(page, 'sign-in-wrong-password');
});

test('the right password lands on the page asked for, with the user in the header', { skip: !ADMIN && 'auth is off' }, async () => {
  await page.getByLabel('User name').fill(ADMIN.username);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname.endsWith(`/${WANTED}`));
  await page.getByRole('heading', { name: /BQ\.upload/ }).waitFor();
  const menu = page.getByTestId('user-menu');
  await menu.getByText(ADMIN.username, { exact: true }).waitFor();
  await menu.getByText('admin', { exact: true }).waitFor();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).waitFor();
  const me = await page.request.get(url('api/v1/auth/me'));
  assert.equal(me.status(), 200);
  assert.deepEqual((await me.json()).user, { name: ADMIN.username, role: 'admin' });
  await shot(page, 'signed-in');
});

test('sign out returns to the sign-in page and the API then answers 401', { skip: !ADMIN && 'auth is off' }, async () => {
  await page.getByTestId('user-menu').getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/signin$/);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  for (const path of ['api/v1/auth/me', 'api/v1/namespaces', 'api/v1/dashboards']) {
    assert.equal((await page.request.get(url(path))).status(), 401, path);
  }
  assert.equal((await page.request.post(url('api/v1/auth/refresh'))).status(), 401, 'the refresh token is revoked too');
  await page.goto(url('dashboards'));
  await page.waitForURL(/\/signin\?next=%2Fdashboards$/);
});

test('an expired access token is refreshed without asking; a dead session goes back to sign-in', { skip: !ADMIN && 'auth is off' }, async () => {
  const context = page.context();
  await signIn(context, ADMIN);
  await page.goto(url('dashboards'));
  await page.getByRole('heading', { name: 'Dashboards' }).waitFor();
  // The short-lived session cookie runs out; the refresh cookie is still there.
  await context.clearCookies({ name: 'lineagelens_session' });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home' }).click();
  await page.getByRole('heading', { name: 'Recently active jobs' }).waitFor();
  await page.locator('.card table a').first().waitFor();
  assert.ok((await context.cookies()).some((c) => c.name === 'lineagelens_session'), 'the refresh set a new session cookie');
  assert.equal(new URL(page.url()).pathname, '/');
  // Now the whole session is gone: the next API call cannot be refreshed.
  await context.clearCookies({ name: 'lineagelens_session' });
  await context.clearCookies({ name: 'lineagelens_refresh' });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboards' }).click();
  await page.waitForURL(/\/signin\?next=%2Fdashboards$/);
  await page.getByRole('status').filter({ hasText: 'Your session ended' }).waitFor();
  await page.getByLabel('User name').fill(ADMIN.username);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname === '/dashboards');
  await page.getByRole('heading', { name: 'Dashboards' }).waitFor();
  assert.deepEqual(page.errors, []);
});

test('too many attempts say how long to wait', { skip: !ADMIN && 'auth is off' }, async () => {
  // The limit counts per client address and user name: a user name of its own keeps the others unaffected.
  const name = `e2e-limited-${Date.now().toString(36)}`;
  let status = 0;
  for (let i = 0; i < 200 && status !== 429; i++) {
    status = (await page.request.post(url('api/v1/auth/login'), { data: { username: name, password: 'not-the-password' } })).status();
  }
  assert.equal(status, 429);
  await page.context().clearCookies();
  await page.goto(url('signin'));
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: /Too many attempts, try again in \d+ s/ }).waitFor();
  await shot(page, 'sign-in-rate-limited');
});
