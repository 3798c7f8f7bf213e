// Servers for the end-to-end tests: a real receiver (`lineagelens serve`) on a free port with a
// temporary SQLite database loaded by `lineagelens replay`, and — until the receiver serves the UI
// itself — `vite preview` of ui/dist proxying /api to it. Auth is on (the default): before serving, an
// admin user and an admin API key are created with the CLI for the tests to sign in with.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const UI_DIR = resolve(import.meta.dirname, '..', '..');
export const REPO_DIR = resolve(UI_DIR, '..');

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

export async function waitForHttp(url, { timeoutMs = 60_000, accept = (r) => r.ok } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url);
      if (accept(r)) return r;
      last = `HTTP ${r.status}`;
    } catch (err) {
      last = String(err.cause?.code ?? err);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${url} (${last})`);
}

/** Start a process in its own process group so the whole tree can be stopped. */
function start(cmd, args, options) {
  const child = spawn(cmd, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = [];
  const keep = (chunk) => {
    log.push(chunk.toString());
    if (log.length > 200) log.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return { child, log, stop: () => stopProcess(child) };
}

export function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => {
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
    }, 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    try { process.kill(-child.pid, 'SIGTERM'); } catch { resolveStop(); }
  });
}

export function lineagelensBin() {
  return process.env.LINEAGELENS_BIN ?? join(REPO_DIR, '.venv', 'bin', 'lineagelens');
}

export const DEFAULT_SCENARIOS = ['CLL', 'airflow'].map((s) => join(REPO_DIR, 'tests', 'data', 'openlineage', 'scenarios', s, 'events'));

/** The credentials the tests use: an admin user (browser sign-in) and an admin API key (the `api()` helper). */
export function provisionCredentials(bin, env, cwd) {
  const run = (args, input) => {
    const r = spawnSync(bin, args, { env, cwd, input, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`lineagelens ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
    return r.stdout.trim();
  };
  const adminUser = 'e2e-admin';
  const adminPassword = randomBytes(18).toString('base64url');
  run(['users', 'create', adminUser, '--role', 'admin', '--password-stdin'], `${adminPassword}\n`);
  const apiKey = run(['apikey', 'create', '--name', 'e2e-admin-key', '--scope', 'admin']).split('\n').pop().trim();
  if (!apiKey) throw new Error('lineagelens apikey create printed no key');
  return { adminUser, adminPassword, apiKey };
}

/** The environment that hands the credentials to the test files (read by lib/browser.mjs). */
export function credentialsEnv(credentials) {
  if (!credentials) return {};
  return { E2E_ADMIN_USER: credentials.adminUser, E2E_ADMIN_PASSWORD: credentials.adminPassword, E2E_API_KEY: credentials.apiKey };
}

/** Replay the scenarios into a fresh database, create the test credentials, and serve it. */
export async function startReceiver({ scenarios = DEFAULT_SCENARIOS } = {}) {
  const bin = lineagelensBin();
  if (!existsSync(bin)) throw new Error(`no receiver at ${bin} (set LINEAGELENS_BIN or run make install)`);
  const dir = mkdtempSync(join(tmpdir(), 'lineagelens-e2e-'));
  const env = {
    ...process.env,
    LINEAGELENS_DATABASE_URL: `sqlite:///${join(dir, 'state.db')}`,
    LINEAGELENS_AUTH: 'on',
    LINEAGELENS_SECRET_KEY: randomBytes(32).toString('hex'),
    // Every spec file signs in once; the sign-in test runs into the limit on purpose with a user of its own.
    LINEAGELENS_SIGNIN_RATE_LIMIT: '30/minute',
    // The alerts spec's webhook channel posts to a recording server on loopback, which the network guard
    // refuses by default.
    LINEAGELENS_SOURCE_ALLOW_NETWORKS: '127.0.0.0/8',
    // Time-driven alert rules (freshness, deadline) are evaluated every 2 s instead of 30 s, so the alerts
    // spec sees SLA evaluations without waiting.
    LINEAGELENS_ALERT_SCHEDULE_SECONDS: '2',
  };
  const replay = spawnSync(bin, ['replay', ...scenarios], { env, encoding: 'utf8', cwd: dir });
  if (replay.status !== 0) throw new Error(`lineagelens replay failed:\n${replay.stdout}\n${replay.stderr}`);
  const credentials = provisionCredentials(bin, env, dir);
  const port = await freePort();
  const proc = start(bin, ['serve', '--host', '127.0.0.1', '--port', String(port), '--workers', '1', '--threads', '8'], { env, cwd: dir });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/healthz`, { timeoutMs: 60_000 });
  } catch (err) {
    await proc.stop();
    throw new Error(`${err.message}\n${proc.log.join('')}`, { cause: err });
  }
  return {
    url, dir, log: proc.log, replayOutput: replay.stdout.trim(), credentials,
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Does the receiver serve the built UI at "/" (the lead's Flask wiring)? */
export async function receiverServesUi(url) {
  try {
    const r = await fetch(`${url}/lineage`);
    return r.ok && (await r.text()).includes('lineagelens-base');
  } catch {
    return false;
  }
}

export function ensureBuilt() {
  if (existsSync(join(UI_DIR, 'dist', 'index.html')) && !process.env.LINEAGELENS_E2E_REBUILD) return;
  const build = spawnSync('npm', ['run', 'build'], { cwd: UI_DIR, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed');
}

/** vite preview of ui/dist, proxying /api to the receiver. */
export async function startPreview(apiUrl) {
  const port = await freePort();
  const proc = start(process.execPath, [join(UI_DIR, 'node_modules', 'vite', 'bin', 'vite.js'), 'preview', '--port', String(port), '--strictPort'], {
    cwd: UI_DIR, env: { ...process.env, LINEAGELENS_API_PROXY: apiUrl },
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/`, { timeoutMs: 30_000 });
  } catch (err) {
    await proc.stop();
    throw new Error(`${err.message}\n${proc.log.join('')}`, { cause: err });
  }
  return { url, stop: proc.stop };
}
