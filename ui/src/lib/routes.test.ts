import { describe, expect, it } from 'vitest';
import { formatRoute, parseRoute, type Route } from './routes';
import { defaultExplorerState, parseExplorerState, serializeExplorerState } from './lineage-url';
import { normalizeBasePath, resolveRuntimeConfig } from './runtime-config';

describe('runtime config', () => {
  it('normalizes base paths', () => {
    expect(normalizeBasePath(undefined)).toBe('/');
    expect(normalizeBasePath('lineagelens')).toBe('/lineagelens/');
    expect(normalizeBasePath('/a//b')).toBe('/a/b/');
    expect(normalizeBasePath('http://host:8080/airflow/lineagelens')).toBe('/airflow/lineagelens/');
  });

  it('prefers the injected object over meta tags and derives the API root', () => {
    expect(resolveRuntimeConfig(undefined, '/x/', null)).toEqual({ basePath: '/x/', apiBase: '/x/api/v1' });
    expect(resolveRuntimeConfig({ basePath: '/y', apiBase: '/api/v1/' }, '/x/', '')).toEqual({ basePath: '/y/', apiBase: '/api/v1' });
    expect(resolveRuntimeConfig(undefined, '/', '/other/api/v1')).toEqual({ basePath: '/', apiBase: '/other/api/v1' });
  });
});

describe('routes', () => {
  const cases: Array<[Route, string]> = [
    [{ name: 'home' }, '/p/'],
    [{ name: 'dataset', namespace: 'gs://bucket', dataset: 'a/b.csv' }, '/p/datasets/gs%3A%2F%2Fbucket/a%2Fb.csv'],
    [{ name: 'job', namespace: 'airflow', job: 'dag.task' }, '/p/jobs/airflow/dag.task'],
    [{ name: 'dashboards' }, '/p/dashboards'],
    [{ name: 'dashboard', id: 'abc' }, '/p/dashboards/abc'],
    [{ name: 'run', id: '0190e3c2-7f2a-7b4e-9c1d-5a6b7c8d9e0f' }, '/p/runs/0190e3c2-7f2a-7b4e-9c1d-5a6b7c8d9e0f'],
    [{ name: 'browse', kind: 'jobs', search: '' }, '/p/browse/jobs'],
    [{ name: 'admin-users' }, '/p/admin/users'],
    [{ name: 'admin-api-keys' }, '/p/admin/api-keys'],
  ];
  it.each(cases)('round-trips %j', (route, url) => {
    expect(formatRoute(route, '/p/')).toBe(url);
    expect(parseRoute(url, '', '/p/')).toEqual(route);
  });

  it('keeps query strings of search and lineage', () => {
    expect(parseRoute('/search', '?q=orders&filter=job', '/')).toEqual({ name: 'search', q: 'orders', filter: 'job' });
    expect(formatRoute({ name: 'search', q: 'a b', filter: '' }, '/')).toBe('/search?q=a+b');
    expect(parseRoute('/lineage', '?nodeId=x', '/')).toEqual({ name: 'lineage', search: 'nodeId=x' });
  });

  it('routes sign-in with where to return, and the admin pages', () => {
    expect(parseRoute('/signin', '?next=%2Fdashboards', '/')).toEqual({ name: 'signin', next: '/dashboards' });
    expect(parseRoute('/signin', '', '/')).toEqual({ name: 'signin', next: '' });
    expect(formatRoute({ name: 'signin', next: '/p/lineage?nodeId=a' }, '/p/')).toBe('/p/signin?next=%2Fp%2Flineage%3FnodeId%3Da');
    expect(formatRoute({ name: 'signin', next: '' }, '/')).toBe('/signin');
    expect(parseRoute('/admin', '', '/')).toEqual({ name: 'admin-users' });
    expect(parseRoute('/admin/audit', '?actor=ann&offset=50', '/')).toEqual({ name: 'admin-audit', search: 'actor=ann&offset=50' });
    expect(formatRoute({ name: 'admin-audit', search: 'action=apikey.create' }, '/')).toBe('/admin/audit?action=apikey.create');
    expect(parseRoute('/admin/nope', '', '/')).toEqual({ name: 'not-found', path: 'admin/nope' });
  });

  it('reports unknown paths', () => {
    expect(parseRoute('/nope/x', '', '/')).toEqual({ name: 'not-found', path: 'nope/x' });
    expect(parseRoute('/p', '', '/p/')).toEqual({ name: 'not-found', path: 'p' });
  });
});

describe('explorer URL state', () => {
  it('leaves defaults out', () => {
    expect(serializeExplorerState(defaultExplorerState('dataset:file:/t'))).toBe('nodeId=dataset%3Afile%3A%2Ft');
  });

  it('round-trips every field', () => {
    const state = {
      ...defaultExplorerState('dataset:postgres://h:5432:db.t'),
      depth: 4, view: 'column' as const, hideJobs: true, hiddenKinds: ['source' as const], namespaces: ['a', 'b:c'],
      selected: 'job:a:j', pathFrom: 'dataset:a:x', pathTo: 'dataset:a:y', q: 'ord', field: 'dataset:a:x:col',
      ops: [{ action: 'expand' as const, direction: 'up' as const, nodeId: 'job:a:j' }, { action: 'collapse' as const, direction: 'down' as const, nodeId: 'dataset:a:y' }],
      blast: 'job:a:j', impact: 'dataset:a:x', impactDir: 'upstream' as const,
    };
    expect(parseExplorerState(serializeExplorerState(state))).toEqual(state);
  });

  it('clamps and ignores bad values', () => {
    const state = parseExplorerState('depth=99&view=weird&hide=nope&x=bad');
    expect(state.depth).toBe(20);
    expect(state.view).toBe('graph');
    expect(state.hiddenKinds).toEqual([]);
    expect(state.ops).toEqual([]);
    expect(parseExplorerState('depth=0').depth).toBe(1);
  });
});
