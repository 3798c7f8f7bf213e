// The explorer's broken controls (issue 11), each checked the way a person would meet it: Fit after a wheel
// zoom, the namespace filter, hiding jobs or a namespace without losing edges, Find path through nodes the
// view had not loaded, depth changes keeping expansions, the column and graph views showing the same
// datasets, a source's badge after a failed connection test, names wrapping at separators, the duration
// chart with one run and long durations, and the force view's labels and focus node.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, test } from 'node:test';
import { api, artifact, launch, lineageUrl, newPage, shot, url } from '../lib/browser.mjs';

const RESULT = 'dataset:gs://mock-bucket:result.csv';
const UPLOAD_CP = 'dataset:bigquery:mock-project.test.upload_cp';
const TEST_CSV = 'dataset:gs://mock-bucket:test.csv';
const TBL1 = 'dataset:file:/tmp/cll_test/tbl1';
const STAMP = Date.now().toString(36);
const node = (page, id) => page.locator(`.react-flow__node[data-id="${id}"]`);

let browser;
let page;
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

const viewportTransform = () => page.locator('.react-flow__viewport').first().evaluate((el) => el.style.transform);
const counts = () => page.evaluate(() => ({
  nodes: document.querySelectorAll('.react-flow__node').length,
  edges: document.querySelectorAll('.react-flow__edge').length,
  datasets: document.querySelectorAll('.react-flow__node-dataset').length,
  jobs: document.querySelectorAll('.react-flow__node-job').length,
}));
async function settle() {
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(600);
}

async function postRun(job, { state = 'COMPLETE', start, end, inputs = [], outputs = [], facets = {} }) {
  const runId = randomUUID();
  const base = { producer: 'https://e2e.test', schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent', job };
  const events = [
    { ...base, eventType: 'START', eventTime: start, run: { runId, facets: {} }, inputs, outputs },
    { ...base, eventType: state, eventTime: end, run: { runId, facets }, inputs, outputs },
  ];
  for (const event of events) {
    const r = await api('lineage', { method: 'POST', body: JSON.stringify(event), headers: { Prefer: 'wait=projected' } });
    assert.ok(r.status >= 200 && r.status < 300, `POST answered ${r.status}: ${JSON.stringify(r.body)}`);
  }
  return runId;
}

test('Fit brings the graph back after a wheel zoom', async () => {
  await page.goto(lineageUrl(RESULT, '&depth=6'));
  await node(page, TEST_CSV).waitFor();
  await settle();
  const fitted = await viewportTransform();
  const canvas = page.getByTestId('lineage-canvas');
  const box = await canvas.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 4; i++) {
    await page.mouse.wheel(0, -300);
    await page.waitForTimeout(80);
  }
  await page.waitForTimeout(400);
  const zoomed = await viewportTransform();
  assert.notEqual(zoomed, fitted, 'the wheel zoomed in');
  await page.getByRole('button', { name: 'Fit', exact: true }).click();
  await page.waitForFunction((t) => document.querySelector('.react-flow__viewport')?.style.transform === t, fitted, { timeout: 5000 })
    .catch(() => undefined);
  assert.equal(await viewportTransform(), fitted, 'Fit restores the fitted view');
});

test('unticking one namespace hides that namespace, not all the others', async () => {
  await page.goto(lineageUrl(RESULT, '&depth=6'));
  await node(page, TEST_CSV).waitFor();
  await page.getByText(/^Filter/).click();
  const bigquery = page.getByRole('checkbox', { name: 'bigquery', exact: true });
  assert.equal(await bigquery.isChecked(), true);
  await bigquery.uncheck();
  await node(page, UPLOAD_CP).waitFor({ state: 'detached' });
  // the other namespaces stay: the gs:// datasets and the airflow jobs
  await node(page, TEST_CSV).waitFor();
  await node(page, RESULT).waitFor();
  assert.ok((await page.locator('.react-flow__node-job').count()) > 0, 'airflow jobs still shown');
  assert.equal(await bigquery.isChecked(), false);
  assert.equal(await page.getByRole('checkbox', { name: 'airflow', exact: true }).isChecked(), true);
  // ticking it again shows everything (no ns= left in the URL)
  await bigquery.check();
  await node(page, UPLOAD_CP).waitFor();
  assert.doesNotMatch(page.url(), /[?&]ns=/);
});

test('hiding jobs or a namespace keeps the lineage between what is shown', async () => {
  await page.goto(lineageUrl(RESULT, '&depth=6&hideJobs=1'));
  await node(page, TEST_CSV).waitFor();
  await settle();
  const datasetsOnly = await counts();
  assert.ok(datasetsOnly.edges > 0);
  await page.goto(lineageUrl(RESULT, '&depth=6&hide=job'));
  await node(page, TEST_CSV).waitFor();
  await settle();
  const noJobs = await counts();
  assert.equal(noJobs.jobs, 0);
  assert.equal(noJobs.edges, datasetsOnly.edges, `hiding jobs draws ${noJobs.edges} edges, datasets-only ${datasetsOnly.edges}`);
  await page.goto(lineageUrl(RESULT, '&depth=6&ns=gs://mock-bucket&ns=airflow'));
  await node(page, TEST_CSV).waitFor();
  await settle();
  const noBigquery = await counts();
  assert.equal(await node(page, UPLOAD_CP).count(), 0);
  assert.ok(noBigquery.edges >= noBigquery.nodes - 1, `${noBigquery.nodes} nodes stay connected (${noBigquery.edges} edges)`);
  await shot(page, 'explorer-namespace-hidden');
});

test('Find path draws every node of the path, and says what filters hide', async () => {
  // depth 1: the path test.csv → … → result.csv runs through nodes this view has not loaded
  await page.goto(lineageUrl(RESULT, `&depth=1&from=${encodeURIComponent(TEST_CSV)}&to=${encodeURIComponent(RESULT)}`));
  const panel = page.getByTestId('path-panel');
  await panel.getByText('3 hops').waitFor();
  const ids = await page.evaluate(async ([from, to]) => {
    const r = await fetch(`api/v1/lineage/path?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    return (await r.json()).paths[0].nodes;
  }, [TEST_CSV, RESULT]);
  for (const id of ids) {
    await node(page, id).waitFor();
    assert.match(await node(page, id).locator('.lineage-node').getAttribute('class'), /is-highlighted/, `${id} highlighted`);
  }
  assert.equal(await panel.getByTestId('path-not-drawn').count(), 0);
  await shot(page, 'explorer-path-fetched');
  // with jobs hidden the panel says which hops are folded into edges
  await page.goto(lineageUrl(RESULT, `&depth=6&hide=job&from=${encodeURIComponent(TEST_CSV)}&to=${encodeURIComponent(RESULT)}`));
  await panel.getByText('3 hops').waitFor();
  const notice = panel.getByTestId('path-not-drawn');
  await notice.getByText(/hidden by the filters/).waitFor();
  assert.match(await notice.textContent(), /BQ\.copy/);
  await notice.getByRole('button', { name: 'Show every node' }).click();
  await node(page, 'job:airflow:BQ.copy').waitFor();
  await notice.waitFor({ state: 'detached' });
});

test('changing the depth keeps expansions', async () => {
  await page.goto(lineageUrl(RESULT));
  await node(page, UPLOAD_CP).waitFor();
  await node(page, UPLOAD_CP).hover();
  await node(page, UPLOAD_CP).getByRole('button', { name: 'Expand upstream' }).click();
  await node(page, 'job:airflow:BQ.copy').waitFor();
  await page.getByRole('combobox', { name: 'Depth' }).selectOption('3');
  await page.waitForURL(/depth=3/);
  assert.match(decodeURIComponent(page.url()), /x=\+u:/, 'the expansion stays in the URL');
  await settle();
  await node(page, 'job:airflow:BQ.copy').waitFor();
  await node(page, 'dataset:bigquery:mock-project.test.upload').waitFor();
});

test('the column view shows the datasets the graph view shows', async () => {
  for (const depth of [1, 2, 4]) {
    await page.goto(lineageUrl(TBL1, `&depth=${depth}`));
    await node(page, TBL1).waitFor();
    await settle();
    const graphView = await counts();
    await page.getByRole('button', { name: 'Columns' }).click();
    await page.waitForURL(/view=column/);
    await node(page, TBL1).getByRole('button', { name: /ident/ }).waitFor();
    await settle();
    const columnView = await counts();
    assert.equal(columnView.datasets, graphView.datasets, `depth ${depth}: column view ${columnView.datasets} datasets, graph view ${graphView.datasets}`);
    const stats = await page.locator('.explorer-stats').textContent();
    assert.match(stats, new RegExp(`^${graphView.datasets} datasets`));
  }
});

test("a source's badge turns unhealthy right after a failed connection test", async () => {
  const source = await api('sources', { method: 'POST', body: JSON.stringify({ kind: 'filesystem', name: `E2E files ${STAMP}`, config: { scheme: 'file', path: '/data' } }) });
  assert.equal(source.status, 201, JSON.stringify(source.body));
  const created = await api('dashboards', { method: 'POST', body: JSON.stringify({
    name: `Badge ${STAMP}`, viewport: { x: 0, y: 0, zoom: 1 },
    nodes: [{ id: 'n-src', ref: { kind: 'source', id: source.body.id }, position: { x: 120, y: 120 }, note: null }], edges: [],
  }) });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await page.goto(url(`dashboards/${encodeURIComponent(created.body.id)}`));
  const card = page.locator('.react-flow__node[data-id="n-src"] .lineage-node');
  await card.waitFor();
  await page.locator('[data-testid="live-indicator"][data-state="connected"]').waitFor({ timeout: 10_000 });
  await card.click();
  const inspector = page.getByTestId('inspector');
  assert.match(await inspector.getByTestId('source-state').textContent(), /^unknown/);
  await inspector.getByRole('button', { name: 'Test connection' }).click();
  await inspector.getByText(/^Failed:/).waitFor();
  // the inspector's badge and the card follow the recorded result, without a reload
  await page.waitForFunction(() => /^failing/.test(document.querySelector('[data-testid="source-state"]')?.textContent ?? ''), null, { timeout: 5000 });
  await card.locator('[data-testid="node-health"]', { hasText: 'unhealthy' }).waitFor({ timeout: 5000 });
  assert.equal(await card.getAttribute('data-status'), 'failing');
});

test('long job names wrap at their separators, not inside words', async (t) => {
  const name = `warehouse_nightly_refresh.transform_customer_orders_aggregation_${STAMP}.load_reporting_tables`;
  await postRun({ namespace: 'e2e-fixes', name }, { start: '2024-05-01T10:00:00Z', end: '2024-05-01T10:00:12Z' });
  const narrow = await newPage(browser, { width: 420, height: 800 });
  try {
    await narrow.goto(url(`jobs/e2e-fixes/${encodeURIComponent(name)}`));
    const h1 = narrow.locator('h1').first();
    await h1.waitFor();
    const breaks = await h1.evaluate((el) => {
      const target = el.querySelector('.name-text') ?? el;
      const text = target.textContent;
      const walker = document.createTreeWalker(target, NodeFilter.SHOW_TEXT);
      const chars = [];
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        for (let i = 0; i < n.textContent.length; i++) {
          const r = document.createRange();
          r.setStart(n, i);
          r.setEnd(n, i + 1);
          chars.push(r.getBoundingClientRect().top);
        }
      }
      const out = [];
      for (let i = 1; i < chars.length; i++) if (chars[i] - chars[i - 1] > 4) out.push([text[i - 1], text[i]]);
      return out;
    });
    assert.ok(breaks.length > 0, 'the name wraps at 420 px');
    t.diagnostic(`line breaks: ${breaks.map((b) => b.join('|')).join('  ')}`);
    for (const [before, afterChar] of breaks) assert.match(before, /[._/:-]/, `breaks after "${before}", before "${afterChar}"`);
    await narrow.screenshot({ path: new URL('../screenshots/job-long-name.png', import.meta.url).pathname });
  } finally {
    await narrow.context().close();
  }
});

test('the duration chart keeps its labels inside and draws no time axis for one run', async () => {
  const one = `single_run_${STAMP}`;
  await postRun({ namespace: 'e2e-fixes', name: one }, { start: '2024-05-01T10:00:00Z', end: '2024-05-01T10:00:12Z' });
  await page.goto(url(`jobs/e2e-fixes/${one}`));
  const chart = page.getByTestId('duration-chart');
  await chart.locator('svg').waitFor();
  await chart.getByTestId('chart-single').waitFor();
  assert.equal(await chart.locator('text.chart-tick:not([data-testid="chart-single"])').filter({ hasText: /:\d\d/ }).count(), 0, 'no clock-time ticks for one run');
  const long = `long_runs_${STAMP}`;
  for (const [start, end] of [['2024-05-01T10:00:00Z', '2024-05-01T11:35:00Z'], ['2024-05-03T10:00:00Z', '2024-05-03T12:05:00Z'], ['2024-05-05T10:00:00Z', '2024-05-05T10:40:00Z']]) {
    await postRun({ namespace: 'e2e-fixes', name: long }, { start, end });
  }
  await page.goto(url(`jobs/e2e-fixes/${long}`));
  await chart.locator('circle').nth(2).waitFor();
  const outside = await chart.locator('svg').evaluate((svg) => {
    const box = svg.getBoundingClientRect();
    return [...svg.querySelectorAll('text')].map((t) => ({ text: t.textContent, r: t.getBoundingClientRect() }))
      .filter(({ r }) => r.left < box.left - 0.5 || r.right > box.right + 0.5).map(({ text }) => text);
  });
  assert.deepEqual(outside, [], 'every label inside the chart');
  await shot(page, 'job-duration-chart');
});

test('the force view marks the focus node and its labels do not overlap', async () => {
  await page.goto(lineageUrl(RESULT, '&depth=20&view=force'));
  const svg = page.getByTestId('force-graph');
  await svg.locator('g.force-node').first().waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="force-graph"]')?.dataset.settled === '1', null, { timeout: 20_000 });
  await page.waitForTimeout(300);
  const root = svg.locator(`g.force-node[data-node-id="${RESULT}"]`);
  assert.equal(await root.getAttribute('aria-current'), 'true');
  assert.match(await root.getAttribute('class'), /is-root/);
  const overlaps = await svg.evaluate((el) => {
    const boxes = [...el.querySelectorAll('g.force-node text')].filter((t) => t.getAttribute('display') !== 'none')
      .map((t) => ({ text: t.textContent, r: t.getBoundingClientRect() })).filter(({ r }) => r.width > 0);
    const out = [];
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i].r, b = boxes[j].r;
        if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) out.push(`${boxes[i].text} / ${boxes[j].text}`);
      }
    }
    return out;
  });
  assert.deepEqual(overlaps, []);
  await shot(page, 'explorer-force-labels');
});
