// Where to go after signing in: the location the user asked for, kept in `/signin?next=…`. Only a path of
// this app is accepted, so a crafted sign-in link cannot send anyone to another site afterwards.
import { formatRoute } from './routes';
import { normalizeBasePath } from './runtime-config';

export const SIGN_IN_PATH = 'signin';

/** `next` if it is a path inside the app (under `basePath`, no scheme, no `//host`, not the sign-in page
 *  itself), else the app's home. */
export function safeReturnTo(next: string | null | undefined, basePath: string): string {
  const base = normalizeBasePath(basePath);
  const candidate = (next ?? '').trim();
  if (!candidate || !candidate.startsWith('/') || candidate.startsWith('//') || /[\\\s]/.test(candidate)) return base;
  let parsed: URL;
  try {
    parsed = new URL(candidate, 'http://app.invalid');
  } catch {
    return base;
  }
  if (parsed.origin !== 'http://app.invalid') return base;
  const path = parsed.pathname;
  if (!(path === base || path.startsWith(base) || `${path}/` === base)) return base;
  const rest = path.slice(base.length).replace(/\/+$/, '');
  if (rest === SIGN_IN_PATH) return base;
  return `${path}${parsed.search}${parsed.hash}`;
}

/** The sign-in page's URL remembering `current` (a path + query of the app) to return to. */
export function signInHref(current: string, basePath: string): string {
  const base = normalizeBasePath(basePath);
  const target = safeReturnTo(current, base);
  return formatRoute({ name: 'signin', next: target === base ? '' : target }, base);
}

/** The single sign-on start URL with where to come back to, for providers that honour `next`. */
export function withNext(url: string, next: string): string {
  const hashAt = url.indexOf('#');
  const head = hashAt >= 0 ? url.slice(0, hashAt) : url;
  const hash = hashAt >= 0 ? url.slice(hashAt) : '';
  return `${head}${head.includes('?') ? '&' : '?'}next=${encodeURIComponent(next)}${hash}`;
}
