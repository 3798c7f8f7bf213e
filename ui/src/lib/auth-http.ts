// The HTTP rules of the cookie session, as pure functions: which requests carry the CSRF token, which 401s
// are worth one refresh, and how long a 429 asks to wait.

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function isUnsafeMethod(method: string | undefined): boolean {
  return UNSAFE.has((method ?? 'GET').toUpperCase());
}

/** Auth routes whose 401 is an answer, not an expired session: refreshing would not help (or would loop). */
const NO_REFRESH = ['/auth/me', '/auth/login', '/auth/refresh', '/auth/logout', '/auth/config'];

/** Should a response `status` to API `path` (relative to the API root, e.g. `/dashboards?x=1`) trigger one
 *  session refresh and a retry? */
export function shouldRefresh(path: string, status: number): boolean {
  if (status !== 401) return false;
  const bare = path.split(/[?#]/, 1)[0] ?? '';
  return !NO_REFRESH.some((p) => bare === p || bare.endsWith(p));
}

/** Seconds to wait from a `Retry-After` header (delta-seconds or an HTTP date), at least 1; null if absent
 *  or unreadable. */
export function retryAfterSeconds(header: string | null | undefined, now: number = Date.now()): number | null {
  const value = (header ?? '').trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return Math.max(1, Number(value));
  const at = Date.parse(value);
  if (Number.isNaN(at)) return null;
  return Math.max(1, Math.ceil((at - now) / 1000));
}
