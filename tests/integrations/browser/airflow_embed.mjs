// Drives Debian's Chromium (playwright-core from ui/node_modules) through LineageLens inside a real Airflow
// api-server: the DAG tab, the nav page, and a browser that cannot reach the receiver. Run by
// tests/integrations/test_airflow_embed.py with its settings in LL_EMBED (JSON); prints one JSON report on
// stdout and exits 1 with the reason when a check fails. Screenshots go to ui/e2e/screenshots/airflow-*.png.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const require = createRequire(join(ROOT, 'ui', 'package.json'));
const { chromium } = require('playwright-core');
const cfg = JSON.parse(process.env.LL_EMBED ?? '{}');
const SHOTS = join(ROOT, 'ui', 'e2e', 'screenshots');
mkdirSync(SHOTS, { recursive: true });
const report = { checks: [] };
const check = (name, detail = '') => report.checks.push(detail ? `${name}: ${detail}` : name);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});

async function newPage({ blockReceiver = false } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  await context.addCookies([{ name: '_token', value: cfg.token, url: cfg.airflow }]);
  if (blockReceiver) await context.route(`${cfg.receiver}/**`, (route) => route.abort('connectionrefused'));
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.popups = 0;
  page.messages = [];
  page.on('popup', () => { page.popups += 1; });
  page.on('console', (msg) => page.messages.push(msg.text()));
  return page;
}

/** The Airflow iframe of a plugin view, the plugin page's UI frame inside it. */
const outer = (page, title) => page.frameLocator(`iframe[title="${title}"]`);
const inner = (page, title) => outer(page, title).frameLocator('#ll-frame');
/** The plugin page's layout: the UI frame's height, the window's, whether the page scrolls. */
const layoutOf = (plugin) => plugin.locator('#ll-frame').evaluate((el) => ({
  uiFrame: el.getBoundingClientRect().height,
  view: window.innerHeight,
  scrolls: document.documentElement.scrollHeight > document.documentElement.clientHeight,
}));

try {
  // ---- 1. The DAG tab: the DAG's lineage graph, live colours, links that stay in the frame --------------
  const page = await newPage();
  await page.goto(`${cfg.airflow}/dags/${cfg.dag}/plugin/lineagelens-dag`);
  const airflowFrame = page.locator('iframe[title="Lineage"]');
  await airflowFrame.waitFor();
  const sandbox = await airflowFrame.getAttribute('sandbox');
  check('Airflow frames the DAG tab with sandbox', sandbox);
  assert.ok(!/allow-popups|allow-top-navigation/.test(sandbox ?? ''), `unexpected sandbox ${sandbox}`);
  const ui = inner(page, 'Lineage');
  await ui.getByTestId('embed-dag').waitFor();
  const nodeOf = (frame, id) => frame.locator(`.react-flow__node[data-id="${id}"]`);
  const jobId = (task) => `job:${cfg.namespace}:${cfg.dag}.${task}`;
  const datasetId = (name) => `dataset:file:/data/${name}`;
  for (const task of cfg.tasks) await nodeOf(ui, jobId(task)).getByText(task, { exact: true }).waitFor();
  for (const ds of cfg.datasets) await nodeOf(ui, datasetId(ds)).getByText(ds, { exact: true }).waitFor();
  check('the DAG tab draws the tasks and datasets', [...cfg.tasks, ...cfg.datasets].join(', '));
  // the live stream colours the failed task red, with its error on hover
  const failed = nodeOf(ui, jobId(cfg.failedTask)).locator('.lineage-node');
  await ui.locator('.react-flow__node-job .lineage-node.live-failing').first().waitFor();
  assert.match(await failed.getAttribute('class'), /live-failing/);
  assert.match(await failed.getAttribute('title'), new RegExp(cfg.error.slice(0, 30)));
  await ui.getByText('Live', { exact: true }).waitFor();
  check('the failed task is red from the live status, its error on hover');
  // one full-height frame: the UI fills the Airflow frame, and the plugin page itself does not scroll
  const boxes = await page.evaluate(() => {
    const f = document.querySelector('iframe[title="Lineage"]');
    return { airflowFrame: f.getBoundingClientRect().height };
  });
  const plugin = await layoutOf(outer(page, 'Lineage'));
  check('frame heights', `Airflow frame ${Math.round(boxes.airflowFrame)} px, UI frame ${Math.round(plugin.uiFrame)} px, plugin page scrolls: ${plugin.scrolls}`);
  assert.ok(plugin.uiFrame >= boxes.airflowFrame - 2 && !plugin.scrolls);
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(SHOTS, 'airflow-dag-tab.png') });
  // click a dataset: details with links; the dataset page opens in the same frame, and back returns
  await nodeOf(ui, datasetId(cfg.datasets[1])).click();
  const panel = ui.getByTestId('embed-panel');
  await panel.waitFor();
  await page.screenshot({ path: join(SHOTS, 'airflow-dag-tab-details.png') });
  await panel.getByRole('link', { name: 'Dataset page' }).click();
  await ui.getByRole('heading', { name: new RegExp(cfg.datasets[1].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) }).first().waitFor();
  check('a dataset opens its page inside the frame');
  await page.frames().find((f) => f.url().includes('/datasets/')).evaluate(() => history.back());
  await ui.getByTestId('embed-dag').waitFor();
  check('history back returns to the DAG graph');
  assert.ok(page.url().includes(`/dags/${cfg.dag}/plugin/lineagelens-dag`), page.url());
  assert.equal(page.popups, 0);
  // what Chromium logs when a sandboxed frame tries a popup or a top-level navigation (its warning about
  // Airflow's own allow-scripts + allow-same-origin sandbox is not about us)
  const blocked = page.messages.filter((m) => /permission is not set|Blocked opening|Unsafe attempt to initiate navigation/i.test(m));
  assert.deepEqual(blocked, []);
  check('no popup, no navigation of the top page, no sandbox error');

  // ---- 2. The nav page: DAG list beside one full-height UI frame ---------------------------------------
  const nav = await newPage();
  await nav.goto(`${cfg.airflow}/plugin/lineagelens`);
  const side = outer(nav, 'LineageLens');
  await inner(nav, 'LineageLens').locator('.topbar').waitFor();
  const brandText = await inner(nav, 'LineageLens').locator('.brand span').count();
  const headings = await side.locator('h1').count();
  check('nav page', `UI brand text in the frame: ${brandText}, headings on the plugin page: ${headings}`);
  assert.equal(brandText, 0);
  assert.equal(headings, 0);
  await side.locator(`a[data-dag="${cfg.dag}"]`).click();
  await inner(nav, 'LineageLens').getByTestId('embed-dag').waitFor();
  for (const task of cfg.tasks) await nodeOf(inner(nav, 'LineageLens'), jobId(task)).waitFor();
  check('a DAG of the list opens its graph in the frame');
  const navLayout = await layoutOf(side);
  check('nav page frame', `${Math.round(navLayout.uiFrame)} px of ${navLayout.view} px, scrolls: ${navLayout.scrolls}`);
  assert.ok(navLayout.uiFrame >= navLayout.view - 2 && !navLayout.scrolls);
  await nav.waitForTimeout(400);
  await nav.screenshot({ path: join(SHOTS, 'airflow-nav.png') });
  await side.getByRole('link', { name: /All lineage/ }).click();
  await inner(nav, 'LineageLens').getByRole('heading').first().waitFor();
  assert.equal(nav.popups, 0);
  check('"All lineage" opens the UI home in the frame');

  // ---- 3. A browser that cannot reach ui_url: a clear message, no blank frame -------------------------
  const cut = await newPage({ blockReceiver: true });
  await cut.goto(`${cfg.airflow}/dags/${cfg.dag}/plugin/lineagelens-dag`);
  const message = outer(cut, 'Lineage').locator('#ll-unreachable');
  await message.waitFor();
  const text = (await message.innerText()).replace(/\s+/g, ' ');
  assert.match(text, /Your browser cannot reach LineageLens at/);
  assert.equal(await outer(cut, 'Lineage').locator('#ll-frame').isVisible(), false);
  check('unreachable from the browser', text.slice(0, 90));
  await cut.screenshot({ path: join(SHOTS, 'airflow-unreachable.png') });
  console.log(JSON.stringify(report));
  await browser.close();
} catch (err) {
  console.log(JSON.stringify({ ...report, error: String(err?.stack ?? err) }));
  await browser.close();
  process.exit(1);
}
