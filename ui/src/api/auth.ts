// Sign-in: the public auth config, password sign-in, who am I, sign-out. The session lives in httpOnly
// cookies; the client (client.ts) refreshes it on a 401 and sends the CSRF token on unsafe methods.
import type { AuthConfig, LoginResponse, MeResponse } from '../types/auth';
import { rememberCsrfToken, request } from './client';

export function getAuthConfig(signal?: AbortSignal): Promise<AuthConfig> {
  return request<AuthConfig>('/auth/config', { signal, noRefresh: true });
}

export async function login(username: string, password: string): Promise<LoginResponse> {
  const session = await request<LoginResponse>('/auth/login', { method: 'POST', body: { username, password }, noRefresh: true });
  rememberCsrfToken(session.csrfToken);
  return session;
}

export function getMe(signal?: AbortSignal): Promise<MeResponse> {
  return request<MeResponse>('/auth/me', { signal, noRefresh: true });
}

export async function logout(): Promise<void> {
  try {
    await request<void>('/auth/logout', { method: 'POST', noRefresh: true });
  } finally {
    rememberCsrfToken(null);
  }
}
