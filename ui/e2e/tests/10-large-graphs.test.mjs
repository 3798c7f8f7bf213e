// Large graphs readable (docs/ui.md, "Large graphs"): platform icons from the namespace scheme, collapsible
// groups by namespace and by layer (kept in the URL), and the canvas overview of a big graph that takes
// over when zoomed out and hands back to the cards when zoomed in (the /__bench page's explorer canvas).
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { artifact, launch, lineageUrl, newPage, shot, url } from '../lib/browser.mjs';

const RESULT = 'dataset:gs://mock-bucket:result.csv';
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

test('cards carry the icon of their platform', async () => {
  await page.goto(lineageUrl(RESULT, '&depth=6'));
  await node(page, RESULT).waitFor();
  await node(page, RESULT).locator('svg[data-platform="gcs"]').waitFor();
  await node(page, 'dataset:bigquery:mock-project.test.upload_cp').locator('svg[data-platform="bigquery"]').waitFor();
  assert.equal(await node(page, RESULT).locator('.platform-icon title').textContent(), 'Google Cloud Storage');
});

test('folds namespaces into groups, opens one, and keeps both in the URL', async () => {
  await page.goto(lineageUrl(RESULT, '&depth=6'));
  await node(page, RESULT).waitFor();
  const before = await page.locator('.react-flow__node').count();
  await page.getByRole('combobox', { name: 'Group' }).selectOption('namespace');
  await page.waitForURL(/group=namespace/);
  const groups = page.locator('.lineage-node.is-group');
  await groups.first().waitFor();
  const after = await page.locator('.react-flow__node').count();
  assert.ok(after < before, `${after} cards grouped from ${before}`);
  // the focus node is never folded
  await node(page, RESULT).waitFor();
  await shot(page, 'explorer-groups');
  const bigquery = page.locator('.lineage-node.is-group[data-group="ns:bigquery"]');
  await bigquery.waitFor();
  assert.match(await bigquery.innerText(), /\d+ datasets/);
  await bigquery.getByRole('button', { name: 'Open group bigquery' }).click();
  await page.waitForURL(/open=ns%3Abigquery/);
  await node(page, 'dataset:bigquery:mock-project.test.upload_cp').waitFor();
  assert.equal(await page.locator('.lineage-node.is-group[data-group="ns:bigquery"]').count(), 0);
  await page.getByRole('button', { name: /^Close 1 group$/ }).click();
  await page.locator('.lineage-node.is-group[data-group="ns:bigquery"]').waitFor();
  await page.getByRole('combobox', { name: 'Group' }).selectOption('layer');
  await page.locator('.lineage-node.is-group[data-group^="layer:"]').first().waitFor();
  assert.match(await page.locator('.lineage-node.is-group[data-group^="layer:"]').first().innerText(), /hops? (up|down)stream/);
});

test('a big graph zoomed out is drawn as the overview and back as cards zoomed in', async () => {
  await page.goto(url('__bench?nodes=2000&edges=4000&renderer=explorer'));
  await page.waitForFunction(() => window.__lineagelensBench?.result, null, { timeout: 60_000 });
  // opens centred on the focus node: cards
  assert.ok((await page.locator('.react-flow__node').count()) > 0);
  assert.equal(await page.locator('[data-overview="1"]').count(), 0);
  await page.evaluate(() => window.__lineagelensBench.fit());
  await page.locator('[data-overview="1"]').waitFor();
  await page.waitForFunction(() => window.__lineagelensOverview?.nodes === 2000);
  assert.equal(await page.locator('.react-flow__node').count(), 0, 'no DOM cards in the overview');
  await page.getByTestId('overview-canvas').waitFor();
  await page.getByText(/Overview of 2,000 nodes/).waitFor();
  await shot(page, 'explorer-overview');
  const panned = await page.evaluate(() => window.__lineagelensBench.panFit(30));
  assert.ok(panned.overview && panned.overviewNodes > 0);
  // zoom back in on the focus node: the cards return
  await page.evaluate(() => window.__lineagelensBench.pan(5, 0.9));
  await page.locator('[data-overview="0"]').waitFor();
  await page.locator('.react-flow__node').first().waitFor();
});
