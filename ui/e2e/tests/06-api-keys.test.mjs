// Admin pages: create an API key limited to a namespace, see it once in a copyable box, use it (and be
// refused outside its namespace), revoke it, and find both changes in the audit log.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, test } from 'node:test';
import { ADMIN, api, artifact, launch, newPage, shot, url } from '../lib/browser.mjs';

const STAMP = Date.now().toString(36);
const KEY_NAME = `e2e-producer-${STAMP}`;
const NAMESPACE = `e2e-ns-${STAMP}`;

let browser;
let page;
let key;
before(async () => {
  browser = await launch();
  page = await newPage(browser);
});
afterEach(async (t) => {
  await artifact(page, t.name);
});
after(async () => {
  await browser?.close();
});

const skip = !ADMIN && 'auth is off';

function event(namespace) {
  return {
    eventType: 'COMPLETE', eventTime: new Date().toISOString(), producer: 'https://example.com/e2e', schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
    run: { runId: randomUUID() }, job: { namespace, name: `e2e-job-${STAMP}` }, inputs: [], outputs: [],
  };
}

function ingest(body, bearer) {
  return fetch(url('api/v1/lineage'), { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${bearer}` }, body: JSON.stringify(body) });
}

test('an admin creates an API key and sees it once', { skip }, async () => {
  await page.goto(url('/'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
  await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'API keys' }).click();
  await page.waitForURL(/\/admin\/api-keys$/);
  await page.getByLabel('Name', { exact: true }).fill(KEY_NAME);
  await page.getByLabel('Scope').selectOption('ingest');
  await page.getByLabel('Namespaces').fill(`${NAMESPACE}, ${NAMESPACE}`);
  await page.getByRole('button', { name: 'Create key' }).click();
  const dialog = page.getByRole('dialog', { name: new RegExp(`API key .${KEY_NAME}. created`) });
  await dialog.getByTestId('new-key-warning').filter({ hasText: 'you will not see it again' }).waitFor();
  key = await dialog.getByTestId('copy-box-value').inputValue();
  assert.ok(key.length >= 20, 'a key is shown');
  await dialog.getByRole('button', { name: 'Copy' }).click();
  await dialog.getByRole('status').filter({ hasText: /Copied|Selected/ }).waitFor();
  await shot(page, 'api-key-created');
  await dialog.getByRole('button', { name: 'I have copied it' }).click();
  await dialog.waitFor({ state: 'hidden' });
  const row = page.getByTestId('api-key-list').getByRole('row').filter({ hasText: KEY_NAME });
  await row.getByText(NAMESPACE, { exact: true }).waitFor();
  await row.getByText('active').waitFor();
  assert.equal((await page.content()).includes(key), false, 'the key is not on the page any more');
  await page.reload();
  await row.waitFor();
  assert.equal((await page.content()).includes(key), false, 'nor after a reload');
  const listed = await (await page.request.get(url('api/v1/api-keys'))).text();
  assert.equal(listed.includes(key), false, 'nor in the API');
  await shot(page, 'api-keys');
});

test('the key sends events to its namespace only', { skip }, async () => {
  assert.equal((await ingest(event(NAMESPACE), key)).status, 201);
  const refused = await ingest(event('somewhere-else'), key);
  assert.equal(refused.status, 403);
  assert.equal((await refused.json()).code, 'namespace_forbidden');
});

test('revoking the key asks first, then the key stops working', { skip }, async () => {
  const row = page.getByTestId('api-key-list').getByRole('row').filter({ hasText: KEY_NAME });
  await row.getByRole('button', { name: `Revoke ${KEY_NAME}` }).click();
  const confirm = page.getByRole('dialog', { name: 'Revoke API key?' });
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await row.getByText('active').waitFor();
  await row.getByRole('button', { name: `Revoke ${KEY_NAME}` }).click();
  await confirm.getByRole('button', { name: 'Revoke key' }).click();
  await row.getByText('revoked').waitFor();
  assert.equal(await row.getByRole('button', { name: `Revoke ${KEY_NAME}` }).count(), 0);
  assert.equal((await ingest(event(NAMESPACE), key)).status, 401);
  await shot(page, 'api-key-revoked');
});

test('the audit log shows who created and revoked the key, filtered and paged', { skip }, async () => {
  await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Audit log' }).click();
  await page.waitForURL(/\/admin\/audit$/);
  await page.getByTestId('audit-list').waitFor();
  await page.getByLabel('Actor').fill(ADMIN.username);
  await page.getByLabel('Action').fill('apikeys.');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.waitForURL(/actor=e2e-admin&action=apikeys\./);
  const rows = page.getByTestId('audit-list').locator('tbody tr');
  await rows.filter({ hasText: 'DELETE' }).first().waitFor();
  await rows.filter({ hasText: 'POST' }).first().waitFor();
  for (const text of await rows.allInnerTexts()) {
    assert.match(text, /e2e-admin/);
    assert.match(text, /apikeys\./);
  }
  await page.getByRole('navigation', { name: 'Audit log pages' }).getByText(/^1–\d+ of \d+$/).waitFor();
  await shot(page, 'audit-log');
});

test('the audit log pages through more entries than fit on a page', { skip }, async () => {
  // 60 writes by the e2e API key: 30 dashboards created and deleted.
  for (let i = 0; i < 30; i++) {
    const created = await api('dashboards', { method: 'POST', body: JSON.stringify({ name: `E2E audit ${STAMP} ${i}` }) });
    assert.equal(created.status, 201);
    assert.equal((await api(`dashboards/${encodeURIComponent(created.body.id)}`, { method: 'DELETE' })).status, 204);
  }
  const actor = 'e2e-admin-key';
  const { total } = (await api(`audit?limit=1&actor=${actor}&action=dashboards.`)).body;
  assert.ok(total >= 60, `${total} entries`);
  await page.goto(url(`admin/audit?actor=${actor}&action=dashboards.`));
  const pager = page.getByRole('navigation', { name: 'Audit log pages' });
  await pager.getByText(`1–50 of ${total}`, { exact: true }).waitFor();
  assert.equal(await page.getByTestId('audit-list').locator('tbody tr').count(), 50);
  assert.equal(await pager.getByRole('button', { name: 'Previous' }).isEnabled(), false);
  await pager.getByRole('button', { name: 'Next' }).click();
  await page.waitForURL(/offset=50/);
  await pager.getByText(`51–${Math.min(100, total)} of ${total}`, { exact: true }).waitFor();
  assert.equal(await page.getByLabel('Actor').inputValue(), actor, 'the filter stays while paging');
  await pager.getByRole('button', { name: 'Previous' }).click();
  await pager.getByText(`1–50 of ${total}`, { exact: true }).waitFor();
  assert.deepEqual(page.errors, []);
});
