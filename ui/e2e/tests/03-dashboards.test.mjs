// The dashboard editor (needs /api/v1/node-types, /sources and /dashboards): build a dashboard by
// drag and drop, create a source from its JSON-Schema form, connect nodes, notes, autosave, reload,
// conflict resolution, export → import, and the manual edge in the lineage explorer.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, afterEach, before, test } from 'node:test';
import { api, artifact, launch, lineageUrl, newPage, shot, url } from '../lib/browser.mjs';

const RESULT = 'dataset:gs://mock-bucket:result.csv';
const TBL1 = 'dataset:file:/tmp/cll_test/tbl1';
const STAMP = Date.now().toString(36);
const NAME = `E2E dashboard ${STAMP}`;
const SERVICE = `E2E service ${STAMP}`;

let browser;
let page;
let dashboardId;
let exported;
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

async function dropOnCanvas(item, x, y) {
  const canvas = page.getByTestId('dashboard-canvas');
  const box = await canvas.boundingBox();
  await item.dragTo(canvas, { targetPosition: { x: x ?? box.width / 2, y: y ?? box.height / 2 } });
}

async function waitSaved() {
  await page.waitForFunction(() => document.querySelector('[data-testid="save-state"]')?.getAttribute('data-state') === 'saved', null, { timeout: 15_000 });
  await page.waitForLoadState('networkidle');
}

async function placeFromSearch(query, id, x, y) {
  const box = page.getByRole('searchbox', { name: 'Search datasets and jobs to place' });
  await box.fill(query);
  const item = page.getByTestId(`palette-ref-${id}`);
  await item.waitFor();
  await dropOnCanvas(item, x, y);
}

test('creates a dashboard from the list', async () => {
  await page.goto(url('dashboards'));
  await page.getByRole('heading', { name: 'Dashboards' }).waitFor();
  await page.getByRole('textbox', { name: 'New dashboard name' }).fill(NAME);
  await page.getByRole('button', { name: 'Create dashboard' }).click();
  await page.waitForURL(/\/dashboards\/[^/]+$/);
  dashboardId = decodeURIComponent(page.url().split('/').pop());
  await page.getByRole('heading', { name: NAME }).waitFor();
  await page.getByTestId('palette').getByRole('heading', { name: 'Add a source' }).waitFor();
});

test('drags a source type onto the canvas and creates the source from its form', async () => {
  const types = (await api('node-types')).body.nodeTypes;
  const type = types.find((t) => t.kind === 'http_service') ?? types[0];
  await dropOnCanvas(page.getByTestId(`palette-type-${type.kind}`), 160, 160);
  const form = page.getByTestId('source-form');
  await form.waitFor();
  await shot(page, 'dashboard-source-form');
  await form.locator('#source-name').fill(SERVICE);
  // Fill whatever else is required and still empty, generically.
  for (const input of await form.locator('input[required]').all()) {
    if ((await input.inputValue()) === '') await input.fill((await input.getAttribute('type')) === 'number' ? '1' : 'http://127.0.0.1:9/health');
  }
  await page.getByRole('button', { name: 'Create source' }).click();
  await page.locator('.react-flow__node-source', { hasText: SERVICE }).waitFor();
  await waitSaved();
});

test('places datasets from search and connects two nodes with a manual edge', async () => {
  await placeFromSearch('result', RESULT, 520, 160);
  await placeFromSearch('tbl1', TBL1, 520, 380);
  const resultNode = page.locator('.react-flow__node-dataset', { hasText: 'result.csv' });
  const tbl1Node = page.locator('.react-flow__node-dataset', { hasText: 'tbl1' });
  await resultNode.waitFor();
  await tbl1Node.waitFor();
  // Drag from result.csv's output handle to tbl1's input handle.
  await resultNode.locator('.react-flow__handle.source').dragTo(tbl1Node.locator('.react-flow__handle.target'));
  await page.locator('.react-flow__edge').first().waitFor();
  await page.locator('.edge-label.is-manual').first().waitFor();
  // And the source to result.csv, by keyboard through the inspector.
  await page.locator('.react-flow__node-source', { hasText: SERVICE }).click();
  const inspector = page.getByTestId('inspector');
  await inspector.getByLabel('Connect to (manual lineage edge)').selectOption({ label: 'result.csv' });
  await inspector.getByRole('button', { name: 'Connect', exact: true }).click();
  await page.waitForFunction(() => document.querySelectorAll('.react-flow__edge').length === 2);
  await inspector.getByTestId('note-input').fill('Serves the result file');
  await inspector.getByRole('button', { name: 'Save note' }).click();
  await page.locator('.node-note', { hasText: 'Serves the result file' }).waitFor();
  await waitSaved();
  await shot(page, 'dashboard-editor');
});

test('undo and redo an edit', async () => {
  await page.locator('.react-flow__pane').click({ position: { x: 10, y: 10 } });
  await page.getByRole('button', { name: 'Undo' }).click(); // the note
  await page.locator('.node-note').waitFor({ state: 'detached' });
  await page.keyboard.press('Control+z'); // the second edge
  await page.waitForFunction(() => document.querySelectorAll('.react-flow__edge').length === 1);
  await page.keyboard.press('Control+Shift+z');
  await page.getByRole('button', { name: 'Redo' }).click();
  await page.locator('.node-note', { hasText: 'Serves the result file' }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('.react-flow__edge').length === 2);
  await waitSaved();
});

/** The edges React Flow actually drew (DOM elements), once the page's nodes are all there and measured:
 * a load is given a few seconds for its edges to appear, then counted. */
async function drawnEdgesAfterLoad(nodeCount) {
  await page.waitForFunction((n) => {
    const nodes = [...document.querySelectorAll('.react-flow__node')];
    return nodes.length === n && nodes.every((el) => getComputedStyle(el).visibility === 'visible');
  }, nodeCount);
  const expected = (await api(`dashboards/${dashboardId}`)).body.edges.length;
  await page.waitForFunction((n) => document.querySelectorAll('.react-flow__edge').length >= n, expected, { timeout: 4000 })
    .catch(() => undefined);
  return { drawn: await page.locator('.react-flow__edge').count(), expected };
}

test('reloads and sees the dashboard persisted, edges drawn on every load', async () => {
  const saved = (await api(`dashboards/${dashboardId}`)).body;
  assert.equal(saved.nodes.length, 3);
  assert.equal(saved.edges.length, 2);
  // Edges were sometimes not drawn after a load (about 1 in 6) while the API had them: count the edges on
  // screen after 10 same-page reloads and 5 list → editor navigations; every load must draw all of them.
  const short = [];
  for (let i = 0; i < 10; i += 1) {
    await page.reload();
    const { drawn, expected } = await drawnEdgesAfterLoad(saved.nodes.length);
    if (drawn < expected) short.push(`reload ${i + 1}: ${drawn} of ${expected} edges drawn`);
  }
  for (let i = 0; i < 5; i += 1) {
    await page.goto(url('dashboards'));
    await page.getByTestId('dashboard-list').getByRole('link', { name: NAME, exact: true }).click();
    await page.waitForURL(/\/dashboards\/[^/]+$/);
    const { drawn, expected } = await drawnEdgesAfterLoad(saved.nodes.length);
    if (drawn < expected) short.push(`list → editor ${i + 1}: ${drawn} of ${expected} edges drawn`);
  }
  assert.deepEqual(short, [], `loads that drew fewer edges than saved:\n${short.join('\n')}`);
  await page.locator('.react-flow__node-source', { hasText: SERVICE }).waitFor();
  await page.locator('.react-flow__node-dataset', { hasText: 'result.csv' }).waitFor();
  await page.locator('.react-flow__node-dataset', { hasText: 'tbl1' }).waitFor();
  await page.locator('.react-flow__controls-fitview').click();
  await shot(page, 'dashboard-reloaded');
});

test('the manual edge shows dashed in the lineage explorer', async () => {
  await page.goto(lineageUrl(TBL1));
  const edge = page.locator('.react-flow__edge-path.is-manual');
  await edge.first().waitFor();
  await page.locator('.edge-label.is-manual', { hasText: 'manual' }).first().waitFor();
  await shot(page, 'explorer-manual-edge');
});

test('shows a 409 conflict and resolves it by overwriting', async () => {
  await page.goto(url(`dashboards/${encodeURIComponent(dashboardId)}`));
  await page.locator('.react-flow__node-dataset', { hasText: 'tbl1' }).waitFor();
  // Someone else saves a new version meanwhile.
  const current = await api(`dashboards/${dashboardId}`);
  const theirs = await api(`dashboards/${dashboardId}`, {
    method: 'PUT', body: JSON.stringify({ ...current.body, description: 'changed elsewhere' }), headers: { 'If-Match': `"${current.body.version}"` },
  });
  assert.equal(theirs.status, 200);
  await page.locator('.react-flow__node-dataset', { hasText: 'tbl1' }).click();
  await page.getByTestId('inspector').getByTestId('note-input').fill('my edit');
  await page.getByTestId('inspector').getByRole('button', { name: 'Save note' }).click();
  await page.getByRole('heading', { name: 'This dashboard changed elsewhere' }).waitFor();
  await shot(page, 'dashboard-conflict');
  await page.getByRole('button', { name: 'Overwrite with mine' }).click();
  await waitSaved();
  const after = (await api(`dashboards/${dashboardId}`)).body;
  assert.ok(after.nodes.some((n) => n.note === 'my edit'));
});

test('exports the dashboard and imports it again', async () => {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export' }).click()]);
  exported = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.equal(exported.format, 'lineagelens.dashboard');
  await page.goto(url('dashboards'));
  await page.getByTestId('dashboard-list').waitFor();
  await shot(page, 'dashboards');
  await page.getByTestId('import-input').setInputFiles({ name: 'dashboard.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(exported)) });
  await page.waitForURL(/\/dashboards\/[^/]+$/);
  await page.locator('.react-flow__node-dataset', { hasText: 'result.csv' }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('.react-flow__node').length === 3);
  assert.deepEqual(page.errors, []);
});
