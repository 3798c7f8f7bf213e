// The app's routes as data: parse a location into a Route and format a Route back into a URL, both
// relative to the runtime base path. Pure, so deep links are testable without a browser.
import { normalizeBasePath } from './runtime-config';

export type Route =
  | { name: 'home' }
  | { name: 'search'; q: string; filter: string }
  | { name: 'lineage'; search: string }
  | { name: 'dataset'; namespace: string; dataset: string }
  | { name: 'job'; namespace: string; job: string }
  | { name: 'run'; id: string }
  | { name: 'browse'; kind: 'datasets' | 'jobs'; search: string }
  | { name: 'dashboards' }
  | { name: 'dashboard'; id: string }
  | { name: 'bench'; search: string }
  /** The lineage of one Airflow DAG without the app's chrome: what the Airflow plugin's DAG tab frames. */
  | { name: 'embed-dag'; namespace: string; dag: string }
  | { name: 'signin'; next: string }
  | { name: 'admin-users' }
  | { name: 'admin-api-keys' }
  | { name: 'admin-audit'; search: string }
  /** Alerts (docs/ui.md "Alerts and incidents"): incidents (`?state=`), one incident, rules, channels, deliveries. */
  | { name: 'incidents'; search: string }
  | { name: 'incident'; id: string }
  | { name: 'alert-rules' }
  | { name: 'alert-channels' }
  | { name: 'alert-notifications'; search: string }
  /** The identity console (docs/ui.md "Identity"): likely duplicates, merge rules, external sources. */
  | { name: 'identity' }
  | { name: 'not-found'; path: string };

const enc = encodeURIComponent;

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** `pathname` and `search` as in window.location; `basePath` as from runtimeConfig(). */
export function parseRoute(pathname: string, search: string, basePath: string): Route {
  const base = normalizeBasePath(basePath);
  let path = pathname.startsWith(base) ? pathname.slice(base.length) : pathname.replace(/^\/+/, '');
  path = path.replace(/\/+$/, '');
  const parts = path === '' ? [] : path.split('/').map(safeDecode);
  const params = new URLSearchParams(search);
  const [head, a, b] = parts;
  if (parts.length === 0 || (parts.length === 1 && head === 'index.html')) return { name: 'home' };
  if (head === 'search' && parts.length === 1) return { name: 'search', q: params.get('q') ?? '', filter: params.get('filter') ?? '' };
  if (head === 'lineage' && parts.length === 1) return { name: 'lineage', search: params.toString() };
  if (head === 'datasets' && a !== undefined && b !== undefined && parts.length === 3) return { name: 'dataset', namespace: a, dataset: b };
  if (head === 'jobs' && a !== undefined && b !== undefined && parts.length === 3) return { name: 'job', namespace: a, job: b };
  if (head === 'runs' && a !== undefined && parts.length === 2) return { name: 'run', id: a };
  if (head === 'browse' && parts.length === 1) return { name: 'browse', kind: 'datasets', search: params.toString() };
  if (head === 'browse' && (a === 'datasets' || a === 'jobs') && parts.length === 2) return { name: 'browse', kind: a, search: params.toString() };
  if (head === 'dashboards' && parts.length === 1) return { name: 'dashboards' };
  if (head === 'dashboards' && a !== undefined && parts.length === 2) return { name: 'dashboard', id: a };
  if (head === '__bench' && parts.length === 1) return { name: 'bench', search: params.toString() };
  if (head === 'embed' && a === 'dag' && b !== undefined && parts.length === 4) return { name: 'embed-dag', namespace: b, dag: parts[3]! };
  if (head === 'signin' && parts.length === 1) return { name: 'signin', next: params.get('next') ?? '' };
  if (head === 'admin' && parts.length === 1) return { name: 'admin-users' };
  if (head === 'admin' && a === 'users' && parts.length === 2) return { name: 'admin-users' };
  if (head === 'admin' && a === 'api-keys' && parts.length === 2) return { name: 'admin-api-keys' };
  if (head === 'admin' && a === 'audit' && parts.length === 2) return { name: 'admin-audit', search: params.toString() };
  if (head === 'incidents' && parts.length === 1) return { name: 'incidents', search: params.toString() };
  if (head === 'incidents' && a !== undefined && parts.length === 2) return { name: 'incident', id: a };
  if (head === 'alerts' && parts.length === 1) return { name: 'incidents', search: params.toString() };
  if (head === 'alerts' && a === 'rules' && parts.length === 2) return { name: 'alert-rules' };
  if (head === 'alerts' && a === 'channels' && parts.length === 2) return { name: 'alert-channels' };
  if (head === 'alerts' && a === 'notifications' && parts.length === 2) return { name: 'alert-notifications', search: params.toString() };
  if (head === 'identity' && parts.length === 1) return { name: 'identity' };
  return { name: 'not-found', path };
}

/** The URL (with base path) of a route. */
export function formatRoute(route: Route, basePath: string): string {
  const base = normalizeBasePath(basePath);
  const withQuery = (path: string, query: string) => (query ? `${base}${path}?${query}` : `${base}${path}`);
  switch (route.name) {
    case 'home':
      return base;
    case 'search': {
      const q = new URLSearchParams();
      if (route.q) q.set('q', route.q);
      if (route.filter) q.set('filter', route.filter);
      return withQuery('search', q.toString());
    }
    case 'lineage':
      return withQuery('lineage', route.search);
    case 'dataset':
      return `${base}datasets/${enc(route.namespace)}/${enc(route.dataset)}`;
    case 'job':
      return `${base}jobs/${enc(route.namespace)}/${enc(route.job)}`;
    case 'run':
      return `${base}runs/${enc(route.id)}`;
    case 'browse':
      return withQuery(`browse/${route.kind}`, route.search);
    case 'dashboards':
      return `${base}dashboards`;
    case 'dashboard':
      return `${base}dashboards/${enc(route.id)}`;
    case 'bench':
      return withQuery('__bench', route.search);
    case 'embed-dag':
      return `${base}embed/dag/${enc(route.namespace)}/${enc(route.dag)}`;
    case 'signin':
      return withQuery('signin', route.next ? new URLSearchParams({ next: route.next }).toString() : '');
    case 'admin-users':
      return `${base}admin/users`;
    case 'admin-api-keys':
      return `${base}admin/api-keys`;
    case 'admin-audit':
      return withQuery('admin/audit', route.search);
    case 'incidents':
      return withQuery('incidents', route.search);
    case 'incident':
      return `${base}incidents/${enc(route.id)}`;
    case 'alert-rules':
      return `${base}alerts/rules`;
    case 'alert-channels':
      return `${base}alerts/channels`;
    case 'alert-notifications':
      return withQuery('alerts/notifications', route.search);
    case 'identity':
      return `${base}identity`;
    case 'not-found':
      return `${base}${route.path}`;
  }
}
