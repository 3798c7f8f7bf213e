import { describe, expect, it } from 'vitest';
import type { Run } from '../types/api';
import type { Graph } from '../types/graph';
import { edgeId } from './graph';
import { focusJob, formatUtc, fromUtcInput, runInstant, stopIndex, timeStops, toUtcInput } from './lineage-time';
import { parseExplorerState, serializeExplorerState, defaultExplorerState } from './lineage-url';

const run = (id: string, endedAt: string | null, extra: Partial<Run> = {}): Run => ({ id, state: 'COMPLETED', startedAt: null, endedAt, durationMs: null, ...extra });

describe('time stops', () => {
  it('puts the runs oldest first, by their end, then now', () => {
    const stops = timeStops([run('bbbbbbbb-2', '2024-05-01T12:00:00.000000Z'), run('aaaaaaaa-1', '2024-05-01T10:00:00.000000Z'),
      run('cccccccc-3', null, { state: 'RUNNING', updatedAt: '2024-05-01T13:00:00Z' }), run('dddddddd-4', null)]);
    expect(stops.map((s) => s.runId)).toEqual(['aaaaaaaa-1', 'bbbbbbbb-2', 'cccccccc-3', null]);
    expect(stops[0]!.label).toBe('2024-05-01 10:00:00 · run aaaaaaaa completed');
    expect(stops[3]).toMatchObject({ at: null, label: 'now' });
    expect(runInstant(run('x', null, { startedAt: '2024-01-01T00:00:00Z' }))).toBe('2024-01-01T00:00:00Z');
  });

  it('finds the stop shown for an instant: the last run at or before it, now for null', () => {
    const stops = timeStops([run('a', '2024-05-01T10:00:00Z'), run('b', '2024-05-01T12:00:00Z')]);
    expect(stopIndex(stops, null)).toBe(2);
    expect(stopIndex(stops, '2024-05-01T10:00:00Z')).toBe(0);
    expect(stopIndex(stops, '2024-05-01T11:00:00Z')).toBe(0);
    expect(stopIndex(stops, '2024-05-01T12:30:00Z')).toBe(1);
    expect(stopIndex(stops, '2020-01-01T00:00:00Z')).toBe(0);
  });

  it('reads and writes the UTC datetime field', () => {
    expect(toUtcInput('2024-05-01T12:00:05+02:00')).toBe('2024-05-01T10:00:05');
    expect(fromUtcInput('2024-05-01T10:00:05')).toBe('2024-05-01T10:00:05.000Z');
    expect(fromUtcInput('2024-05-01T10:00')).toBe('2024-05-01T10:00:00.000Z');
    expect(fromUtcInput('')).toBeNull();
    expect(toUtcInput(null)).toBe('');
    expect(formatUtc('2024-05-01T10:00:00.123456Z')).toBe('2024-05-01 10:00:00');
  });
});

describe('focus job', () => {
  const D = 'dataset:pg:out', W = 'job:etl:writer', R = 'job:etl:reader';
  const graph: Graph = {
    nodes: { [D]: { id: D, kind: 'dataset', namespace: 'pg', name: 'out', data: {} }, [W]: { id: W, kind: 'job', namespace: 'etl', name: 'writer', data: {} },
      [R]: { id: R, kind: 'job', namespace: 'etl', name: 'reader', data: {} } },
    edges: { [edgeId(W, D)]: { id: edgeId(W, D), source: W, target: D, manual: false }, [edgeId(D, R)]: { id: edgeId(D, R), source: D, target: R, manual: false } },
  };
  it('is the focus job, else the selected job, else a writer, else a reader', () => {
    expect(focusJob(R, W, graph)).toBe(R);
    expect(focusJob(D, R, graph)).toBe(R);
    expect(focusJob(D, null, graph)).toBe(W);
    const noWriter = { ...graph, edges: { [edgeId(D, R)]: graph.edges[edgeId(D, R)]! } };
    expect(focusJob(D, null, noWriter)).toBe(R);
    expect(focusJob(D, null, { nodes: {}, edges: {} })).toBeNull();
  });
});

describe('time state in the URL', () => {
  it('round-trips the instant, the stale toggle and both kinds of diff sides, and leaves them out by default', () => {
    const state = { ...defaultExplorerState('job:etl:j'), asOf: '2024-05-01T10:00:00.000Z', stale: true,
      diff: { fromRun: 'r1', toRun: null, from: null, to: '2024-05-01T12:00:00.000Z' } };
    const search = serializeExplorerState(state);
    expect(new URLSearchParams(search).get('at')).toBe('2024-05-01T10:00:00.000Z');
    expect(parseExplorerState(search)).toEqual(state);
    expect(serializeExplorerState(defaultExplorerState('job:etl:j'))).toBe('nodeId=job%3Aetl%3Aj');
    expect(parseExplorerState('nodeId=x&at=yesterday').asOf).toBeNull();
    expect(parseExplorerState('nodeId=x&diff=1').diff).toEqual({ fromRun: null, toRun: null, from: null, to: null });
  });
});
