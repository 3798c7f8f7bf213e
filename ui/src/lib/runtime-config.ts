// Where the UI is mounted and where the API lives, read at run time so one build works at "/" and
// under a prefix (the Airflow plugin). Sources, first wins: window.__LINEAGELENS__ {basePath, apiBase},
// then <meta name="lineagelens-base"> / <meta name="lineagelens-api">, then "/" and "{base}api/v1".

export interface RuntimeConfig {
  /** Always starts and ends with "/". */
  basePath: string;
  /** No trailing slash, e.g. "/api/v1" or "https://host/prefix/api/v1". */
  apiBase: string;
}

declare global {
  interface Window {
    __LINEAGELENS__?: { basePath?: string; apiBase?: string };
  }
}

export function normalizeBasePath(raw: string | null | undefined): string {
  let base = (raw ?? '').trim() || '/';
  try {
    // Accept absolute URLs too: keep their path.
    if (/^[a-z]+:\/\//i.test(base)) base = new URL(base).pathname;
  } catch {
    base = '/';
  }
  if (!base.startsWith('/')) base = `/${base}`;
  if (!base.endsWith('/')) base = `${base}/`;
  return base.replace(/\/{2,}/g, '/');
}

export function resolveRuntimeConfig(injected: { basePath?: string; apiBase?: string } | undefined,
                                     metaBase: string | null, metaApi: string | null): RuntimeConfig {
  const basePath = normalizeBasePath(injected?.basePath ?? metaBase);
  const api = (injected?.apiBase ?? metaApi ?? '').trim();
  const apiBase = (api || `${basePath}api/v1`).replace(/\/+$/, '');
  return { basePath, apiBase };
}

let cached: RuntimeConfig | null = null;

export function runtimeConfig(): RuntimeConfig {
  if (cached) return cached;
  if (typeof document === 'undefined') return { basePath: '/', apiBase: '/api/v1' };
  const meta = (name: string) => document.querySelector(`meta[name="${name}"]`)?.getAttribute('content') ?? null;
  cached = resolveRuntimeConfig(window.__LINEAGELENS__, meta('lineagelens-base'), meta('lineagelens-api'));
  return cached;
}
