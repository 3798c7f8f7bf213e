#!/usr/bin/env node
// Big-graph benchmark of the UI (docs/ui.md, "Benchmarks"): a synthetic lineage graph (default 5,000
// nodes / 10,000 edges) laid out and rendered by the explorer's own code on the /__bench page of the
// built UI, in headless Debian Chromium. Reports layout time, time to first paint (interactive), and
// frame times while panning, for several configurations, among them the explorer's own canvas
// (`renderer=explorer`: cards near, the canvas overview zoomed out) panning with the whole graph on
// screen, and 20,000 nodes to the first interactive frame. Run: `npm --prefix ui run bench` (or
// `node bench/ui/run.mjs [--quick] [--only=<substring of a configuration name>]`). Writes
// bench/results/ui.json.
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { extname, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
const UI = join(ROOT, 'ui');
const DIST = join(UI, 'dist');
const require = createRequire(join(UI, 'package.json'));
const { chromium } = require('playwright-core');
const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length) ?? null;

if (!existsSync(join(DIST, 'index.html')) || process.env.LINEAGELENS_BENCH_REBUILD) {
  const build = spawnSync('npm', ['run', 'build'], { cwd: UI, stdio: 'inherit' });
  if (build.status !== 0) process.exit(1);
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json', '.map': 'application/json' };
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  let file = join(DIST, path);
  if (!file.startsWith(DIST) || !existsSync(file) || statSync(file).isDirectory()) file = join(DIST, 'index.html');
  res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});

async function run(config) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const q = new URLSearchParams({ nodes: String(config.nodes), edges: String(config.edges), engine: config.engine, visible: config.visible ? '1' : '0', minimap: config.minimap ? '1' : '0',
    renderer: config.renderer ?? 'flow' });
  const started = Date.now();
  await page.goto(`${base}/__bench?${q}`);
  try {
    await page.waitForFunction(() => window.__lineagelensBench?.result || window.__lineagelensBench?.error, null, { timeout: config.timeoutMs ?? 120_000, polling: 100 });
  } catch {
    await page.close();
    return { ...config, error: `no result within ${(config.timeoutMs ?? 120_000) / 1000} s`, wallMs: Date.now() - started };
  }
  const { result, error } = await page.evaluate(() => ({ result: window.__lineagelensBench.result, error: window.__lineagelensBench.error }));
  if (error) {
    await page.close();
    return { ...config, error };
  }
  const out = { ...config, ...result };
  const within = (promise, ms) => Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve({ error: `over ${ms / 1000} s` }), ms))]);
  if (config.pan) {
    out.panZoom09 = await within(page.evaluate(() => window.__lineagelensBench.pan(120, 0.9)), 120_000);
    out.panZoom03 = await within(page.evaluate(() => window.__lineagelensBench.pan(120, 0.3)), 120_000);
    // Zoomed out to the whole graph every node is on screen. DOM renderers take seconds per frame
    // there, so 10 frames show the cost; the explorer's overview is measured over 120.
    out.fitAllMs = await within(page.evaluate(() => window.__lineagelensBench.fit()), 120_000);
    const fitFrames = config.renderer === 'explorer' ? 120 : 10;
    out.panFitAll = await within(page.evaluate((n) => window.__lineagelensBench.panFit(n), fitFrames), 120_000);
  }
  await page.close();
  return out;
}

const N = Number(process.env.BENCH_NODES ?? 5000);
const M = Number(process.env.BENCH_EDGES ?? 10000);
const configs = [
  { name: `${N}/${M} explorer canvas (overview zoomed out)`, nodes: N, edges: M, engine: 'auto', visible: true, minimap: false, pan: true, renderer: 'explorer' },
  { name: `20000/40000 explorer canvas, first frame`, nodes: 20000, edges: 40000, engine: 'auto', visible: true, minimap: false, pan: true, renderer: 'explorer' },
  { name: `${N}/${M} auto layout, visible-only rendering`, nodes: N, edges: M, engine: 'auto', visible: true, minimap: true, pan: true },
  { name: `${N}/${M} auto, visible-only, no minimap`, nodes: N, edges: M, engine: 'auto', visible: true, minimap: false, pan: true },
  { name: `${N}/${M} auto layout, render everything`, nodes: N, edges: M, engine: 'auto', visible: false, minimap: true, pan: true },
];
for (const n of quick ? [300] : [300, 600, 1000, 2000]) {
  configs.push({ name: `ELK ${n}/${n * 2}`, nodes: n, edges: n * 2, engine: 'elk', visible: true, minimap: true, pan: false });
  configs.push({ name: `fast layered ${n}/${n * 2}`, nodes: n, edges: n * 2, engine: 'layered', visible: true, minimap: true, pan: false });
}
if (!quick) configs.push({ name: `ELK ${N}/${M}`, nodes: N, edges: M, engine: 'elk', visible: true, minimap: true, pan: false, timeoutMs: 180_000 });

const pan = (p) => (p?.meanMs !== undefined
  ? `mean=${p.meanMs.toFixed(1)}ms p95=${p.p95Ms.toFixed(1)}ms ${p.fps.toFixed(0)}fps (${p.overview ? `overview, ${p.overviewNodes} drawn` : `${p.renderedNodes} nodes in DOM`})`
  : String(p?.error ?? '–'));
const results = [];
for (const config of configs) {
  if (only && !config.name.includes(only)) continue;
  const r = await run(config);
  results.push(r);
  const f = (x) => (x === undefined ? '–' : `${Math.round(x)}`);
  console.log(`${r.name.padEnd(44)} engine=${r.engine ?? '–'} layout=${f(r.layoutMs)}ms firstPaint=${f(r.firstPaintMs)}ms rendered=${r.renderedNodes ?? '–'}`
    + (r.panZoom09 ? ` pan@0.9 ${pan(r.panZoom09)} pan@0.3 ${pan(r.panZoom03)} fitAll=${typeof r.fitAllMs === 'number' ? f(r.fitAllMs) : 'timeout'}ms pan@fitAll ${pan(r.panFitAll)}` : '')
    + (r.error ? ` ERROR ${r.error}` : ''));
}
await browser.close();
server.close();
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
const file = join(ROOT, 'bench', 'results', 'ui.json');
writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), chromium: '/usr/bin/chromium', results }, null, 2));
console.log(`wrote ${file}`);
