// The lineage store fetches every part of the view at the view's instant (lineage through time).
import { describe, expect, it } from 'vitest';
import type { TimeOptions } from '../api/lineage';
import type { LineageResponse } from '../types/api';
import { createLineageStore } from './lineage-store';

const A = 'dataset:ns:a', J = 'job:ns:j';
const response: LineageResponse = { graph: [
  { id: A, type: 'DATASET', data: { namespace: 'ns', name: 'a' }, inEdges: [], outEdges: [{ origin: A, destination: J, stale: true }] },
  { id: J, type: 'JOB', data: { namespace: 'ns', name: 'j' }, inEdges: [{ origin: A, destination: J, stale: true }], outEdges: [] },
] };

describe('lineage store through time', () => {
  it('passes the instant and the stale toggle to the base, expansions, columns and paths, and reloads when they change', async () => {
    const calls: Array<[string, TimeOptions | undefined]> = [];
    const store = createLineageStore({
      async getLineage(nodeId, _depth, direction, time) { calls.push([`${direction}:${nodeId}`, time]); return response; },
      async getColumnLineage(nodeId, _depth, _down, time) { calls.push([`columns:${nodeId}`, time]); return { graph: [] }; },
      async getPath(from, to, time) { calls.push([`path:${from}:${to}`, time]); return { from, to, paths: [] }; },
    });
    const then = { asOf: '2024-05-01T10:00:00Z', includeStale: true };
    await store.getState().loadBase(A, 2, then);
    await store.getState().expand(J, 'down');
    await store.getState().loadColumns(A, 2);
    await store.getState().loadPath(A, J);
    expect(calls.map(([what, time]) => [what, time])).toEqual([
      [`both:${A}`, then], [`down:${J}`, then], [`columns:${A}`, then], [`path:${A}:${J}`, then], [`path:${J}:${A}`, then]]);
    expect(store.getState().graph.edges[`${A}->${J}`]!.stale).toBe(true);
    await store.getState().loadBase(A, 2, then);
    expect(calls).toHaveLength(5);
    await store.getState().loadBase(A, 2, {});
    expect(calls).toHaveLength(6);
    expect(calls[5]).toEqual([`both:${A}`, {}]);
    expect(store.getState().time).toEqual({});
  });
});
