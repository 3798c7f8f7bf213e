// The health overlay (explorer and dashboards), impact analysis, the run page and the browse pages
// (issue 11), against a small failing pipeline posted by the test:
//   raw → extract → clean → report (FAILS) → report_out → publish → final,   slow (late: past its p95) → slow_out
// Screenshots of these screens go to docs/img/ (small PNGs, linked from docs/ui.md) when
// LINEAGELENS_E2E_DOC_SHOTS=1, so an ordinary run leaves the tracked images alone.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { api, artifact, launch, lineageUrl, newPage, url } from '../lib/browser.mjs';

const STAMP = Date.now().toString(36);
const NS = `e2e-health-${STAMP}`;
const id = (kind, name) => `${kind}:${NS}:${name}`;
const RAW = id('dataset', 'raw'), CLEAN = id('dataset', 'clean'), REPORT_OUT = id('dataset', 'report_out'), FINAL = id('dataset', 'final');
const EXTRACT = id('job', 'extract'), REPORT = id('job', 'report'), PUBLISH = id('job', 'publish'), SLOW = id('job', 'slow');
const SLOW_OUT = id('dataset', 'slow_out');
const DOC_IMG = resolve(import.meta.dirname, '..', '..', '..', 'docs', 'img');
mkdirSync(DOC_IMG, { recursive: true });
const node = (page, nodeId) => page.locator(`.react-flow__node[data-id="${nodeId}"]`);
const card = (page, nodeId) => node(page, nodeId).locator('.lineage-node');

let browser;
let page;
let failedRun;

const base = { producer: 'https://e2e.test', schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent' };
const ds = (name) => ({ namespace: NS, name });
async function post(event) {
  const r = await api('lineage', { method: 'POST', body: JSON.stringify({ ...base, ...event }), headers: { Prefer: 'wait=projected' } });
  assert.ok(r.status >= 200 && r.status < 300, `POST answered ${r.status}: ${JSON.stringify(r.body)}`);
}
async function run(job, inputs, outputs, { state = 'COMPLETE', start = '2024-06-01T10:00:00Z', end = '2024-06-01T10:00:10Z', runFacets = {}, jobFacets = {} } = {}) {
  const runId = randomUUID();
  const common = { job: { namespace: NS, name: job, facets: jobFacets }, inputs: inputs.map(ds), outputs: outputs.map(ds) };
  await post({ ...common, eventType: 'START', eventTime: start, run: { runId, facets: {} } });
  await post({ ...common, eventType: state, eventTime: end, run: { runId, facets: runFacets } });
  return runId;
}
async function docShot(p, name) {
  if (process.env.LINEAGELENS_E2E_DOC_SHOTS !== '1') return;
  await p.waitForTimeout(300);
  await p.screenshot({ path: resolve(DOC_IMG, `${name}.png`) });
}

before(async () => {
  browser = await launch();
  page = await newPage(browser, { width: 1280, height: 760 });
  const owner = { ownership: { _producer: 'https://e2e.test', _schemaURL: 'https://openlineage.io/spec/facets/1-0-1/OwnershipJobFacet.json', owners: [{ name: 'team:reporting', type: 'TEAM' }] } };
  await run('extract', ['raw'], ['clean']);
  await run('publish', ['report_out'], ['final'], { start: '2024-06-01T09:00:00Z', end: '2024-06-01T09:00:05Z' });
  await run('report', ['clean'], ['report_out'], { start: '2024-06-01T08:00:00Z', end: '2024-06-01T08:00:20Z', jobFacets: owner });
  failedRun = await run('report', ['clean'], ['report_out'], {
    state: 'FAIL', start: '2024-06-02T08:00:00Z', end: '2024-06-02T08:01:00Z', jobFacets: owner,
    runFacets: { errorMessage: { _producer: 'https://e2e.test', _schemaURL: 'https://openlineage.io/spec/facets/1-0-0/ErrorMessageRunFacet.json', message: `division by zero ${STAMP}`, programmingLanguage: 'python', stackTrace: 'Traceback (most recent call last):\n  File "report.py", line 12, in <module>\nZeroDivisionError: division by zero' } },
  });
  // slow: three runs of ~10 s, then one of 10 min — late against its p95
  for (const day of ['03', '04', '05']) await run('slow', ['raw'], ['slow_out'], { start: `2024-06-${day}T10:00:00Z`, end: `2024-06-${day}T10:00:10Z` });
  await run('slow', ['raw'], ['slow_out'], { start: '2024-06-06T10:00:00Z', end: '2024-06-06T10:10:00Z' });
});
afterEach(async (t) => {
  await artifact(page, t.name);
});
after(async () => {
  await browser?.close();
});

test('the explorer colours jobs by their last run, flags what failed or late runs wrote, and shows what a failure broke', async () => {
  await page.goto(lineageUrl(RAW, '&depth=10'));
  await node(page, FINAL).waitFor();
  await page.waitForFunction((jid) => document.querySelector(`.react-flow__node[data-id="${CSS.escape(jid)}"] .lineage-node`)?.getAttribute('data-status') === 'failing', REPORT);
  assert.equal(await card(page, REPORT_OUT).getAttribute('data-status'), 'failing', 'the failed run wrote report_out');
  assert.match(await card(page, REPORT_OUT).getAttribute('title'), /written by a failed run of report/);
  await page.waitForFunction((jid) => document.querySelector(`.react-flow__node[data-id="${CSS.escape(jid)}"] .lineage-node`)?.getAttribute('data-status') === 'late', SLOW);
  assert.equal(await card(page, SLOW_OUT).getAttribute('data-status'), 'late');
  assert.equal(await card(page, EXTRACT).getAttribute('data-status'), 'ok');
  const bar = page.getByTestId('health-bar');
  await bar.getByText(/failed or late in view/).waitFor();
  await bar.getByRole('button', { name: 'What did this break?' }).click();
  await bar.getByTestId('blast-summary').waitFor();
  for (const downstream of [REPORT_OUT, PUBLISH, FINAL, SLOW_OUT]) assert.match(await card(page, downstream).getAttribute('class'), /is-highlighted/, `${downstream} highlighted`);
  assert.match(await card(page, EXTRACT).getAttribute('class'), /is-dimmed/);
  assert.match(page.url(), /blast=/);
  await docShot(page, 'health-overlay');
  // from one failure: the drawer's button
  await page.goto(lineageUrl(RAW, `&depth=10&sel=${encodeURIComponent(REPORT)}`));
  const drawer = page.getByTestId('node-drawer');
  await drawer.getByTestId('drawer-health').getByText(`division by zero ${STAMP}`).waitFor();
  await drawer.getByRole('button', { name: 'What did this break?' }).click();
  await page.getByTestId('blast-summary').getByText(/3 nodes downstream of report/).waitFor();
  assert.doesNotMatch(await card(page, SLOW_OUT).getAttribute('class'), /is-highlighted/);
});

test('the impact table lists what the API lists downstream, filters, sorts and exports CSV', async () => {
  await page.goto(lineageUrl(RAW, `&depth=10&sel=${encodeURIComponent(RAW)}`));
  await page.getByTestId('node-drawer').getByRole('button', { name: 'Impact analysis' }).click();
  const panel = page.getByTestId('impact-panel');
  await panel.getByTestId('impact-count').waitFor();
  const downstream = await api(`lineage/downstream?nodeId=${encodeURIComponent(RAW)}&depth=20`);
  const expected = downstream.body.graph.map((n) => n.id).filter((n) => n !== RAW).sort();
  const rows = async () => panel.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.rowId));
  assert.deepEqual((await rows()).sort(), expected);
  assert.match(await panel.getByTestId('impact-count').textContent(), new RegExp(`^${expected.length} downstream nodes`));
  // degree order first; the failed job shows its state and owner
  const reportRow = panel.locator(`tr[data-row-id="${REPORT}"]`);
  assert.match(await reportRow.textContent(), /failed/);
  assert.match(await reportRow.textContent(), /team:reporting/);
  await docShot(page, 'impact-table');
  // filter by owner, then by state
  await panel.getByRole('searchbox', { name: 'Filter impact rows' }).fill('team:reporting');
  assert.deepEqual(await rows(), [REPORT]);
  await panel.getByRole('searchbox', { name: 'Filter impact rows' }).fill('');
  await panel.getByRole('combobox', { name: 'Last run state' }).selectOption('FAILED');
  assert.deepEqual((await rows()).sort(), [REPORT, REPORT_OUT].sort(), 'the failed job and the dataset its run wrote');
  await panel.getByRole('combobox', { name: 'Last run state' }).selectOption('');
  // sort by name, descending
  await panel.getByRole('button', { name: /^Name(\s|$)/ }).click();
  await panel.getByRole('button', { name: /^Name(\s|$)/ }).click();
  const names = await panel.locator('tbody tr td:nth-child(4)').allTextContents();
  assert.deepEqual(names, [...names].sort((a, b) => b.toLowerCase().localeCompare(a.toLowerCase())));
  // CSV: the same rows
  const [download] = await Promise.all([page.waitForEvent('download'), panel.getByTestId('impact-csv').click()]);
  const csv = readFileSync(await download.path(), 'utf8').trim().split('\n');
  assert.equal(csv[0].split(',')[0], 'degree');
  assert.deepEqual(csv.slice(1).map((line) => line.split(',').pop()).sort(), expected);
  // upstream of the last dataset
  await panel.getByRole('button', { name: 'Upstream' }).click();
  await page.waitForURL(/idir=upstream/);
});

test('the run page shows the error first, the timeline, p50/p95 and links; run ids are links', async () => {
  await page.goto(url(`jobs/${encodeURIComponent(NS)}/report`));
  const link = page.getByTestId('run-list').locator(`a[href$="/runs/${failedRun}"]`);
  await link.click();
  await page.waitForURL(new RegExp(`/runs/${failedRun}$`));
  const runPage = page.getByTestId('run-page');
  const error = runPage.getByTestId('run-error');
  await error.getByText(`division by zero ${STAMP}`).waitFor();
  await error.getByText(/ZeroDivisionError/).first().waitFor();
  // the error comes before everything else on the page
  const order = await runPage.evaluate((el) => [...el.querySelectorAll('section.card h2')].map((h) => h.textContent));
  assert.equal(order[0], 'Error');
  assert.deepEqual(await runPage.getByTestId('run-timeline').locator('.timeline-type').allTextContents(), ['START', 'FAIL']);
  assert.match(await runPage.getByTestId('run-duration').textContent(), /1 min/);
  assert.match(await runPage.getByTestId('job-percentiles').textContent(), /20 s \/ 20 s \(1 runs\)/);
  await runPage.getByRole('link', { name: 'report_out' }).waitFor();
  await docShot(page, 'run-page');
  // an Airflow task run: its parent DAG run and the task log
  const events = (await api('events/lineage?limit=1000')).body.events;
  const task = events.find((e) => e.run?.facets?.airflow?.taskInstance?.log_url && e.run?.facets?.parent);
  await page.goto(url(`runs/${task.run.runId}`));
  assert.equal(await runPage.getByTestId('orchestrator-link').getAttribute('href'), task.run.facets.airflow.taskInstance.log_url);
  await runPage.getByTestId('run-family').getByText('Parent').waitFor();
  await runPage.getByTestId('run-family').locator(`a[href$="/runs/${task.run.facets.parent.run.runId}"]`).click();
  await page.waitForURL(new RegExp(`/runs/${task.run.facets.parent.run.runId}$`));
  await runPage.getByTestId('run-family').getByText('Children').waitFor();
});

test('browse pages filter by facets, sort and page', async () => {
  // 55 datasets in one namespace: two pages of 50
  await post({ eventType: 'COMPLETE', eventTime: '2024-06-07T10:00:00Z', run: { runId: randomUUID(), facets: {} },
    job: { namespace: `${NS}-many`, name: 'fanout', facets: {} }, inputs: [], outputs: Array.from({ length: 55 }, (_, i) => ({ namespace: `${NS}-many`, name: `part_${String(i).padStart(2, '0')}` })) });
  await page.goto(url(`browse/datasets?namespace=${encodeURIComponent(`${NS}-many`)}`));
  const table = page.getByTestId('browse-table');
  await page.getByTestId('browse-count').getByText(/^55 datasets · page 1 of 2/).waitFor();
  assert.equal(await table.locator('tbody tr').count(), 50);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.waitForURL(/page=2/);
  await page.getByTestId('browse-count').getByText(/page 2 of 2/).waitFor();
  assert.equal(await table.locator('tbody tr').count(), 5);
  // sort by name descending: part_54 first
  await page.goto(url(`browse/datasets?namespace=${encodeURIComponent(`${NS}-many`)}`));
  await table.getByRole('button', { name: /^Name(\s|$)/ }).click();
  await page.waitForURL(/order=desc/);
  await table.locator('tbody tr').first().getByText('part_54').waitFor();
  // jobs: the state facet narrows to the failed one, with its counts
  await page.goto(url(`browse/jobs?namespace=${encodeURIComponent(NS)}`));
  await page.getByTestId('browse-count').getByText(/^4 jobs/).waitFor();
  const stateFacet = page.locator('fieldset[data-facet="state"]');
  assert.match(await stateFacet.textContent(), /failed\s*1/);
  await stateFacet.getByRole('checkbox', { name: /failed/ }).check();
  await page.waitForURL(/state=FAILED/);
  await page.getByTestId('browse-count').getByText(/^1 jobs/).waitFor();
  await table.locator(`tr[data-item-id="${REPORT}"]`).waitFor();
  await page.locator('fieldset[data-facet="owner"]').getByText('team:reporting').waitFor();
  await docShot(page, 'browse-jobs');
  // search results carry facets linking into browse
  await page.goto(url(`search?q=${encodeURIComponent(NS)}`));
  const facets = page.getByTestId('search-facets');
  await facets.getByRole('link', { name: /jobs/ }).first().waitFor();
  await facets.getByRole('link', { name: /failed/ }).first().click();
  await page.waitForURL(/\/browse\/(datasets|jobs)\?.*state=FAILED/);
});

test('a dashboard shows the same overlay and what a failure broke', async () => {
  const created = await api('dashboards', { method: 'POST', body: JSON.stringify({
    name: `Health ${STAMP}`, viewport: { x: 0, y: 0, zoom: 0.8 },
    nodes: [
      { id: 'n-clean', ref: { kind: 'dataset', id: CLEAN }, position: { x: 0, y: 80 }, note: null },
      { id: 'n-report', ref: { kind: 'job', id: REPORT }, position: { x: 320, y: 80 }, note: null },
      { id: 'n-out', ref: { kind: 'dataset', id: REPORT_OUT }, position: { x: 640, y: 80 }, note: null },
      { id: 'n-final', ref: { kind: 'dataset', id: FINAL }, position: { x: 960, y: 80 }, note: null },
      { id: 'n-slow', ref: { kind: 'job', id: SLOW }, position: { x: 320, y: 260 }, note: null },
    ],
    edges: [{ id: 'e1', source: 'n-clean', target: 'n-report', note: null }, { id: 'e2', source: 'n-report', target: 'n-out', note: null },
      { id: 'e3', source: 'n-out', target: 'n-final', note: null }],
  }) });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await page.goto(url(`dashboards/${encodeURIComponent(created.body.id)}`));
  const dcard = (nid) => page.locator(`.react-flow__node[data-id="${nid}"] .lineage-node`);
  await page.waitForFunction(() => document.querySelector('.react-flow__node[data-id="n-report"] .lineage-node')?.getAttribute('data-status') === 'failing', null, { timeout: 15_000 });
  await page.waitForFunction(() => document.querySelector('.react-flow__node[data-id="n-out"] .lineage-node')?.getAttribute('data-status') === 'failing');
  await page.waitForFunction(() => document.querySelector('.react-flow__node[data-id="n-slow"] .lineage-node')?.getAttribute('data-status') === 'late');
  await dcard('n-report').click();
  await page.getByTestId('inspector-health').getByRole('button', { name: 'What did this break?' }).click();
  await page.getByTestId('blast-summary').getByText(/2 nodes downstream/).waitFor();
  assert.match(await dcard('n-final').getAttribute('class'), /is-highlighted/);
  assert.match(await dcard('n-clean').getAttribute('class'), /is-dimmed/);
  await docShot(page, 'dashboard-health');
});
