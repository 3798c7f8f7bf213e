#!/usr/bin/env node
// End-to-end tests: `npm run e2e`.
//   - LINEAGELENS_E2E_URL set: test that running app (receiver serving the UI, data loaded); with auth
//     on, also set E2E_ADMIN_USER, E2E_ADMIN_PASSWORD (an admin user) and E2E_API_KEY (an admin key).
//   - otherwise: replay the CLL + airflow scenarios into a temp SQLite DB, create an admin user and an
//     admin API key with the CLI, start `lineagelens serve` (auth on) on a free port, and test it
//     directly if it serves the UI at "/", else through `vite preview` of ui/dist proxying /api to it.
// Tests are node:test files in e2e/tests, run one file at a time against Debian's Chromium; arguments
// pick files by a part of their name (`npm run e2e -- 04 06`).
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { credentialsEnv, ensureBuilt, receiverServesUi, startPreview, startReceiver, UI_DIR } from './lib/servers.mjs';

const stops = [];
let code;
try {
  let baseUrl = process.env.LINEAGELENS_E2E_URL;
  let credentials = null;
  if (!baseUrl) {
    const receiver = await startReceiver();
    stops.push(receiver.stop);
    credentials = receiver.credentials;
    console.log(`receiver: ${receiver.url} (${receiver.replayOutput.split('\n').pop()})`);
    if (await receiverServesUi(receiver.url)) {
      baseUrl = receiver.url;
      console.log('the receiver serves the UI: testing it directly');
    } else {
      ensureBuilt();
      const preview = await startPreview(receiver.url);
      stops.push(preview.stop);
      baseUrl = preview.url;
      console.log(`the receiver does not serve the UI yet: vite preview at ${baseUrl}, /api proxied`);
    }
  }
  const dir = join(UI_DIR, 'e2e', 'tests');
  const only = process.argv.slice(2);
  const files = readdirSync(dir).filter((f) => f.endsWith('.test.mjs')).filter((f) => only.length === 0 || only.some((o) => f.includes(o))).sort().map((f) => join(dir, f));
  code = await new Promise((resolveRun) => {
    const child = spawn(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
      stdio: 'inherit', env: { ...process.env, ...credentialsEnv(credentials), E2E_BASE_URL: baseUrl },
    });
    child.on('exit', (c) => resolveRun(c ?? 1));
  });
} catch (err) {
  console.error(err);
  code = 1;
} finally {
  for (const stop of stops.reverse()) await stop();
}
process.exit(code);
