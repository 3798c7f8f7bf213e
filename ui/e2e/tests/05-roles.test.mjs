// Roles in the UI: an admin adds a viewer on the Users page; the viewer sees dashboards read-only (no
// create, rename, delete, palette, undo, note, connect or connection test), no Admin link, and "You need
// the admin role" on an admin page; the server agrees (403). Then the admin changes the role and deletes
// the user.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { ADMIN, api, artifact, launch, newPage, shot, url } from '../lib/browser.mjs';

const STAMP = Date.now().toString(36);
const VIEWER = { username: `e2e-viewer-${STAMP}`, password: `viewer-password-${STAMP}` };
const DASHBOARD = `E2E read-only ${STAMP}`;
const RESULT = 'dataset:gs://mock-bucket:result.csv';

let browser;
let admin;
let viewer;
let dashboardId;
before(async () => {
  browser = await launch();
  admin = await newPage(browser);
});
afterEach(async (t) => {
  await artifact(viewer ?? admin, t.name);
});
after(async () => {
  await browser?.close();
});

const skip = !ADMIN && 'auth is off';

test('an admin adds a viewer on the Users page', { skip }, async () => {
  await admin.goto(url('admin/users'));
  await admin.getByRole('heading', { name: 'Users', exact: true }).waitFor();
  await admin.getByRole('cell', { name: `${ADMIN.username} (you)`, exact: true }).waitFor();
  await admin.getByLabel('User name', { exact: true }).fill(VIEWER.username);
  await admin.getByLabel('Role', { exact: true }).selectOption('viewer');
  await admin.getByLabel('Password', { exact: true }).fill('too-short');
  await admin.getByRole('button', { name: 'Add user' }).click();
  await admin.getByRole('alert').filter({ hasText: 'at least 12 characters' }).waitFor();
  await admin.getByLabel('Password', { exact: true }).fill(VIEWER.password);
  await admin.getByRole('button', { name: 'Add user' }).click();
  const row = admin.getByTestId('user-list').getByRole('row').filter({ hasText: VIEWER.username });
  await row.waitFor();
  assert.equal(await row.getByLabel(`Role of ${VIEWER.username}`).inputValue(), 'viewer');
  await shot(admin, 'admin-users');
});

test('a viewer sees dashboards without edit controls', { skip }, async () => {
  const created = await api('dashboards', { method: 'POST', body: JSON.stringify({ name: DASHBOARD, nodes: [
    { id: 'n1', ref: { kind: 'dataset', id: RESULT }, position: { x: 80, y: 80 }, note: 'read me' },
  ], edges: [], viewport: { x: 0, y: 0, zoom: 1 } }) });
  assert.equal(created.status, 201);
  dashboardId = created.body.id;

  viewer = await newPage(browser, { as: VIEWER });
  // The viewer's pages must not even try a write (the server would answer 403).
  const writes = [];
  viewer.on('request', (r) => {
    if (r.method() !== 'GET' && r.url().includes('/api/') && !r.url().includes('/api/v1/auth/')) writes.push(`${r.method()} ${r.url()}`);
  });
  await viewer.goto(url('dashboards'));
  await viewer.getByRole('link', { name: DASHBOARD }).waitFor();
  const menu = viewer.getByTestId('user-menu');
  await menu.getByText('viewer', { exact: true }).waitFor();
  assert.equal(await viewer.getByRole('button', { name: 'Create dashboard' }).count(), 0);
  assert.equal(await viewer.getByRole('button', { name: 'Import file' }).count(), 0);
  assert.equal(await viewer.getByRole('button', { name: 'Rename' }).count(), 0);
  assert.equal(await viewer.getByRole('button', { name: 'Delete' }).count(), 0);
  await viewer.getByRole('button', { name: 'Export' }).first().waitFor();
  assert.equal(await viewer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).count(), 0);
  await shot(viewer, 'viewer-dashboards');

  await viewer.getByRole('link', { name: DASHBOARD }).click();
  await viewer.getByTestId('read-only-badge').waitFor();
  await viewer.locator('.react-flow__node-dataset', { hasText: 'result.csv' }).click();
  const inspector = viewer.getByTestId('inspector');
  await inspector.getByText('read me').waitFor();
  for (const name of ['Undo', 'Redo', 'Import', 'Save note', 'Connect', 'Remove from dashboard', 'Test connection']) {
    assert.equal(await viewer.getByRole('button', { name, exact: true }).count(), 0, `no ${name} button`);
  }
  assert.equal(await viewer.getByTestId('palette').count(), 0, 'no palette');
  // Panning and zooming a read-only dashboard changes nothing on the server.
  const canvas = viewer.getByTestId('dashboard-canvas');
  const box = await canvas.boundingBox();
  await viewer.mouse.move(box.x + box.width / 2, box.y + box.height - 40);
  await viewer.mouse.down();
  await viewer.mouse.move(box.x + box.width / 2 + 120, box.y + box.height - 80, { steps: 5 });
  await viewer.mouse.up();
  await viewer.mouse.wheel(0, -300);
  await viewer.waitForTimeout(1200); // longer than the autosave delay
  assert.deepEqual(writes, []);
  assert.deepEqual(viewer.errors, []);
  await shot(viewer, 'viewer-dashboard');
});

test('the server refuses a viewer what the UI hides', { skip }, async () => {
  const csrf = (await viewer.context().cookies()).find((c) => c.name === 'lineagelens_csrf')?.value;
  assert.ok(csrf, 'the sign-in set the CSRF cookie');
  const create = await viewer.request.post(url('api/v1/dashboards'), { data: { name: 'nope' }, headers: { 'X-CSRF-Token': csrf } });
  assert.equal(create.status(), 403);
  const remove = await viewer.request.delete(url(`api/v1/dashboards/${encodeURIComponent(dashboardId)}`), { headers: { 'X-CSRF-Token': csrf } });
  assert.equal(remove.status(), 403);
  assert.equal((await viewer.request.get(url('api/v1/users'))).status(), 403);
});

test('a viewer who opens an admin page is told it needs the admin role', { skip }, async () => {
  await viewer.goto(url('admin/api-keys'));
  await viewer.getByRole('alert').filter({ hasText: 'You need the admin role' }).waitFor();
  assert.equal(await viewer.getByRole('button', { name: 'Create key' }).count(), 0);
  await shot(viewer, 'viewer-admin-page');
});

test('the admin makes the viewer an editor, resets the password, then deletes the user', { skip }, async () => {
  await admin.reload();
  const row = admin.getByTestId('user-list').getByRole('row').filter({ hasText: VIEWER.username });
  await row.getByLabel(`Role of ${VIEWER.username}`).selectOption('editor');
  await admin.getByText(`${VIEWER.username} is now an editor`).waitFor();
  const users = (await api('users')).body.users;
  assert.equal(users.find((u) => u.name === VIEWER.username)?.role, 'editor');

  await row.getByRole('button', { name: `Reset the password of ${VIEWER.username}` }).click();
  const dialog = admin.getByRole('dialog', { name: `Reset the password of ${VIEWER.username}` });
  await dialog.getByLabel('New password').fill('a-brand-new-password');
  await dialog.getByLabel('Repeat it').fill('a-brand-new-password');
  await dialog.getByRole('button', { name: 'Set password' }).click();
  await admin.getByText(`Password of ${VIEWER.username} reset`).waitFor();
  const login = await fetch(url('api/v1/auth/login'), {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: VIEWER.username, password: 'a-brand-new-password' }),
  });
  assert.equal(login.status, 200);

  await row.getByRole('button', { name: `Delete ${VIEWER.username}` }).click();
  await admin.getByRole('dialog', { name: 'Delete user?' }).getByRole('button', { name: 'Delete user' }).click();
  await row.waitFor({ state: 'detached' });
  assert.equal((await api('users')).body.users.some((u) => u.name === VIEWER.username), false);
  assert.deepEqual(admin.errors, []);
});
