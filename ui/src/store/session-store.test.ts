import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import type { AuthConfig, MeResponse } from '../types/auth';
import { createSessionStore, type AuthApi } from './session-store';

const err = (status: number) => new ApiError({ code: `http_${status}`, status, message: 'x', errors: [] });

function fakeApi(config: AuthConfig | ApiError, me: MeResponse | ApiError): AuthApi {
  const answer = <T,>(v: T | ApiError) => (v instanceof ApiError ? Promise.reject(v) : Promise.resolve(v));
  return {
    getAuthConfig: vi.fn(() => answer(config)),
    getMe: vi.fn(() => answer(me)),
    login: vi.fn(async (username: string, password: string) => {
      if (password !== 'right-password') throw err(401);
      return { user: { name: username, role: 'viewer' as const }, csrfToken: 't', expiresAt: '2030-01-01T00:00:00Z' };
    }),
    logout: vi.fn(async () => undefined),
  };
}

const AUTH_ON: AuthConfig = { auth: true, oidc: false, signInUrl: null };

describe('the session store', () => {
  it('starts signed out when auth is on and /auth/me answers 401', async () => {
    const store = createSessionStore(fakeApi(AUTH_ON, err(401)));
    await store.getState().start();
    expect(store.getState()).toMatchObject({ status: 'ready', user: null, config: AUTH_ON });
  });

  it('starts signed in with the role the server names', async () => {
    const store = createSessionStore(fakeApi(AUTH_ON, { user: { name: 'ann', role: 'editor' }, via: 'session' }));
    await store.getState().start();
    expect(store.getState()).toMatchObject({ status: 'ready', user: { name: 'ann', role: 'editor' }, via: 'session' });
  });

  it('treats a receiver without auth routes as auth off', async () => {
    const store = createSessionStore(fakeApi(err(404), err(404)));
    await store.getState().start();
    expect(store.getState().config?.auth).toBe(false);
    expect(store.getState().via).toBe('auth-off');
  });

  it('does not treat a 404 of /auth/me as signed in when auth is on', async () => {
    const store = createSessionStore(fakeApi(AUTH_ON, err(404)));
    await store.getState().start();
    expect(store.getState().user).toBeNull();
  });

  it('reports a server it cannot reach', async () => {
    const store = createSessionStore(fakeApi(err(0), err(0)));
    await store.getState().start();
    expect(store.getState().status).toBe('error');
  });

  it('signs in, keeps a wrong password an error, and signs out', async () => {
    const store = createSessionStore(fakeApi(AUTH_ON, err(401)));
    await store.getState().start();
    await expect(store.getState().signIn('ann', 'wrong')).rejects.toMatchObject({ status: 401 });
    expect(store.getState().user).toBeNull();
    await store.getState().signIn('ann', 'right-password');
    expect(store.getState().user).toEqual({ name: 'ann', role: 'viewer' });
    await store.getState().signOut();
    expect(store.getState().user).toBeNull();
  });

  it('forgets the user when the session expires, and remembers that it did', async () => {
    const store = createSessionStore(fakeApi(AUTH_ON, { user: { name: 'ann', role: 'admin' }, via: 'session' }));
    await store.getState().start();
    store.getState().expire();
    expect(store.getState()).toMatchObject({ user: null, expired: true });
  });

  it('does not expire anything when auth is off', async () => {
    const store = createSessionStore(fakeApi({ auth: false, oidc: false, signInUrl: null }, { user: { name: 'local', role: 'admin' }, via: 'auth-off' }));
    await store.getState().start();
    store.getState().expire();
    expect(store.getState().user).toEqual({ name: 'local', role: 'admin' });
  });
});
