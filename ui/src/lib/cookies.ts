// Reading a cookie out of `document.cookie` (the readable CSRF cookie; the session cookies are httpOnly).

/** The value of cookie `name` in a `document.cookie` string, or null. The first match wins, as browsers send
 *  the most specific path first. */
export function readCookie(cookies: string, name: string): string | null {
  for (const part of cookies.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return null;
}

export const CSRF_COOKIE = 'lineagelens_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';
