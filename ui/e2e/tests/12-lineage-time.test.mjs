// Lineage through time (issue 14): the explorer's time slider, "Jump to run", the "Show stale" toggle and
// diff mode, and the dataset page's schema diff, against a job posted by the test that reads B in its
// first run and is rewired to read C in its second (its output gains a column and one is retyped).
// Screenshots for docs/ui.md go to docs/img/ only when LINEAGELENS_E2E_DOC_SHOTS=1.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { api, artifact, launch, lineageUrl, newPage, url } from '../lib/browser.mjs';

const STAMP = Date.now().toString(36);
const NS = `e2e-time-${STAMP}`;
const B = `dataset:${NS}:b`, C = `dataset:${NS}:c`, OUT = `dataset:${NS}:out`, JOB = `job:${NS}:rewire`;
const edge = (src, dst) => `${src}->${dst}`;
const node = (page, id) => page.locator(`.react-flow__node[data-id="${id}"]`);
const edgeEl = (page, id) => page.locator(`.react-flow__edge[data-id="${id}"]`);
const FIRST_END = '2024-05-01T10:00:00Z', SECOND_END = '2024-05-01T12:00:00Z';

let browser;
let page;
const runs = [];
const DOC_IMG = resolve(import.meta.dirname, '..', '..', '..', 'docs', 'img');

async function docShot(p, name) {
  if (process.env.LINEAGELENS_E2E_DOC_SHOTS !== '1') return;
  mkdirSync(DOC_IMG, { recursive: true });
  await p.waitForTimeout(400);
  await p.screenshot({ path: resolve(DOC_IMG, `${name}.png`) });
}

const schema = (fields) => ({ schema: { _producer: 'https://e2e.test', _schemaURL: 'https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json', fields: fields.map(([name, type]) => ({ name, type })) } });
async function post(event) {
  const r = await api('lineage', { method: 'POST', body: JSON.stringify({ producer: 'https://e2e.test', schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent', ...event }), headers: { Prefer: 'wait=projected' } });
  assert.ok(r.status >= 200 && r.status < 300, `POST answered ${r.status}: ${JSON.stringify(r.body)}`);
}
async function run(input, start, end, outFields) {
  const runId = randomUUID();
  const common = { job: { namespace: NS, name: 'rewire', facets: {} }, inputs: [{ namespace: NS, name: input, facets: {} }] };
  await post({ ...common, eventType: 'START', eventTime: start, run: { runId, facets: {} } });
  await post({ ...common, eventType: 'COMPLETE', eventTime: end, run: { runId, facets: {} }, outputs: [{ namespace: NS, name: 'out', facets: schema(outFields) }] });
  return runId;
}
/** Wait until the canvas shows `shown` and none of `hidden`. */
async function expectNodes(p, shown, hidden) {
  await p.waitForFunction(([want, not]) => want.every((id) => document.querySelector(`.react-flow__node[data-id="${CSS.escape(id)}"]`))
    && not.every((id) => !document.querySelector(`.react-flow__node[data-id="${CSS.escape(id)}"]`)), [shown, hidden]);
}

before(async () => {
  browser = await launch();
  page = await newPage(browser, { width: 1400, height: 820 });
  runs.push(await run('b', '2024-05-01T09:55:00Z', FIRST_END, [['id', 'int']]));
  runs.push(await run('c', '2024-05-01T11:55:00Z', SECOND_END, [['id', 'bigint'], ['name', 'text']]));
});
afterEach(async (t) => {
  await artifact(page, t.name);
});
after(async () => {
  await browser?.close();
});

test('the time slider shows the graph of the first run, then of now; jump to run does the same', async () => {
  await page.goto(lineageUrl(JOB));
  await expectNodes(page, [C, OUT, JOB], [B]);
  const slider = page.getByLabel('Time slider');
  await page.waitForFunction(() => document.querySelector('input[aria-label="Time slider"]')?.getAttribute('max') === '2');
  await slider.focus();
  await page.keyboard.press('Home');
  await expectNodes(page, [B, OUT, JOB], [C]);
  assert.ok(new URL(page.url()).searchParams.get('at')?.startsWith('2024-05-01T10:00:00'), page.url());
  assert.match(await page.getByTestId('time-label').innerText(), /2024-05-01 10:00:00 UTC/);
  // A link reproduces the view.
  await page.reload();
  await expectNodes(page, [B, OUT, JOB], [C]);
  await page.getByLabel('Time slider').focus();
  await page.keyboard.press('End');
  await expectNodes(page, [C, OUT, JOB], [B]);
  assert.equal(new URL(page.url()).searchParams.get('at'), null);
  await page.getByLabel('Jump to run').selectOption(runs[0]);
  await expectNodes(page, [B, OUT, JOB], [C]);
  await page.getByRole('button', { name: 'Now' }).click();
  await expectNodes(page, [C, OUT, JOB], [B]);
  // The datetime field: between the two runs, the first run's graph.
  await page.getByLabel('As of (UTC)').fill('2024-05-01T11:00:30');
  await expectNodes(page, [B, OUT, JOB], [C]);
  assert.deepEqual(page.errors, []);
});

test('"Show stale" draws the edge the second run dropped, dashed, with a legend', async () => {
  await page.goto(lineageUrl(JOB));
  await expectNodes(page, [C, OUT, JOB], [B]);
  await page.getByLabel('Show stale').check();
  await expectNodes(page, [B, C, OUT, JOB], []);
  await edgeEl(page, edge(B, JOB)).waitFor();
  assert.equal(await edgeEl(page, edge(B, JOB)).getAttribute('data-stale'), 'true');
  assert.match(await edgeEl(page, edge(B, JOB)).getAttribute('class'), /\bis-stale\b/);
  assert.equal(await edgeEl(page, edge(C, JOB)).getAttribute('data-stale'), null);
  assert.equal(await edgeEl(page, edge(JOB, OUT)).getAttribute('data-stale'), null);
  await page.getByTestId('legend').getByText('Stale (no longer current)').waitFor();
  await docShot(page, 'explorer-time-stale');
  assert.equal(new URL(page.url()).searchParams.get('stale'), '1');
  await page.getByLabel('Show stale').uncheck();
  await expectNodes(page, [C, OUT, JOB], [B]);
});

test('diff mode colours what the second run changed: B removed, C added, the rest unchanged', async () => {
  await page.goto(lineageUrl(JOB));
  await expectNodes(page, [C, OUT, JOB], [B]);
  await page.getByRole('button', { name: 'Diff' }).click();
  const summary = page.getByTestId('diff-summary');
  await page.waitForFunction(() => document.querySelector('[data-testid="diff-summary"]')?.getAttribute('data-state') === 'ready');
  assert.equal(await summary.innerText(), '+1 node −1 node · +1 edge −1 edge · 1 schema change');
  const params = new URL(page.url()).searchParams;
  assert.deepEqual([params.get('diff'), params.get('dfromRun'), params.get('dtoRun')], ['1', runs[0], runs[1]]);
  await expectNodes(page, [B, C, OUT, JOB], []);
  await page.waitForFunction((id) => document.querySelector(`.react-flow__node[data-id="${CSS.escape(id)}"]`)?.getAttribute('data-diff') === 'removed', B);
  assert.equal(await node(page, C).getAttribute('data-diff'), 'added');
  assert.match(await node(page, B).getAttribute('class'), /\bdiff-removed\b/);
  assert.equal(await node(page, JOB).getAttribute('data-diff'), 'unchanged');
  assert.equal(await node(page, OUT).getAttribute('data-diff'), 'unchanged');
  assert.equal(await edgeEl(page, edge(B, JOB)).getAttribute('data-diff'), 'removed');
  assert.equal(await edgeEl(page, edge(C, JOB)).getAttribute('data-diff'), 'added');
  assert.equal(await edgeEl(page, edge(JOB, OUT)).getAttribute('data-diff'), 'unchanged');
  const legend = page.getByTestId('legend');
  for (const label of ['Added', 'Removed', 'Unchanged']) await legend.getByText(label, { exact: true }).waitFor();
  await docShot(page, 'explorer-diff');
  // The same diff between two instants; then back to the normal view.
  await page.getByLabel('Diff from').selectOption('at');
  await page.getByLabel('Diff from (UTC)').fill('2024-05-01T11:00:30');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('dfrom')?.startsWith('2024-05-01T11:00:30'));
  await page.waitForFunction(() => document.querySelector('[data-testid="diff-summary"]')?.getAttribute('data-state') === 'ready');
  assert.equal(await summary.innerText(), '+1 node −1 node · +1 edge −1 edge · 1 schema change');
  assert.equal(await node(page, B).getAttribute('data-diff'), 'removed');
  await page.getByRole('button', { name: 'Leave diff' }).click();
  await expectNodes(page, [C, OUT, JOB], [B]);
  assert.equal(await node(page, C).getAttribute('data-diff'), null);
  assert.deepEqual(page.errors, []);
});

test('the dataset page compares two schema versions: a column added, one retyped', async () => {
  await page.goto(url(`datasets/${encodeURIComponent(NS)}/out`));
  const panel = page.getByTestId('schema-diff');
  await panel.locator('tr[data-change="added"]').waitFor();
  assert.equal(await panel.locator('tr[data-change="added"] td').first().innerText(), 'name');
  assert.equal(await panel.locator('tr[data-change="retyped"] td').first().innerText(), 'id');
  assert.equal(await panel.locator('tr[data-change="removed"]').count(), 0);
  assert.match(await page.getByTestId('schema-diff-summary').innerText(), /1 added · 0 removed · 1 retyped/);
  await panel.scrollIntoViewIfNeeded();
  await docShot(page, 'dataset-schema-diff');
  // The other way round: the column is removed.
  const versions = await panel.getByLabel('Schema From').locator('option').evaluateAll((os) => os.map((o) => o.value).filter((v) => v && v !== 'at'));
  await panel.getByLabel('Schema From').selectOption(versions[0]);
  await panel.getByLabel('Schema To').selectOption(versions[1]);
  await panel.locator('tr[data-change="removed"]').waitFor();
  assert.equal(await panel.locator('tr[data-change="removed"] td').first().innerText(), 'name');
});
