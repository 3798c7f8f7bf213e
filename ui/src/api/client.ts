// The one HTTP client: JSON in and out, the API root from the runtime config, and every error turned
// into an ApiError carrying the server's `{code, status, message, errors}`. With the cookie session it
// sends the CSRF token on unsafe methods, and on a 401 refreshes the session once and retries; when that
// fails too, the handler set by the session store sends the app to the sign-in page.
import type { ApiErrorBody } from '../types/api';
import type { LoginResponse } from '../types/auth';
import { isUnsafeMethod, retryAfterSeconds, shouldRefresh } from '../lib/auth-http';
import { CSRF_COOKIE, CSRF_HEADER, readCookie } from '../lib/cookies';
import { runtimeConfig } from '../lib/runtime-config';

export class ApiError extends Error implements ApiErrorBody {
  readonly code: string;
  readonly status: number;
  readonly errors: Array<Record<string, unknown>>;
  /** Seconds the server asked to wait (`Retry-After` of a 429 or 503), if it said. */
  readonly retryAfter: number | null;

  constructor(body: ApiErrorBody, retryAfter: number | null = null) {
    super(body.message);
    this.name = 'ApiError';
    this.code = body.code;
    this.status = body.status;
    this.errors = body.errors ?? [];
    this.retryAfter = retryAfter;
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Do not refresh the session and retry on a 401 (the auth routes themselves). */
  noRefresh?: boolean;
}

export interface SessionHooks {
  /** A refresh succeeded: the (possibly changed) user and the new CSRF token. */
  onRefreshed(session: LoginResponse): void;
  /** The session is gone and could not be refreshed. */
  onExpired(): void;
}

let hooks: SessionHooks | null = null;
let csrfFallback: string | null = null;
let refreshing: Promise<boolean> | null = null;

/** Called once by the session store. */
export function setSessionHooks(next: SessionHooks | null): void {
  hooks = next;
}

/** The CSRF token from the last sign-in or refresh, used when the cookie cannot be read (another path). */
export function rememberCsrfToken(token: string | null): void {
  csrfFallback = token;
}

function csrfToken(): string | null {
  const fromCookie = typeof document === 'undefined' ? null : readCookie(document.cookie, CSRF_COOKIE);
  return fromCookie ?? csrfFallback;
}

/** POST /auth/refresh once for every caller that hit a 401 meanwhile. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= requestFull<LoginResponse>('/auth/refresh', { method: 'POST', noRefresh: true })
    .then(({ data }) => {
      rememberCsrfToken(data.csrfToken);
      hooks?.onRefreshed(data);
      return true;
    }, () => false)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

export interface ApiResponse<T> {
  data: T;
  headers: Headers;
  status: number;
}

/** Build a query string, leaving out undefined/null/'' values; arrays repeat the key. */
export function query(params: Record<string, string | number | boolean | null | undefined | ReadonlyArray<string>>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) for (const item of v) p.append(k, item);
    else p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

export const seg = encodeURIComponent;

export async function requestFull<T>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  try {
    return await send<T>(path, options);
  } catch (err) {
    if (options.noRefresh || !(err instanceof ApiError) || !shouldRefresh(path, err.status)) throw err;
    if (!(await refreshSession())) {
      hooks?.onExpired();
      throw err;
    }
    try {
      return await send<T>(path, options);
    } catch (again) {
      if (again instanceof ApiError && again.status === 401) hooks?.onExpired();
      throw again;
    }
  }
}

async function send<T>(path: string, options: RequestOptions): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (isUnsafeMethod(options.method)) {
    const token = csrfToken();
    if (token) headers[CSRF_HEADER] = token;
  }
  let body: BodyInit | undefined;
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(`${runtimeConfig().apiBase}${path}`, {
      method: options.method ?? 'GET', headers, body, signal: options.signal, credentials: 'same-origin',
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError({ code: 'network_error', status: 0, message: `Cannot reach the server: ${(err as Error).message}`, errors: [] });
  }
  const text = response.status === 204 ? '' : await response.text();
  let json: unknown = undefined;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  if (!response.ok) {
    const e = json as Partial<ApiErrorBody> | undefined;
    throw new ApiError({
      code: e?.code ?? `http_${response.status}`,
      status: e?.status ?? response.status,
      message: e?.message ?? (response.statusText || `HTTP ${response.status}`),
      errors: Array.isArray(e?.errors) ? e.errors : [],
    }, retryAfterSeconds(response.headers.get('Retry-After')));
  }
  return { data: json as T, headers: response.headers, status: response.status };
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  return (await requestFull<T>(path, options)).data;
}

export function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.status === 404;
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    const details = err.errors.map((e) => [e.path, e.message].filter(Boolean).join(': ')).filter(Boolean);
    return details.length ? `${err.message} (${details.join('; ')})` : err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
