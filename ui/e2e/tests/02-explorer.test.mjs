// The lineage explorer: upstream of a dataset, expand a node, find a path, the column view, the
// dataset-only and force views, the details drawer, export.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, afterEach, before, test } from 'node:test';
import { artifact, launch, lineageUrl, newPage, shot } from '../lib/browser.mjs';

const RESULT = 'dataset:gs://mock-bucket:result.csv';
const UPLOAD_CP = 'dataset:bigquery:mock-project.test.upload_cp';
const TEST_CSV = 'dataset:gs://mock-bucket:test.csv';
const TBL1 = 'dataset:file:/tmp/cll_test/tbl1';
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

test('opens the explorer for a dataset and shows its upstream', async () => {
  await page.goto(lineageUrl(RESULT));
  await node(page, 'job:airflow:BQ.download').waitFor();
  await node(page, UPLOAD_CP).waitFor();
  assert.equal(await node(page, 'job:airflow:BQ.copy').count(), 0, 'depth 2 stops at upload_cp');
  await shot(page, 'explorer');
});

test('expands a node upstream on demand and keeps it in the URL', async () => {
  await node(page, UPLOAD_CP).hover();
  await node(page, UPLOAD_CP).getByRole('button', { name: 'Expand upstream' }).click();
  await node(page, 'job:airflow:BQ.copy').waitFor();
  await node(page, 'dataset:bigquery:mock-project.test.upload').waitFor();
  assert.match(decodeURIComponent(page.url()), /x=\+u:dataset:bigquery:mock-project\.test\.upload_cp/);
  // A deep link restores the expansion.
  await page.reload();
  await node(page, 'job:airflow:BQ.copy').waitFor();
  await shot(page, 'explorer-expanded');
  // Collapse it again.
  await node(page, UPLOAD_CP).hover();
  await node(page, UPLOAD_CP).getByRole('button', { name: 'Collapse upstream' }).click();
  await node(page, 'job:airflow:BQ.copy').waitFor({ state: 'detached' });
});

test('finds and highlights the path between two picked nodes', async () => {
  await page.goto(lineageUrl(RESULT, '&depth=6'));
  await node(page, TEST_CSV).waitFor();
  await page.getByRole('button', { name: 'Find path' }).click();
  await node(page, TEST_CSV).click();
  await node(page, RESULT).click();
  const panel = page.getByTestId('path-panel');
  await panel.getByText('3 hops').waitFor();
  await panel.getByText('BQ.copy').waitFor();
  assert.match(await node(page, 'job:airflow:BQ.copy').locator('.lineage-node').getAttribute('class'), /is-highlighted/);
  assert.match(await node(page, 'dataset:gs://mock-bucket:copied.csv').locator('.lineage-node').getAttribute('class'), /is-dimmed/);
  await shot(page, 'explorer-path');
});

test('filters to datasets only, searches in the graph and opens the details drawer', async () => {
  await page.goto(lineageUrl(RESULT, '&depth=6'));
  await node(page, TEST_CSV).waitFor();
  await page.getByRole('checkbox', { name: 'Datasets only' }).check();
  await page.waitForFunction(() => document.querySelectorAll('.react-flow__node-job').length === 0);
  // A dataset-only edge names its job while the pointer is on it (docs/ui.md, "Large graphs"), not before.
  const jobLabel = page.locator('.edge-label', { hasText: 'BQ.copy' });
  await page.locator('.react-flow__edge-interaction').first().waitFor({ state: 'attached' });
  assert.equal(await jobLabel.count(), 0);
  const edges = page.locator('.react-flow__edge-interaction');
  for (let i = 0; i < (await edges.count()) && (await jobLabel.count()) === 0; i++) {
    await edges.nth(i).dispatchEvent('mouseover'); // what the pointer entering the edge sends
    await page.waitForTimeout(50);
  }
  await jobLabel.waitFor();
  await page.getByRole('searchbox', { name: 'Find in graph' }).fill('upload_cp');
  await page.getByText('1/1').waitFor();
  await node(page, UPLOAD_CP).click();
  const drawer = page.getByTestId('node-drawer');
  await drawer.getByRole('heading', { name: 'mock-project.test.upload_cp' }).waitFor();
  await drawer.getByRole('heading', { name: 'Schema' }).waitFor();
  await shot(page, 'explorer-dataset-only-drawer');
  assert.match(page.url(), /hideJobs=1/);
  assert.match(page.url(), /sel=/);
});

test('switches to the column view and highlights what a field derives from', async () => {
  await page.goto(lineageUrl(TBL1));
  await node(page, TBL1).waitFor();
  await page.getByRole('button', { name: 'Columns' }).click();
  await page.waitForURL(/view=column/);
  const tbl1 = node(page, TBL1);
  await tbl1.getByRole('button', { name: /ident/ }).waitFor();
  await node(page, 'dataset:file:/tmp/cll_test/cll_source1').getByRole('button', { name: /^a/ }).waitFor();
  await tbl1.getByRole('button', { name: /ident/ }).click();
  await page.locator('.node-field.is-active').first().waitFor();
  await page.locator('.edge-label', { hasText: 'identity' }).first().waitFor();
  await shot(page, 'explorer-columns');
});

test('draws the force-directed view and exports SVG and PNG', async () => {
  await page.goto(lineageUrl(RESULT, '&depth=6&view=force'));
  await page.locator('[data-testid="force-graph"] g.force-node').first().waitFor();
  await page.waitForTimeout(1500);
  await shot(page, 'explorer-force');
  await page.getByText('Export', { exact: true }).click();
  const [svgDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'SVG image' }).click()]);
  assert.match(svgDownload.suggestedFilename(), /\.svg$/);
  const svg = await readFile(await svgDownload.path(), 'utf8');
  assert.match(svg, /<svg/);
  assert.match(svg, /result\.csv/);
  await page.goto(lineageUrl(RESULT));
  await node(page, UPLOAD_CP).waitFor();
  await page.getByText('Export', { exact: true }).click();
  const [pngDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'PNG image' }).click()]);
  assert.match(pngDownload.suggestedFilename(), /\.png$/);
  const png = await readFile(await pngDownload.path());
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  assert.deepEqual(page.errors, []);
});
