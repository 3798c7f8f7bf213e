import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, rememberCsrfToken, request, setSessionHooks } from './client';

type Call = { url: string; method: string; headers: Record<string, string> };

/** A fake server: answers each call with the next scripted response, and records the calls. */
function fakeFetch(script: Array<(call: Call) => Response>) {
  const calls: Call[] = [];
  const fn = vi.fn(async (url: string, init: RequestInit) => {
    const call = { url, method: init.method ?? 'GET', headers: init.headers as Record<string, string> };
    calls.push(call);
    const next = script.shift();
    if (!next) throw new Error(`unexpected call ${call.method} ${url}`);
    return next(call);
  });
  vi.stubGlobal('fetch', fn);
  return calls;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
const unauthorized = () => json(401, { code: 'unauthorized', status: 401, message: 'sign in', errors: [] });
const session = (token: string) => json(200, { user: { name: 'ann', role: 'editor' }, csrfToken: token, expiresAt: '2030-01-01T00:00:00Z' });

describe('the HTTP client with a cookie session', () => {
  const onRefreshed = vi.fn();
  const onExpired = vi.fn();
  beforeEach(() => {
    onRefreshed.mockReset();
    onExpired.mockReset();
    setSessionHooks({ onRefreshed, onExpired });
    rememberCsrfToken('csrf-1');
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    setSessionHooks(null);
    rememberCsrfToken(null);
  });

  it('sends the CSRF token on writes and not on reads', async () => {
    const calls = fakeFetch([() => json(200, {}), () => json(201, {})]);
    await request('/dashboards');
    await request('/dashboards', { method: 'POST', body: { name: 'x' } });
    expect(calls[0]!.headers['X-CSRF-Token']).toBeUndefined();
    expect(calls[1]!.headers['X-CSRF-Token']).toBe('csrf-1');
  });

  it('refreshes once on a 401 and retries with the new CSRF token', async () => {
    const calls = fakeFetch([unauthorized, () => session('csrf-2'), () => json(200, { ok: true })]);
    await expect(request('/dashboards/a', { method: 'DELETE' })).resolves.toEqual({ ok: true });
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['DELETE /api/v1/dashboards/a', 'POST /api/v1/auth/refresh', 'DELETE /api/v1/dashboards/a']);
    expect(calls[2]!.headers['X-CSRF-Token']).toBe('csrf-2');
    expect(onRefreshed).toHaveBeenCalledWith(expect.objectContaining({ user: { name: 'ann', role: 'editor' } }));
    expect(onExpired).not.toHaveBeenCalled();
  });

  it('shares one refresh among requests that fail together', async () => {
    const calls = fakeFetch([unauthorized, unauthorized, () => session('csrf-2'), () => json(200, 1), () => json(200, 2)]);
    const results = await Promise.all([request('/a'), request('/b')]);
    expect(results.sort()).toEqual([1, 2]);
    expect(calls.filter((c) => c.url.endsWith('/auth/refresh'))).toHaveLength(1);
  });

  it('reports an expired session when the refresh fails, and does not retry', async () => {
    const calls = fakeFetch([unauthorized, unauthorized]);
    await expect(request('/dashboards')).rejects.toMatchObject({ status: 401 });
    expect(calls).toHaveLength(2);
    expect(onExpired).toHaveBeenCalledTimes(1);
  });

  it('leaves the 401 of the auth routes alone', async () => {
    const calls = fakeFetch([unauthorized]);
    await expect(request('/auth/me', { noRefresh: true })).rejects.toBeInstanceOf(ApiError);
    expect(calls).toHaveLength(1);
    expect(onExpired).not.toHaveBeenCalled();
  });

  it('carries Retry-After of a 429', async () => {
    fakeFetch([() => json(429, { code: 'rate_limited', status: 429, message: 'slow down', errors: [] }, { 'Retry-After': '17' })]);
    await expect(request('/auth/login', { method: 'POST', noRefresh: true })).rejects.toMatchObject({ status: 429, retryAfter: 17 });
  });
});
