import { describe, expect, it } from 'vitest';
import { intParam, pageWindow, parseNamespaces, passwordProblem } from './admin-forms';
import { isUnsafeMethod, retryAfterSeconds, shouldRefresh } from './auth-http';
import { readCookie } from './cookies';
import { canEdit, hasRole, isAdmin, isRole, withArticle } from './roles';
import { safeReturnTo, signInHref, withNext } from './return-to';
import { parseRoute } from './routes';

describe('reading the CSRF cookie', () => {
  it('finds a cookie among others, trimmed and decoded', () => {
    expect(readCookie('a=1; lineagelens_csrf=tok%2Ben; b=2', 'lineagelens_csrf')).toBe('tok+en');
    expect(readCookie('lineagelens_csrf=abc', 'lineagelens_csrf')).toBe('abc');
    expect(readCookie('lineagelens_csrf="quoted"', 'lineagelens_csrf')).toBe('quoted');
  });

  it('does not match a cookie whose name only contains the one asked for', () => {
    expect(readCookie('x_lineagelens_csrf=evil; lineagelens_csrf_old=old', 'lineagelens_csrf')).toBeNull();
    expect(readCookie('', 'lineagelens_csrf')).toBeNull();
  });

  it('keeps a value with "=" in it and a malformed escape as it is', () => {
    expect(readCookie('lineagelens_csrf=a=b==', 'lineagelens_csrf')).toBe('a=b==');
    expect(readCookie('lineagelens_csrf=%E0%A4%A', 'lineagelens_csrf')).toBe('%E0%A4%A');
  });
});

describe('the cookie session over HTTP', () => {
  it('sends the CSRF token on unsafe methods only', () => {
    for (const m of ['POST', 'PUT', 'PATCH', 'DELETE', 'delete']) expect(isUnsafeMethod(m)).toBe(true);
    for (const m of ['GET', 'HEAD', 'OPTIONS', undefined]) expect(isUnsafeMethod(m)).toBe(false);
  });

  it('refreshes on a 401 of an ordinary route, never of the auth routes themselves', () => {
    expect(shouldRefresh('/dashboards', 401)).toBe(true);
    expect(shouldRefresh('/lineage?nodeId=x', 401)).toBe(true);
    expect(shouldRefresh('/dashboards', 403)).toBe(false);
    expect(shouldRefresh('/dashboards', 500)).toBe(false);
    for (const p of ['/auth/me', '/auth/login', '/auth/refresh', '/auth/logout', '/auth/config', '/auth/me?x=1']) {
      expect(shouldRefresh(p, 401)).toBe(false);
    }
  });

  it('reads Retry-After as seconds or as a date', () => {
    expect(retryAfterSeconds('30')).toBe(30);
    expect(retryAfterSeconds('0')).toBe(1);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterSeconds('Wed, 01 Jan 2025 00:00:42 GMT', now)).toBe(42);
    expect(retryAfterSeconds(null)).toBeNull();
    expect(retryAfterSeconds('soon')).toBeNull();
  });
});

describe('roles', () => {
  it('orders viewer < editor < admin', () => {
    expect(canEdit('viewer')).toBe(false);
    expect(canEdit('editor')).toBe(true);
    expect(canEdit('admin')).toBe(true);
    expect(isAdmin('editor')).toBe(false);
    expect(isAdmin('admin')).toBe(true);
    expect(hasRole('viewer', 'viewer')).toBe(true);
  });

  it('names a role with its article', () => {
    expect(withArticle('viewer')).toBe('a viewer');
    expect(withArticle('editor')).toBe('an editor');
    expect(withArticle('admin')).toBe('an admin');
  });

  it('grants nothing to a missing or unknown role', () => {
    for (const r of [null, undefined, '', 'root', 'ADMIN', 'toString', '__proto__']) {
      expect(canEdit(r)).toBe(false);
      expect(isAdmin(r)).toBe(false);
      expect(hasRole(r, 'viewer')).toBe(false);
      expect(isRole(r)).toBe(false);
    }
  });
});

describe('returning after sign-in', () => {
  it('keeps a path of the app with its query and hash', () => {
    expect(safeReturnTo('/dashboards/abc?x=1#n', '/')).toBe('/dashboards/abc?x=1#n');
    expect(safeReturnTo('/p/lineage?nodeId=a', '/p/')).toBe('/p/lineage?nodeId=a');
    expect(safeReturnTo('/p', '/p/')).toBe('/p');
  });

  it('refuses other sites, other mounts, and the sign-in page itself', () => {
    for (const bad of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', 'dashboards', '', null,
      '/signin', '/signin/?next=/x', '/ x']) {
      expect(safeReturnTo(bad, '/')).toBe('/');
    }
    expect(safeReturnTo('/other/dashboards', '/p/')).toBe('/p/');
    expect(safeReturnTo('/p/signin?next=/p/x', '/p/')).toBe('/p/');
  });

  it('builds the sign-in URL remembering where the user was', () => {
    expect(signInHref('/dashboards/a%20b?x=1', '/')).toBe('/signin?next=%2Fdashboards%2Fa%2520b%3Fx%3D1');
    expect(parseRoute('/signin', '?next=%2Fdashboards%2Fa%2520b%3Fx%3D1', '/')).toEqual({ name: 'signin', next: '/dashboards/a%20b?x=1' });
    expect(signInHref('/', '/')).toBe('/signin');
    expect(signInHref('/p/signin?next=/p/x', '/p/')).toBe('/p/signin');
    expect(signInHref('https://evil.example/', '/p/')).toBe('/p/signin');
  });

  it('adds where to return to a single sign-on URL', () => {
    expect(withNext('/api/v1/auth/oidc/login', '/dashboards')).toBe('/api/v1/auth/oidc/login?next=%2Fdashboards');
    expect(withNext('/sso?x=1#top', '/')).toBe('/sso?x=1&next=%2F#top');
  });
});

describe('admin forms', () => {
  it('splits namespaces on commas and white space, dropping blanks and duplicates', () => {
    expect(parseNamespaces('airflow, s3://bucket  postgres://db:5432\nairflow,,')).toEqual(['airflow', 's3://bucket', 'postgres://db:5432']);
    expect(parseNamespaces('   ')).toEqual([]);
  });

  it('asks for 12 characters and the same password twice', () => {
    expect(passwordProblem('short')).toMatch(/12/);
    expect(passwordProblem('x'.repeat(11))).not.toBeNull();
    expect(passwordProblem('x'.repeat(12))).toBeNull();
    expect(passwordProblem('x'.repeat(12), 'y'.repeat(12))).toMatch(/differ/);
    expect(passwordProblem('x'.repeat(12), 'x'.repeat(12))).toBeNull();
  });

  it('pages through a total', () => {
    expect(pageWindow(120, 0, 50, 50)).toEqual({ from: 1, to: 50, total: 120, prevOffset: null, nextOffset: 50 });
    expect(pageWindow(120, 100, 50, 20)).toEqual({ from: 101, to: 120, total: 120, prevOffset: 50, nextOffset: null });
    expect(pageWindow(120, 30, 50, 50)).toMatchObject({ prevOffset: 0, nextOffset: 80 });
    expect(pageWindow(0, 0, 50, 0)).toEqual({ from: 0, to: 0, total: 0, prevOffset: null, nextOffset: null });
  });

  it('reads a non-negative integer parameter', () => {
    expect(intParam('40', 0)).toBe(40);
    for (const bad of [null, '-1', '1e3', 'abc', '99999999999999']) expect(intParam(bad, 7)).toBe(7);
  });
});
