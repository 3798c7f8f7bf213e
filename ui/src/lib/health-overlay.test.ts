import { describe, expect, it } from 'vitest';
import type { Graph, GraphNode } from '../types/graph';
import type { NodeLive } from './live-messages';
import { edgeId } from './graph';
import { blastRadius, durationVerdict, failures, healthOverlay, jobHealth, overlayDisplays } from './health-overlay';
import type { LiveDisplay } from './live-status';

const A = 'dataset:ns:a', B = 'dataset:ns:b', C = 'dataset:ns:c', D = 'dataset:ns:d';
const J1 = 'job:ns:j1', J2 = 'job:ns:j2', J3 = 'job:ns:j3';

function g(spec: Record<string, GraphNode['data']['latestRun'] | null>, edges: string[]): Graph {
  const graph: Graph = { nodes: {}, edges: {} };
  for (const [id, run] of Object.entries(spec)) {
    const [kind, namespace, name] = id.split(':') as [GraphNode['kind'], string, string];
    graph.nodes[id] = { id, kind, namespace, name, data: run ? { latestRun: run } : {} };
  }
  for (const e of edges) {
    const [s, t] = e.split('>') as [string, string];
    graph.edges[edgeId(s, t)] = { id: edgeId(s, t), source: s, target: t, manual: false };
  }
  return graph;
}
const run = (state: 'COMPLETED' | 'FAILED' | 'RUNNING', durationMs: number | null = 1000, startedAt: string | null = '2024-05-01T10:00:00Z') =>
  ({ id: `r-${state}`, state, startedAt, endedAt: null, durationMs });
const stats = { count: 10, p50Ms: 1000, p95Ms: 2000 };

// a → j1 → b → j2 → c → j3 → d ; j2 failed
const graph = g({ [A]: null, [J1]: run('COMPLETED'), [B]: null, [J2]: run('FAILED'), [C]: null, [J3]: run('COMPLETED'), [D]: null },
  [`${A}>${J1}`, `${J1}>${B}`, `${B}>${J2}`, `${J2}>${C}`, `${C}>${J3}`, `${J3}>${D}`]);

describe('health overlay', () => {
  it('colours jobs by their last run and flags what a failed run wrote', () => {
    const overlay = healthOverlay(graph, {}, {}, Date.parse('2024-05-01T11:00:00Z'));
    expect(overlay[J1]?.health).toBe('ok');
    expect(overlay[J2]?.health).toBe('failed');
    expect(overlay[C]).toMatchObject({ health: 'failed', by: [J2] });
    expect(overlay[C]?.reason).toMatch(/written by a failed run of j2/);
    expect(overlay[B]).toBeUndefined();
    expect(overlay[D]).toBeUndefined();
    expect(failures(overlay)).toEqual([C, J2].sort());
  });

  it('calls a run late past the p95, also while still running', () => {
    const now = Date.parse('2024-05-01T10:00:05Z');
    expect(jobHealth({ state: 'COMPLETED', runId: 'r', startedAt: null, durationMs: 2500, error: null }, stats, now)?.health).toBe('late');
    expect(jobHealth({ state: 'COMPLETED', runId: 'r', startedAt: null, durationMs: 1500, error: null }, stats, now)?.health).toBe('ok');
    expect(jobHealth({ state: 'RUNNING', runId: 'r', startedAt: '2024-05-01T10:00:00Z', durationMs: null, error: null }, stats, now)?.health).toBe('late');
    expect(jobHealth({ state: 'RUNNING', runId: 'r', startedAt: '2024-05-01T10:00:04Z', durationMs: null, error: null }, stats, now)?.health).toBe('running');
    // without enough history there is no p95 to be late against
    expect(jobHealth({ state: 'COMPLETED', runId: 'r', startedAt: null, durationMs: 9e9, error: null }, { ...stats, count: 2 }, now)?.health).toBe('ok');
    const late = healthOverlay(graph, {}, { [J1]: { count: 5, p50Ms: 100, p95Ms: 200 } }, now);
    expect(late[J1]?.health).toBe('late');
    expect(late[B]).toMatchObject({ health: 'late', by: [J1] });
  });

  it('prefers the live stream over what the API sent', () => {
    const live: Record<string, NodeLive> = {
      [J2]: { kind: 'job', state: 'COMPLETE', runId: 'r2', startedAt: null, endedAt: null, durationMs: 10, error: null, rows: null, bytes: null },
      [D]: { kind: 'dataset', lastProducedAt: null, runId: 'r3', producedBy: J3, state: 'FAIL' },
    };
    const overlay = healthOverlay(graph, live, {}, 0);
    expect(overlay[J2]?.health).toBe('ok');
    expect(overlay[C]).toBeUndefined();
    expect(overlay[D]?.health).toBe('failed');
  });

  it('turns into card displays, keeping live ones and the stale grey', () => {
    const overlay = healthOverlay(graph, {}, {}, 0);
    const liveC: LiveDisplay = { status: 'ok', statusText: 'last produced just now', error: null, metric: '1 min ago', health: null };
    const shown = overlayDisplays(overlay, { [C]: liveC }, true);
    expect(shown[J2]?.status).toBe('failing');
    expect(shown[C]?.status).toBe('failing');
    expect(shown[C]?.metric).toBe('1 min ago');
    expect(overlayDisplays(overlay, { [C]: { ...liveC, status: 'stale' } }, false)[C]?.status).toBe('stale');
  });

  it('finds everything downstream of a failure', () => {
    const blast = blastRadius(graph, [J2]);
    expect([...blast.downstream].sort()).toEqual([C, D, J3].sort());
    expect(blast.nodes.has(J2)).toBe(true);
    expect([...blast.edges].sort()).toEqual([edgeId(J2, C), edgeId(C, J3), edgeId(J3, D)].sort());
    expect(blastRadius(graph, ['job:ns:gone']).nodes.size).toBe(0);
  });

  it('compares a duration with p50/p95', () => {
    expect(durationVerdict(2500, stats)).toMatchObject({ late: true, level: 'failing' });
    expect(durationVerdict(1500, stats)).toMatchObject({ late: false, text: 'slower than usual' });
    expect(durationVerdict(500, stats)?.text).toBe('typical');
    expect(durationVerdict(500, { count: 1, p50Ms: 1, p95Ms: 1 })).toBeNull();
  });
});

describe('health overlay on dashboards', () => {
  it('builds the graph from dashboard nodes and edges and carries failures downstream', async () => {
    const { dashboardGraph } = await import('./health-overlay');
    const dash = dashboardGraph(
      [{ id: 'n1', ref: { kind: 'job', id: 'job:etl:load' } }, { id: 'n2', ref: { kind: 'dataset', id: 'dataset:pg:orders' } },
        { id: 'n3', ref: { kind: 'dataset', id: 'dataset:pg:report' } }, { id: 'n4', ref: { kind: 'source', id: 's1' } }],
      [{ source: 'n1', target: 'n2' }, { source: 'n2', target: 'n3' }, { source: 'n9', target: 'n1' }]);
    expect(Object.keys(dash.edges)).toEqual(['n1->n2', 'n2->n3']);
    const live: Record<string, NodeLive> = { n1: { kind: 'job', state: 'FAIL', runId: 'r', startedAt: null, endedAt: null, durationMs: null, error: { message: 'boom' }, rows: null, bytes: null } };
    const overlay = healthOverlay(dash, live, {}, 0);
    expect(overlay.n1?.reason).toBe('last run failed: boom');
    expect(overlay.n2?.health).toBe('failed');
    expect([...blastRadius(dash, failures(overlay)).downstream].sort()).toEqual(['n2', 'n3']);
  });
});
