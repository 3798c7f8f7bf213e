import { describe, expect, it } from 'vitest';
import type { Channel, ChannelType } from '../types/alerts';
import { buildChannelInput, channelDraft, channelFields, droppedSecrets, secretStates, testResultText } from './alerts-channels';

// As GET /channel-types describes them (plugins/webhook.py, plugins/email.py).
const WEBHOOK: ChannelType = {
  kind: 'webhook', label: 'Webhook (JSON POST)', secretFields: ['token', 'signingSecret'],
  configSchema: { type: 'object', required: ['url'], properties: {
    url: { type: 'string', format: 'uri', title: 'URL' },
    token: { type: 'string', title: 'Bearer token', writeOnly: true, format: 'password' },
    signingSecret: { type: 'string', title: 'Signing secret', writeOnly: true, format: 'password' },
  } },
};
const EMAIL: ChannelType = {
  kind: 'email', label: 'E-mail (SMTP)', secretFields: ['password'],
  configSchema: { type: 'object', required: ['host', 'fromAddress', 'to'], properties: {
    host: { type: 'string' }, port: { type: 'integer', minimum: 1, maximum: 65535 }, password: { type: 'string', writeOnly: true, format: 'password' },
    fromAddress: { type: 'string' }, to: { type: 'array', items: { type: 'string' } }, starttls: { type: 'boolean' },
  } },
};

const stored: Channel = {
  id: 'c1', name: 'hook', kind: 'webhook', config: { url: 'https://hooks.example.com/a' }, secretsSet: ['signingSecret'],
  owners: ['team:a'], enabled: true, rateLimitPerMinute: 30, createdAt: null, updatedAt: null,
};

describe('channel form', () => {
  it('never fills a secret in, and says which are stored', () => {
    const draft = channelDraft(WEBHOOK, stored);
    expect(draft.values).toEqual({ url: 'https://hooks.example.com/a', token: '', signingSecret: '' });
    expect(draft.owners).toBe('team:a');
    expect(secretStates(WEBHOOK, stored)).toEqual([
      { key: 'token', label: 'Bearer token', set: false }, { key: 'signingSecret', label: 'Signing secret', set: true },
    ]);
  });

  it('creates with the kind; an update leaves empty secrets out so the stored ones are kept', () => {
    const fresh = { ...channelDraft(WEBHOOK), name: 'rec', values: { url: 'http://127.0.0.1:9/hook', token: '', signingSecret: 's3cret' } };
    expect(buildChannelInput(WEBHOOK, fresh).input).toEqual({
      name: 'rec', kind: 'webhook', config: { url: 'http://127.0.0.1:9/hook', signingSecret: 's3cret' }, owners: [], enabled: true, rateLimitPerMinute: 30,
    });
    const edit = { ...channelDraft(WEBHOOK, stored), owners: 'team:a, team:b' };
    expect(buildChannelInput(WEBHOOK, edit, stored).input).toEqual({
      name: 'hook', config: { url: 'https://hooks.example.com/a' }, owners: ['team:a', 'team:b'], enabled: true, rateLimitPerMinute: 30,
    });
  });

  it('requires a required secret only while none is stored', () => {
    const slack: ChannelType = { kind: 'slack', label: 'Slack', secretFields: ['url'],
      configSchema: { type: 'object', required: ['url'], properties: { url: { type: 'string', format: 'password', writeOnly: true } } } };
    const unsaved = { ...channelDraft(slack), name: 's' };
    expect(buildChannelInput(slack, unsaved).errors).toEqual({ url: 'Url is required' });
    const saved: Channel = { ...stored, kind: 'slack', config: {}, secretsSet: ['url'] };
    expect(channelFields(slack, saved)[0]!.required).toBe(false);
    expect(buildChannelInput(slack, channelDraft(slack, saved), saved)).toEqual({ input: expect.objectContaining({ config: {} }), errors: {} });
  });

  it('leaves an untouched yes/no without a default to the server, sends it once ticked', () => {
    const draft = { ...channelDraft(EMAIL), name: 'mail', values: { ...channelDraft(EMAIL).values, host: 'smtp.example.com', fromAddress: 'a@example.com', to: 'b@example.com' } };
    expect(buildChannelInput(EMAIL, draft).input?.config).toEqual({ host: 'smtp.example.com', fromAddress: 'a@example.com', to: ['b@example.com'] });
    expect(buildChannelInput(EMAIL, { ...draft, touched: ['starttls'] }).input?.config).toMatchObject({ starttls: false });
    const existing: Channel = { ...stored, kind: 'email', config: { host: 'h', fromAddress: 'a@x', to: ['b@x'], starttls: true, port: 587 }, secretsSet: [] };
    expect(buildChannelInput(EMAIL, channelDraft(EMAIL, existing), existing).input?.config).toMatchObject({ starttls: true, port: 587 });
  });

  it('checks name and rate limit', () => {
    const draft = { ...channelDraft(WEBHOOK), values: { url: 'https://x.example.com', token: '', signingSecret: '' }, rateLimitPerMinute: '0' };
    expect(buildChannelInput(WEBHOOK, draft).errors).toEqual({ name: 'Name is required', rateLimitPerMinute: 'A whole number from 1 to 10000' });
  });

  it('tells which stored secrets an update dropped (the target changed)', () => {
    const after = { ...stored, config: { url: 'https://elsewhere.example.com' }, secretsSet: [] };
    expect(droppedSecrets(stored, after, { name: 'hook', config: { url: 'https://elsewhere.example.com' }, owners: [], enabled: true, rateLimitPerMinute: 30 })).toEqual(['signingSecret']);
    expect(droppedSecrets(stored, stored, { name: 'hook', config: { url: 'https://hooks.example.com/a' }, owners: [], enabled: true, rateLimitPerMinute: 30 })).toEqual([]);
  });

  it('words a test send', () => {
    expect(testResultText({ ok: true, message: 'delivered', responseStatus: 200 })).toBe('Delivered (HTTP 200)');
    expect(testResultText({ ok: false, message: 'webhook answered HTTP 500', responseStatus: 500 })).toBe('Failed: webhook answered HTTP 500');
    expect(testResultText({ ok: false, message: 'refused by the network guard', responseStatus: null })).toBe('Failed: refused by the network guard');
  });
});
