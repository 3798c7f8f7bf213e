import { describe, expect, it } from 'vitest';
import { EMPTY_VIEW, parseLiveMessage, reduceLive, runStateEvent, type LiveMessage } from './live-messages';

const J = 'job:airflow:etl.load';
const D = 'dataset:pg:public.orders';
const S = 'source:3f1c';

const msg = (type: string, seq: number | null, payload: Record<string, unknown>): LiveMessage => ({ type, seq, ts: '2026-01-01T00:00:00Z', payload });

const snapshot = (seq: number, resync = false) => msg('snapshot', seq, {
  resync,
  nodes: {
    [J]: { kind: 'job', state: 'RUNNING', runId: 'r1', startedAt: '2026-01-01T00:00:00Z', endedAt: null, durationMs: null, error: null, rows: null, bytes: null },
    [D]: { kind: 'dataset', lastProducedAt: '2026-01-01T00:00:00Z', runId: 'r0', producedBy: J, state: 'COMPLETE' },
    [S]: { kind: 'source', health: 'healthy', checkedAt: null, latencyMs: 12, message: null },
    'job:x:odd': { kind: 'unknown-kind' },
  },
});

describe('parseLiveMessage', () => {
  it('reads a message and keeps only integer seqs', () => {
    expect(parseLiveMessage('{"type":"heartbeat","seq":7,"ts":"t","payload":{}}')).toEqual({ type: 'heartbeat', seq: 7, ts: 't', payload: {} });
    expect(parseLiveMessage('{"type":"heartbeat","seq":1.5}')).toMatchObject({ seq: null, payload: {} });
  });

  it('rejects what is not a message', () => {
    expect(parseLiveMessage('not json')).toBeNull();
    expect(parseLiveMessage('[1,2]')).toBeNull();
    expect(parseLiveMessage('{"seq":1}')).toBeNull();
  });
});

describe('reduceLive', () => {
  it('starts from a snapshot: every status by kind, unknown kinds left out, seq taken', () => {
    const view = reduceLive(EMPTY_VIEW, snapshot(10));
    expect(Object.keys(view.nodes).sort()).toEqual([D, J, S].sort());
    expect(view.nodes[J]).toMatchObject({ kind: 'job', state: 'RUNNING', runId: 'r1' });
    expect(view.nodes[S]).toMatchObject({ kind: 'source', health: 'healthy', latencyMs: 12 });
    expect(view.seq).toBe(10);
    expect(view.snapshots).toBe(1);
  });

  it('applies run.state, node.status and source.health deltas and advances the seq', () => {
    let view = reduceLive(EMPTY_VIEW, snapshot(10));
    view = reduceLive(view, msg('run.state', 11, { jobId: J, runId: 'r1', state: 'FAIL', startedAt: 'a', endedAt: 'b', durationMs: 1500,
      error: { message: 'division by zero', stackTrace: 'Traceback…' }, rows: 10, bytes: 2048 }));
    expect(view.nodes[J]).toEqual({ kind: 'job', state: 'FAIL', runId: 'r1', startedAt: 'a', endedAt: 'b', durationMs: 1500,
      error: { message: 'division by zero', stackTrace: 'Traceback…' }, rows: 10, bytes: 2048 });
    view = reduceLive(view, msg('node.status', 12, { nodeId: D, kind: 'dataset', lastProducedAt: 'b', runId: 'r1', producedBy: J, state: 'FAIL' }));
    expect(view.nodes[D]).toMatchObject({ state: 'FAIL', lastProducedAt: 'b' });
    view = reduceLive(view, msg('source.health', 13, { nodeId: S, sourceId: '3f1c', health: 'unhealthy', checkedAt: 'c', latencyMs: null, message: 'refused' }));
    expect(view.nodes[S]).toMatchObject({ health: 'unhealthy', message: 'refused' });
    expect(view.seq).toBe(13);
  });

  it('ignores a delta replayed twice around a reconnect (seq at or below the one seen)', () => {
    const view = reduceLive(reduceLive(EMPTY_VIEW, snapshot(10)), msg('run.state', 11, { jobId: J, state: 'COMPLETE', runId: 'r1' }));
    const again = reduceLive(view, msg('run.state', 9, { jobId: J, state: 'FAIL', runId: 'r1' }));
    expect(again).toBe(view);
    expect(reduceLive(view, msg('run.state', 11, { jobId: J, state: 'FAIL', runId: 'r1' }))).toBe(view);
  });

  it('replaces everything on a resync snapshot, even with a lower seq', () => {
    let view = reduceLive(EMPTY_VIEW, snapshot(10));
    view = reduceLive(view, msg('run.state', 20, { jobId: 'job:a:new', state: 'RUNNING', runId: 'r9' }));
    view = reduceLive(view, msg('snapshot', 15, { resync: true, nodes: { [J]: { kind: 'job', state: 'COMPLETE', runId: 'r1' } } }));
    expect(Object.keys(view.nodes)).toEqual([J]);
    expect(view.seq).toBe(15);
    expect(view.snapshots).toBe(2);
  });

  it('keeps graph changes and lets unknown types (alerts) only advance the seq', () => {
    let view = reduceLive(EMPTY_VIEW, snapshot(1));
    view = reduceLive(view, msg('graph.changed', 2, { nodes: ['dataset:a:b'], edges: [{ source: J, target: 'dataset:a:b', type: 'output' }] }));
    expect(view.graphChanges).toEqual([{ nodes: ['dataset:a:b'], edges: [{ source: J, target: 'dataset:a:b', type: 'output' }] }]);
    const nodes = view.nodes;
    view = reduceLive(view, msg('alert.fired', 3, { whatever: true }));
    expect(view.nodes).toBe(nodes);
    expect(view.seq).toBe(3);
    view = reduceLive(view, msg('heartbeat', null, {}));
    expect(view.seq).toBe(3);
  });

  it('reads a run.state payload as an event', () => {
    expect(runStateEvent(msg('run.state', 1, { jobId: J, runId: 'r', state: 'FAIL', error: 'boom' }))).toMatchObject({ jobId: J, state: 'FAIL', error: { message: 'boom' } });
    expect(runStateEvent(msg('run.state', 1, { runId: 'r' }))).toBeNull();
    expect(runStateEvent(msg('node.status', 1, { jobId: J }))).toBeNull();
  });
});
