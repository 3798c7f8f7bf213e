// Live status (needs the receiver's /ws streams): a node turns red in the explorer and on a dashboard
// within a second of a FAIL event being posted, without a reload; the header says "Live"; home's
// "Running now" and "Recent failures" panels and the job page's run list follow runs as they happen.
// With no stream on the server these tests fail (the indicator never says connected), never skip.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, test } from 'node:test';
import { api, artifact, launch, lineageUrl, newPage, shot, url } from '../lib/browser.mjs';

const STAMP = Date.now().toString(36);
const NS = 'e2e-live';
const JOB = `load_${STAMP}`;
const JOB_ID = `job:${NS}:${JOB}`;
const RAW = `dataset:${NS}:raw_${STAMP}`;
const OUT = `dataset:${NS}:orders_${STAMP}`;
const LIVE_WITHIN_MS = 1000;

let browser;
let page;
before(async () => {
  browser = await launch();
  page = await newPage(browser);
  // The job exists with one completed run before any page opens.
  const runId = randomUUID();
  await post('START', runId);
  await post('COMPLETE', runId, { wait: true });
});
afterEach(async (t) => {
  await artifact(page, t.name);
});
after(async () => {
  await browser?.close();
});

/** Post one OpenLineage event for the test job (admin key); `wait` reads its own write. */
async function post(eventType, runId, { error = null, wait = false, job = JOB } = {}) {
  const facets = error ? { errorMessage: { _producer: 'https://e2e.test', _schemaURL: 'https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet', message: error, programmingLanguage: 'python' } } : {};
  const event = {
    eventType, eventTime: new Date().toISOString(), producer: 'https://e2e.test', schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
    run: { runId, facets }, job: { namespace: NS, name: job },
    inputs: [{ namespace: NS, name: `raw_${STAMP}` }], outputs: [{ namespace: NS, name: `orders_${STAMP}` }],
  };
  const r = await api('lineage', { method: 'POST', body: JSON.stringify(event), headers: wait ? { Prefer: 'wait=projected' } : {} });
  assert.ok(r.status >= 200 && r.status < 300, `POST ${eventType} answered ${r.status}: ${JSON.stringify(r.body)}`);
}

async function waitConnected() {
  await page.locator('[data-testid="live-indicator"][data-state="connected"]').waitFor({ timeout: 10_000 });
}

/** Post, then wait for `predicate` in the page: how long it took from the POST, in ms. */
async function timeUntil(postIt, predicate, arg) {
  const started = Date.now();
  await postIt();
  await page.waitForFunction(predicate, arg, { timeout: 10_000, polling: 'raf' });
  return Date.now() - started;
}

/** In the page: does the card of node `id` show `status` (data-status of its .lineage-node)? */
const cardIs = ([id, status]) => document.querySelector(`.react-flow__node[data-id="${CSS.escape(id)}"] .lineage-node`)?.getAttribute('data-status') === status;

test('the explorer shows run state live: running pulses, a failure turns the node red with its error', async (t) => {
  await page.goto(lineageUrl(JOB_ID));
  await page.locator(`.react-flow__node[data-id="${JOB_ID}"]`).waitFor();
  await waitConnected();
  // The snapshot: the completed run, with its duration on the card.
  await page.waitForFunction(cardIs, [JOB_ID, 'ok']);
  const runId = randomUUID();
  const runningMs = await timeUntil(() => post('START', runId), cardIs, [JOB_ID, 'running']);
  const card = page.locator(`.react-flow__node[data-id="${JOB_ID}"] .lineage-node`);
  assert.match(await card.getAttribute('class'), /live-running/);
  const failMs = await timeUntil(() => post('FAIL', runId, { error: `division by zero ${STAMP}` }),
    cardIs, [JOB_ID, 'failing']);
  t.diagnostic(`explorer: running ${runningMs} ms, red ${failMs} ms after the POST`);
  assert.ok(failMs < LIVE_WITHIN_MS, `the node turned red ${failMs} ms after the FAIL was posted (running took ${runningMs} ms)`);
  assert.match(await card.getAttribute('class'), /live-failing/);
  assert.match(await card.getAttribute('title'), new RegExp(`division by zero ${STAMP}`));
  // The dataset the failed run wrote is flagged too.
  await page.waitForFunction(cardIs, [OUT, 'failing']);
  assert.equal(await page.locator('[data-testid="live-indicator"]').getAttribute('data-state'), 'connected');
  await shot(page, 'live-explorer-failed');
});

test('offline: the indicator says so and statuses turn grey; back online, live again', async () => {
  await page.context().setOffline(true);
  await page.locator('[data-testid="live-indicator"][data-state="offline"]').waitFor();
  await page.waitForFunction(cardIs, [JOB_ID, 'stale']);
  await shot(page, 'live-explorer-offline');
  await page.context().setOffline(false);
  await waitConnected();
  await page.waitForFunction(cardIs, [JOB_ID, 'failing']);
  // Still live after the outage: a new run shows up.
  await timeUntil(() => post('START', randomUUID()), cardIs, [JOB_ID, 'running']);
});

test('a dashboard node turns red within a second of a FAIL, without a reload', async (t) => {
  const created = await api('dashboards', { method: 'POST', body: JSON.stringify({
    name: `Live ${STAMP}`, viewport: { x: 0, y: 0, zoom: 1 },
    nodes: [
      { id: 'n-job', ref: { kind: 'job', id: JOB_ID }, position: { x: 80, y: 120 }, note: null },
      { id: 'n-out', ref: { kind: 'dataset', id: OUT }, position: { x: 420, y: 120 }, note: null },
      { id: 'n-raw', ref: { kind: 'dataset', id: RAW }, position: { x: -260, y: 120 }, note: null },
    ],
    edges: [{ id: 'e1', source: 'n-raw', target: 'n-job', note: null }, { id: 'e2', source: 'n-job', target: 'n-out', note: null }],
  }) });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await page.goto(url(`dashboards/${encodeURIComponent(created.body.id)}`));
  await page.locator('.react-flow__node[data-id="n-job"]').waitFor();
  await waitConnected();
  // The snapshot arrived: the job card shows its last run live.
  await page.locator('.react-flow__node[data-id="n-job"] .lineage-node[class*="live-"]').waitFor();
  const runId = randomUUID();
  await post('START', runId);
  await page.waitForFunction(cardIs, ['n-job', 'running']);
  const loadsBefore = await page.evaluate(() => performance.getEntriesByType('navigation').length + performance.timeOrigin);
  const failMs = await timeUntil(() => post('FAIL', runId, { error: `dashboard failure ${STAMP}` }),
    cardIs, ['n-job', 'failing']);
  t.diagnostic(`dashboard: red ${failMs} ms after the POST`);
  assert.ok(failMs < LIVE_WITHIN_MS, `the dashboard node turned red ${failMs} ms after the FAIL was posted`);
  assert.equal(await page.evaluate(() => performance.getEntriesByType('navigation').length + performance.timeOrigin), loadsBefore, 'no reload');
  const card = page.locator('.react-flow__node[data-id="n-job"] .lineage-node');
  assert.match(await card.getAttribute('title'), new RegExp(`dashboard failure ${STAMP}`));
  await card.locator('[data-testid="node-metric"]').waitFor();
  // A chosen metric: the rows of the last run (none reported here) → nothing; duration → a value.
  await card.click();
  await page.getByTestId('inspector').getByLabel('Show on the card').selectOption('duration');
  await page.waitForFunction(() => /\d/.test(document.querySelector('.react-flow__node[data-id="n-job"] [data-testid="node-metric"]')?.textContent ?? ''));
  assert.equal(await page.locator('.react-flow__edge').count(), 2);
  await shot(page, 'live-dashboard-failed');
});

test('home: running now and recent failures update live; a failure raises a toast', async () => {
  await page.goto(url(''));
  await waitConnected();
  await page.getByTestId('running-now').locator('table, .live-panel-empty').first().waitFor();
  const runId = randomUUID();
  await timeUntil(() => post('START', runId), (id) => Boolean(document.querySelector(`[data-testid="running-now"] tr[data-job-id="${CSS.escape(id)}"]`)), JOB_ID);
  await timeUntil(() => post('FAIL', runId, { error: `home failure ${STAMP}` }),
    (id) => Boolean(document.querySelector(`[data-testid="recent-failures"] tr[data-job-id="${CSS.escape(id)}"]`)), JOB_ID);
  await page.locator('.toast', { hasText: `home failure ${STAMP}` }).waitFor({ timeout: 2000 });
  assert.equal(await page.locator(`[data-testid="running-now"] tr[data-job-id="${JOB_ID}"]`).count(), 0);
  await shot(page, 'live-home');
});

test('the job page lists a new run and its duration without a reload', async () => {
  await page.goto(url(`jobs/${encodeURIComponent(NS)}/${encodeURIComponent(JOB)}`));
  await page.getByTestId('run-list').waitFor();
  await waitConnected();
  const runId = randomUUID();
  await post('START', runId);
  await page.locator(`[data-testid="run-list"] tr[data-run-id="${runId}"]`).waitFor({ timeout: 3000 });
  await post('COMPLETE', runId);
  await page.waitForFunction((id) => /completed/i.test(document.querySelector(`[data-testid="run-list"] tr[data-run-id="${id}"]`)?.textContent ?? ''), runId, { timeout: 3000 });
  await page.locator('[data-testid="job-state"]', { hasText: 'completed' }).waitFor();
  assert.deepEqual(page.errors.filter((e) => !/WebSocket/.test(e)), []);
});
