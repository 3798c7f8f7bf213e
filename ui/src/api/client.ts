// The one HTTP client: JSON in and out, the API root from the runtime config, and every error turned
// into an ApiError carrying the server's `{code, status, message, errors}`.
import type { ApiErrorBody } from '../types/api';
import { runtimeConfig } from '../lib/runtime-config';

export class ApiError extends Error implements ApiErrorBody {
  readonly code: string;
  readonly status: number;
  readonly errors: Array<Record<string, unknown>>;

  constructor(body: ApiErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.code = body.code;
    this.status = body.status;
    this.errors = body.errors ?? [];
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
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
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
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
    });
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
