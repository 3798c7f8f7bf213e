// Alerts end to end, against the real receiver: an editor creates a signed webhook channel pointing at a
// recording HTTP server this spec starts on loopback (the e2e receiver opens 127.0.0.0/8 in its network
// guard), sends a test message through it, creates a "job failed" rule from the form and sees its preview
// count the failure already stored; a FAIL event then opens an incident that appears live in the list
// with a toast; its page shows the impact (downstream datasets, jobs, owners, drawn on the explorer's
// canvas) and the notification log; acknowledge and resolve; the webhook received a signed "opened" and a
// "resolved". A viewer sees the incident without the buttons.
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { after, afterEach, before, test } from 'node:test';
import { api, artifact, launch, newPage, shot, url } from '../lib/browser.mjs';

const STAMP = Date.now().toString(36);
const NS = `e2e-alerts-${STAMP}`;
const ROOT_JOB = 'extract';
const DOWN_JOB = 'transform';
const ROOT_ID = `job:${NS}:${ROOT_JOB}`;
const STAGING = `dataset:${NS}:staging.orders`;
const MART = `dataset:${NS}:mart.orders`;
const OWNER = `team:e2e-${STAMP}`;
const CHANNEL = `hook-${STAMP}`;
const RULE = `extract failed ${STAMP}`;
const SIGNING_SECRET = `whsec-${STAMP}`;
const VIEWER = { username: `viewer-${STAMP}`, password: `viewer-pass-${STAMP}-long` };

/** The webhook target: records every request (headers and raw body) and answers 200. */
const received = [];
let recorder;
let hookUrl;

let browser;
let page;
before(async () => {
  recorder = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url, headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    });
  });
  await new Promise((resolve) => recorder.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${recorder.address().port}/hook`;
  browser = await launch();
  page = await newPage(browser);
  // The pipeline extract → staging.orders → transform → mart.orders (owned), each job with one completed
  // run, and one failed run of extract already stored: what the rule's preview counts.
  await run(ROOT_JOB, ['raw.orders'], ['staging.orders'], 'COMPLETE');
  await run(DOWN_JOB, ['staging.orders'], ['mart.orders'], 'COMPLETE', { owned: true });
  await run(ROOT_JOB, ['raw.orders'], ['staging.orders'], 'FAIL', { error: `earlier failure ${STAMP}` });
});
afterEach(async (t) => {
  await artifact(page, t.name);
});
after(async () => {
  await browser?.close();
  await new Promise((resolve) => (recorder ? recorder.close(resolve) : resolve()));
});

function event(eventType, runId, job, inputs, outputs, { error = null, owned = false } = {}) {
  const facets = error ? { errorMessage: { _producer: 'https://e2e.test', _schemaURL: 'https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet', message: error, programmingLanguage: 'python' } } : {};
  const ownership = { ownership: { _producer: 'https://e2e.test', _schemaURL: 'https://openlineage.io/spec/facets/1-0-1/OwnershipDatasetFacet.json#/$defs/OwnershipDatasetFacet', owners: [{ name: OWNER, type: 'team' }] } };
  return {
    eventType, eventTime: new Date().toISOString(), producer: 'https://e2e.test', schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
    run: { runId, facets }, job: { namespace: NS, name: job },
    inputs: inputs.map((name) => ({ namespace: NS, name })),
    outputs: outputs.map((name) => ({ namespace: NS, name, ...(owned ? { facets: ownership } : {}) })),
  };
}

/** A START and its end (COMPLETE / FAIL) for `job`; read-your-write on the end. */
async function run(job, inputs, outputs, end, options = {}) {
  const runId = randomUUID();
  for (const [type, wait] of [['START', false], [end, true]]) {
    const r = await api('lineage', { method: 'POST', body: JSON.stringify(event(type, runId, job, inputs, outputs, type === 'START' ? { owned: options.owned } : options)),
      headers: wait ? { Prefer: 'wait=projected' } : {} });
    assert.ok(r.status >= 200 && r.status < 300, `POST ${type} answered ${r.status}: ${JSON.stringify(r.body)}`);
  }
  return runId;
}

/** The requests the recorder got whose JSON `event` is `kind`. */
const payloads = (kind) => received.map((r) => ({ ...r, body: JSON.parse(r.raw) })).filter((r) => r.body.event === kind);

async function waitFor(predicate, what, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = predicate();
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** What a webhook target does: HMAC-SHA256(secret, "<timestamp>.<raw body>") equals the header. */
function signatureValid(request) {
  const stamp = request.headers['x-lineagelens-timestamp'];
  const expected = `sha256=${createHmac('sha256', SIGNING_SECRET).update(`${stamp}.${request.raw}`).digest('hex')}`;
  return Boolean(stamp) && request.headers['x-lineagelens-signature'] === expected;
}

let channelId;
let incidentId;

test('a webhook channel: created from its form, secrets write-only, a test send arrives signed', async () => {
  await page.goto(url('alerts/channels'));
  await page.getByRole('button', { name: 'New channel' }).click();
  const form = page.getByTestId('channel-form');
  await form.locator('#channel-kind').selectOption('webhook');
  await form.locator('#channel-name').fill(CHANNEL);
  await form.locator('#cfg-url').fill(hookUrl);
  await form.locator('#cfg-signingSecret').fill(SIGNING_SECRET);
  await page.getByRole('button', { name: 'Create channel' }).click();
  const row = page.locator('[data-testid="channel-list"] tr', { hasText: CHANNEL });
  await row.waitFor();
  channelId = await row.getAttribute('data-channel-id');
  assert.match(await row.textContent(), /Signing secret: set/);
  assert.match(await row.textContent(), /Bearer token: not set/);
  assert.doesNotMatch(await page.content(), new RegExp(SIGNING_SECRET), 'the secret is never on the page');

  await row.getByRole('button', { name: 'Send test' }).click();
  await row.getByTestId('channel-test-result').filter({ hasText: 'Delivered (HTTP 200)' }).waitFor();
  const [test] = await waitFor(() => payloads('test').length && payloads('test'), 'the test message');
  assert.equal(test.body.title, 'LineageLens test notification');
  assert.ok(signatureValid(test), 'the test message is signed with the signing secret');

  // Editing: the secret input starts empty and says a value is stored.
  await row.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByTestId('channel-form');
  assert.equal(await edit.locator('#cfg-signingSecret').inputValue(), '');
  assert.match(await edit.getByTestId('secret-signingSecret').textContent(), /Signing secret: set/);
  assert.equal(await edit.locator('#cfg-url').inputValue(), hookUrl);
  await shot(page, 'alerts-channel-edit');
  await page.getByRole('button', { name: 'Cancel' }).click();
  // The API agrees: no secret value comes back.
  const stored = (await api(`channels/${channelId}`)).body;
  assert.deepEqual(stored.secretsSet, ['signingSecret']);
  assert.equal(JSON.stringify(stored).includes(SIGNING_SECRET), false);
});

test('a "job failed" rule from the form, previewed before saving', async () => {
  await page.goto(url('alerts/rules'));
  await page.getByRole('button', { name: 'New rule' }).click();
  const form = page.getByTestId('rule-form');
  await form.locator('#rule-name').fill(RULE);
  await form.locator('#rule-type').selectOption('job_failed');
  await form.locator('#cfg-namespaces').fill(NS);
  await form.locator('label.check-line', { hasText: CHANNEL }).locator('input').check();
  // The failure stored in before(): the preview counts it.
  const preview = form.locator('[data-testid="rule-preview"][data-would-fire="1"]');
  await preview.waitFor();
  assert.match(await preview.textContent(), /Would have fired once in the last 7 days \(on 1 job\)/);
  await shot(page, 'alerts-rule-preview');
  await page.getByRole('button', { name: 'Create rule' }).click();
  const row = page.locator('[data-testid="rule-list"] tr', { hasText: RULE });
  await row.waitFor();
  assert.match(await row.textContent(), new RegExp(`namespaces ${NS}`));
  assert.match(await row.textContent(), new RegExp(CHANNEL));
  const rules = (await api('alert-rules')).body.rules.filter((r) => r.name === RULE);
  assert.equal(rules.length, 1);
  assert.deepEqual(rules[0].channelIds, [channelId]);
  // Creating the rule opened nothing for the failure that happened before it.
  assert.equal((await api(`incidents?nodeId=${encodeURIComponent(ROOT_ID)}`)).body.totalCount, 0);
});

test('a FAIL opens an incident that appears live in the list, with a toast', async (t) => {
  await page.goto(url('incidents'));
  await page.locator('[data-testid="live-indicator"][data-state="connected"]').waitFor({ timeout: 10_000 });
  await page.locator('[data-testid="incident-list"], .empty').first().waitFor();
  const started = Date.now();
  await run(ROOT_JOB, ['raw.orders'], ['staging.orders'], 'FAIL', { error: `disk full ${STAMP}` });
  const row = page.locator(`[data-testid="incident-list"] tr[data-incident-id]`, { hasText: ROOT_JOB }).filter({ hasText: 'failed' });
  await row.first().waitFor({ timeout: 15_000 });
  t.diagnostic(`incident listed ${Date.now() - started} ms after the FAIL was posted (no reload)`);
  incidentId = Number(await row.first().getAttribute('data-incident-id'));
  assert.ok(incidentId > 0);
  await page.locator('.toast', { hasText: `Incident #${incidentId} opened` }).waitFor({ timeout: 5000 });
  assert.equal(await row.first().getAttribute('data-state'), 'open');
  await shot(page, 'alerts-incidents-live');
});

test('the incident page: impact on the explorer canvas, owners, notification log; acknowledge, resolve', async () => {
  await page.locator(`[data-testid="incident-list"] tr[data-incident-id="${incidentId}"] a`).first().click();
  await page.waitForURL(new RegExp(`/incidents/${incidentId}$`));
  await page.getByTestId('incident-props').waitFor();
  // Impact listed with owners, and drawn: the root and the impacted nodes on the canvas.
  await page.locator(`[data-testid="impact-datasets"] tr[data-node-id="${MART}"]`, { hasText: OWNER }).waitFor();
  await page.locator(`[data-testid="impact-datasets"] tr[data-node-id="${STAGING}"]`).waitFor();
  await page.locator(`[data-testid="impact-jobs"] tr[data-node-id="job:${NS}:${DOWN_JOB}"]`).waitFor();
  assert.match(await page.getByTestId('incident-owners').textContent(), new RegExp(OWNER));
  for (const id of [ROOT_ID, STAGING, MART]) await page.locator(`[data-testid="impact-graph"] .react-flow__node[data-id="${id}"]`).waitFor();
  const explorer = await page.getByTestId('impact-explorer-link').getAttribute('href');
  assert.match(explorer, new RegExp(`blast=${encodeURIComponent(ROOT_ID).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  // The webhook was told, signed; the log shows the delivery.
  const [openedMsg] = await waitFor(() => payloads('opened').filter((p) => p.body.incident?.id === incidentId).length && payloads('opened').filter((p) => p.body.incident?.id === incidentId), 'the opened notification');
  assert.ok(signatureValid(openedMsg));
  assert.equal(openedMsg.body.incident.rootNodeId, ROOT_ID);
  assert.ok(openedMsg.body.incident.impacted.datasets.some((d) => d.id === MART && d.owners.includes(OWNER)));
  await page.locator('[data-testid="notification-log"] tr[data-status="delivered"]', { hasText: CHANNEL }).waitFor({ timeout: 10_000 });
  await shot(page, 'alerts-incident');

  await page.getByRole('button', { name: 'Acknowledge' }).click();
  await page.getByTestId('incident-state').filter({ hasText: 'acknowledged' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Acknowledge' }).count(), 0);
  await page.getByRole('button', { name: 'Resolve' }).click();
  await page.getByTestId('incident-state').filter({ hasText: 'resolved' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Resolve' }).count(), 0);
  await page.getByTestId('incident-timeline').filter({ hasText: 'acknowledged' }).waitFor();
  const resolvedMsg = await waitFor(() => payloads('resolved').find((p) => p.body.incident?.id === incidentId), 'the resolve notification');
  assert.ok(signatureValid(resolvedMsg));
  assert.equal((await api(`incidents/${incidentId}`)).body.state, 'resolved');
  // Gone from the active list, there under Resolved.
  await page.goto(url('incidents'));
  await page.locator('[data-testid="incident-list"], .empty').first().waitFor();
  assert.equal(await page.locator(`tr[data-incident-id="${incidentId}"]`).count(), 0);
  await page.goto(url('incidents?state=resolved'));
  await page.locator(`tr[data-incident-id="${incidentId}"][data-state="resolved"]`).waitFor();
  assert.deepEqual(page.errors.filter((e) => !/WebSocket/.test(e)), []);
});

test('a viewer reads incidents, rules and channels without any edit control', async () => {
  const created = await api('users', { method: 'POST', body: JSON.stringify({ name: VIEWER.username, role: 'viewer', password: VIEWER.password }) });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const viewer = await newPage(browser, { as: VIEWER });
  try {
    await viewer.goto(url(`incidents/${incidentId}`));
    await viewer.getByTestId('incident-props').waitFor();
    assert.equal(await viewer.getByRole('button', { name: /Acknowledge|Resolve/ }).count(), 0);
    await viewer.goto(url('alerts/rules'));
    await viewer.locator('[data-testid="rule-list"] tr', { hasText: RULE }).waitFor();
    assert.equal(await viewer.getByRole('button', { name: /New rule|Edit|Delete/ }).count(), 0);
    await viewer.goto(url('alerts/channels'));
    await viewer.locator('[data-testid="channel-list"] tr', { hasText: CHANNEL }).waitFor();
    assert.equal(await viewer.getByRole('button', { name: /New channel|Send test|Edit|Delete/ }).count(), 0);
  } finally {
    await viewer.context().close();
    await api(`users/${encodeURIComponent(VIEWER.username)}`, { method: 'DELETE' });
  }
});

test('job and dataset pages have SLA tiles', async () => {
  await page.goto(url(`jobs/${encodeURIComponent(NS)}/${ROOT_JOB}`));
  // No deadline rule watches this job: the section says so.
  await page.getByTestId('sla-none').waitFor();
  assert.match(await page.getByTestId('sla-none').textContent(), /No deadline rule has checked this job/);
  // A freshness rule of 3 s on mart.orders (written minutes ago): the scheduler (every 2 s in the e2e
  // receiver) records a missed evaluation, which the dataset page's tiles show.
  const rule = await api('alert-rules', { method: 'POST', body: JSON.stringify({
    name: `mart fresh ${STAMP}`, type: 'freshness', params: { maxAgeMinutes: 0.05 }, scope: { namespaces: [NS], datasets: ['mart.orders'] } }) });
  assert.equal(rule.status, 201, JSON.stringify(rule.body));
  const deadline = Date.now() + 20_000;
  while ((await api(`sla?nodeId=${encodeURIComponent(MART)}`)).body.last7d.evaluations === 0) {
    assert.ok(Date.now() < deadline, 'no freshness evaluation within 20 s');
    await new Promise((r) => setTimeout(r, 500));
  }
  await page.goto(url(`datasets/${encodeURIComponent(NS)}/mart.orders`));
  await page.getByTestId('sla-tiles').waitFor();
  assert.equal(await page.getByTestId('sla-last7d').locator('.sla-value').textContent(), '0 %');
  assert.match(await page.getByTestId('sla-streak').textContent(), /missed/);
  assert.match(await page.getByTestId('sla-lastMiss').textContent(), new RegExp(`mart fresh ${STAMP}`));
  await shot(page, 'alerts-sla-tiles');
  await api(`alert-rules/${rule.body.id}`, { method: 'DELETE' });
});
