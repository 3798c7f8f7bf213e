import { describe, expect, it } from 'vitest';
import type { IncidentSummary } from '../types/alerts';
import type { Graph } from '../types/graph';
import {
  activeCounts, alertEvent, applyAlertEvent, createAlertAnnouncer, impactExplorerSearch, impactHighlight, incidentActions, matchesFilter,
  nodeRoute, sortIncidents, stateFilterOf, stateFilterSearch,
} from './alerts-incidents';
import { edgeId } from './graph';
import { parseExplorerState } from './lineage-url';
import type { LiveMessage } from './live-messages';

const msg = (type: string, payload: Record<string, unknown>, seq = 7): LiveMessage => ({ type, seq, ts: '2026-03-02T08:10:01Z', payload });
const opened = (id: number, extra: Record<string, unknown> = {}) => msg('alert.opened', {
  incidentId: id, rootNodeId: 'job:etl:extract', state: 'open', title: 'Job extract failed', severity: 'error',
  impactedNodeIds: ['dataset:pg:staging.orders', 'job:etl:transform'], ...extra,
});

function incident(id: number, openedAt: string, state: IncidentSummary['state'] = 'open'): IncidentSummary {
  return {
    id, ruleId: 'r', ruleType: 'job_failed', rootNodeId: `job:etl:j${id}`, state, severity: 'error', title: `t${id}`, occurrences: 1,
    attachedCount: 0, impactedCount: 0, owners: [], openedAt, updatedAt: openedAt, acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, resolvedBy: null,
  };
}

describe('incident list', () => {
  it('reads and writes the state filter of the URL (default: active)', () => {
    expect(stateFilterOf('')).toBe('active');
    expect(stateFilterOf('state=resolved')).toBe('resolved');
    expect(stateFilterOf('state=bogus')).toBe('active');
    expect(stateFilterSearch('active')).toBe('');
    expect(stateFilterSearch('all')).toBe('state=all');
    expect(matchesFilter('acknowledged', 'active')).toBe(true);
    expect(matchesFilter('resolved', 'active')).toBe(false);
    expect(matchesFilter('resolved', 'all')).toBe(true);
  });

  it('parses alert messages and ignores everything else', () => {
    expect(alertEvent(opened(12))).toEqual({
      type: 'alert.opened', incidentId: 12, rootNodeId: 'job:etl:extract', state: 'open', title: 'Job extract failed', severity: 'error',
      impactedNodeIds: ['dataset:pg:staging.orders', 'job:etl:transform'],
    });
    expect(alertEvent(msg('run.state', { jobId: 'job:a:b' }))).toBeNull();
    expect(alertEvent(msg('alert.updated', { incidentId: '12', rootNodeId: 'x' }))).toBeNull();
    expect(alertEvent(msg('alert.resolved', { incidentId: 3, rootNodeId: 'x' }))?.state).toBe('resolved');
  });

  it('adds an opened incident at the top at once, updates a known one, drops one leaving the filter', () => {
    const list = sortIncidents([incident(1, '2026-03-01T00:00:00Z'), incident(2, '2026-03-01T05:00:00Z')]);
    expect(list.map((i) => i.id)).toEqual([2, 1]);
    const withNew = applyAlertEvent(list, alertEvent(opened(3))!, 'active', '2026-03-02T08:10:01Z');
    expect(withNew.map((i) => i.id)).toEqual([3, 2, 1]);
    expect(withNew[0]).toMatchObject({ title: 'Job extract failed', impactedCount: 2, state: 'open' });
    const acked = applyAlertEvent(withNew, alertEvent(msg('alert.updated', { incidentId: 2, rootNodeId: 'job:etl:j2', state: 'acknowledged', title: 't2', severity: 'warning' }))!, 'active', 'T');
    expect(acked.find((i) => i.id === 2)).toMatchObject({ state: 'acknowledged', severity: 'warning', acknowledgedAt: 'T' });
    const resolved = applyAlertEvent(acked, alertEvent(msg('alert.resolved', { incidentId: 2, rootNodeId: 'job:etl:j2', state: 'resolved', title: 't2' }))!, 'active', 'T');
    expect(resolved.map((i) => i.id)).toEqual([3, 1]);
    // A filter the incident does not match: nothing is added.
    expect(applyAlertEvent(list, alertEvent(opened(4))!, 'resolved', 'T')).toEqual(list);
  });

  it('offers acknowledge and resolve by state, and nothing to viewers', () => {
    expect(incidentActions('open', true)).toEqual({ ack: true, resolve: true });
    expect(incidentActions('acknowledged', true)).toEqual({ ack: false, resolve: true });
    expect(incidentActions('resolved', true)).toEqual({ ack: false, resolve: false });
    expect(incidentActions('open', false)).toEqual({ ack: false, resolve: false });
  });

  it('counts active incidents by severity', () => {
    const list = [incident(1, 'a'), { ...incident(2, 'b'), severity: 'critical' as const }, incident(3, 'c', 'resolved')];
    expect(activeCounts(list)).toEqual({ critical: 1, error: 1, warning: 0, info: 0 });
  });
});

describe('toasts for opened incidents', () => {
  it('raises one toast per incident however many streams carry it, none for updates', () => {
    const said: string[] = [];
    const announce = createAlertAnnouncer((text) => said.push(text));
    announce(opened(12));
    announce(opened(12));
    announce(msg('alert.updated', { incidentId: 13, rootNodeId: 'x', state: 'open' }));
    announce(msg('run.state', { jobId: 'job:a:b', state: 'FAIL' }));
    announce(opened(14, { severity: 'critical', title: 'Dataset mart.orders not fresh' }));
    expect(said).toEqual(['Incident #12 opened (error): Job extract failed', 'Incident #14 opened (critical): Dataset mart.orders not fresh']);
  });
});

describe('impact on the graph', () => {
  const ROOT = 'job:etl:extract', A = 'dataset:pg:staging.orders', T = 'job:etl:transform', B = 'dataset:pg:mart.orders', OTHER = 'dataset:pg:unrelated';
  const node = (id: string) => ({ id, kind: (id.startsWith('job') ? 'job' : 'dataset') as 'job' | 'dataset', namespace: id.split(':')[1]!, name: id.split(':')[2]!, data: {} });
  const graph: Graph = {
    nodes: Object.fromEntries([ROOT, A, T, B, OTHER].map((id) => [id, node(id)])),
    edges: Object.fromEntries([[ROOT, A], [A, T], [T, B], [ROOT, OTHER]].map(([s, t]) => [edgeId(s!, t!), { id: edgeId(s!, t!), source: s!, target: t!, manual: false }])),
  };

  it('highlights the root, the impacted nodes drawn and the edges between them', () => {
    const hl = impactHighlight(graph, ROOT, [A, T, B, 'dataset:pg:gone']);
    expect([...hl.nodes].sort()).toEqual([A, B, ROOT, T].sort());
    expect([...hl.edges].sort()).toEqual([edgeId(ROOT, A), edgeId(A, T), edgeId(T, B)].sort());
    expect(hl.missing).toEqual(['dataset:pg:gone']);
  });

  it('links to the explorer on the root, deep enough, with its downstream highlighted', () => {
    const state = parseExplorerState(impactExplorerSearch(ROOT, 5));
    expect(state).toMatchObject({ nodeId: ROOT, depth: 5, blast: ROOT, impact: ROOT, impactDir: 'downstream' });
    expect(parseExplorerState(impactExplorerSearch(ROOT, 99)).depth).toBe(20);
  });

  it('finds the page of a node id, namespaces with colons included', () => {
    expect(nodeRoute('dataset:postgres://db:5432:mart.orders', ['postgres://db:5432'])).toEqual({ name: 'dataset', namespace: 'postgres://db:5432', dataset: 'mart.orders' });
    expect(nodeRoute('job:etl:extract')).toEqual({ name: 'job', namespace: 'etl', job: 'extract' });
    expect(nodeRoute('source:abc')).toBeNull();
  });
});
