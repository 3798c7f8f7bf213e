import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import type { Dashboard, LineageResponse } from '../types/api';
import { addNode, connect } from '../lib/dashboard-doc';
import { opKey } from '../lib/expansion';
import { createDashboardStore, type DashboardApi } from './dashboard-store';
import { createLineageStore, EXPAND_DEPTH, type LineageApi } from './lineage-store';

const A = 'dataset:ns:a', J = 'job:ns:j', B = 'dataset:ns:b', C = 'dataset:ns:c', J2 = 'job:ns:j2';
const wire = (id: string, type: 'DATASET' | 'JOB', inEdges: string[][] = [], outEdges: string[][] = []) => ({
  id, type, data: { namespace: 'ns', name: id.split(':')[2]! },
  inEdges: inEdges.map(([o, d]) => ({ origin: o!, destination: d! })),
  outEdges: outEdges.map(([o, d]) => ({ origin: o!, destination: d! })),
});

function lineageApi(): LineageApi & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async getLineage(nodeId, depth, direction): Promise<LineageResponse> {
      calls.push(`${direction}:${nodeId}:${depth}`);
      if (direction === 'both') return { graph: [wire(A, 'DATASET', [], [[A, J]]), wire(J, 'JOB', [[A, J]], [[J, B]]), wire(B, 'DATASET', [[J, B]])], truncated: false };
      return { graph: [wire(B, 'DATASET', [], [[B, J2]]), wire(J2, 'JOB', [[B, J2]], [[J2, C]]), wire(C, 'DATASET', [[J2, C]])], truncated: true };
    },
    async getColumnLineage() {
      return { graph: [] };
    },
    async getPath(from, to) {
      calls.push(`path:${from}:${to}`);
      return from === A ? { from, to, paths: [] } : { from, to, paths: [{ length: 2, nodes: [B, J, A], edges: [], hops: [] }] };
    },
  };
}

describe('lineage store', () => {
  it('loads the base graph once per node and depth', async () => {
    const api = lineageApi();
    const store = createLineageStore(api);
    await store.getState().loadBase(A, 2);
    await store.getState().loadBase(A, 2);
    expect(api.calls).toEqual([`both:${A}:2`]);
    expect(Object.keys(store.getState().graph.nodes)).toHaveLength(3);
    expect(store.getState().status).toBe('ready');
  });

  it('expands on demand from the node, merging and remembering what came in', async () => {
    const api = lineageApi();
    const store = createLineageStore(api);
    await store.getState().loadBase(A, 2);
    const ids = await store.getState().expand(B, 'down');
    expect(api.calls).toContain(`down:${B}:${EXPAND_DEPTH}`);
    expect(ids.sort()).toEqual([B, C, J2].sort());
    expect(Object.keys(store.getState().graph.nodes)).toHaveLength(5);
    expect(store.getState().loaded[opKey({ action: 'expand', direction: 'down', nodeId: B })]).toBeDefined();
    expect(store.getState().truncated).toBe(true);
    await store.getState().expand(B, 'down');
    expect(api.calls.filter((c) => c.startsWith('down'))).toHaveLength(1);
  });

  it('keeps an expansion that finished while a new depth was loading', async () => {
    const api = lineageApi();
    const store = createLineageStore(api);
    await store.getState().loadBase(A, 2);
    const reload = store.getState().loadBase(A, 3);
    await store.getState().expand(B, 'down');
    await reload;
    expect(Object.keys(store.getState().graph.nodes).sort()).toEqual([A, B, C, J, J2].sort());
  });

  it('fetches the nodes of a found path the view has not loaded, with the path edges', async () => {
    const api = lineageApi();
    const D = 'dataset:ns:far';
    const store = createLineageStore({
      ...api,
      async getLineage(nodeId, depth, direction) {
        if (nodeId === D) return { graph: [wire(D, 'DATASET')], truncated: false };
        return api.getLineage(nodeId, depth, direction);
      },
      async getPath(from, to) {
        return { from, to, paths: [{ length: 2, nodes: [D, J, B], edges: [{ origin: D, destination: J, type: 'INPUT_TO' }, { origin: J, destination: B, type: 'OUTPUTS' }], hops: [] }] };
      },
    });
    await store.getState().loadBase(A, 2);
    await store.getState().loadPath(D, B);
    expect(store.getState().graph.nodes[D]).toBeDefined();
    expect(store.getState().graph.edges[`${D}->${J}`]).toBeDefined();
    expect(store.getState().pathStatus).toBe('ready');
  });

  it('reports load errors with the server message', async () => {
    const store = createLineageStore({ ...lineageApi(), getLineage: () => Promise.reject(new ApiError({ code: 'not_found', status: 404, message: 'no such node', errors: [] })) });
    await store.getState().loadBase('dataset:x:y', 2);
    expect(store.getState()).toMatchObject({ status: 'error', error: 'no such node' });
  });

  it('tries the reverse direction when a path is not found', async () => {
    const api = lineageApi();
    const store = createLineageStore(api);
    await store.getState().loadPath(A, B);
    expect(api.calls.slice(0, 2)).toEqual([`path:${A}:${B}`, `path:${B}:${A}`]);
    expect(store.getState().path?.paths).toHaveLength(1);
    store.getState().clearPath();
    expect(store.getState().path).toBeNull();
  });
});

const dashboard = (version: number, extra: Partial<Dashboard> = {}): Dashboard => ({
  id: 'd1', name: 'Ops', description: null, version, createdAt: '', updatedAt: '', viewport: { x: 0, y: 0, zoom: 1 },
  nodes: [], edges: [], ...extra,
});
const node = (id: string) => ({ id, ref: { kind: 'dataset' as const, id: `dataset:ns:${id}` }, position: { x: 0, y: 0 }, note: null });

function dashApi(): DashboardApi & { puts: Array<[number, number]>; server: { version: number } } {
  const server = { version: 3 };
  const puts: Array<[number, number]> = [];
  return {
    server,
    puts,
    getDashboard: vi.fn(async () => dashboard(server.version)),
    async saveDashboard(_id, version, doc) {
      puts.push([version, doc.nodes.length]);
      if (version !== server.version) {
        throw new ApiError({ code: 'conflict', status: 409, message: 'stale', errors: [{ currentVersion: server.version }] });
      }
      server.version += 1;
      return dashboard(server.version, doc);
    },
  };
}

describe('dashboard store', () => {
  it('tracks dirty state, saves with the version and records undo steps', async () => {
    const api = dashApi();
    const store = createDashboardStore(api);
    await store.getState().load('d1');
    expect(store.getState().saveState).toBe('saved');
    store.getState().change((d) => addNode(d, node('a')));
    store.getState().change((d) => addNode(d, node('b')));
    store.getState().change((d) => connect(d, 'a', 'b', 'e1'));
    expect(store.getState().saveState).toBe('dirty');
    await store.getState().save();
    expect(api.puts).toEqual([[3, 2]]);
    expect(store.getState()).toMatchObject({ version: 4, saveState: 'saved' });
    store.getState().undo();
    expect(store.getState().history?.present.edges).toEqual([]);
    expect(store.getState().saveState).toBe('dirty');
    store.getState().redo();
    expect(store.getState().saveState).toBe('saved');
  });

  it('does not save an unchanged document', async () => {
    const api = dashApi();
    const store = createDashboardStore(api);
    await store.getState().load('d1');
    await store.getState().save();
    expect(api.puts).toEqual([]);
  });

  it('shows a 409 as a conflict and overwrites with the current version', async () => {
    const api = dashApi();
    const store = createDashboardStore(api);
    await store.getState().load('d1');
    api.server.version = 7; // someone else saved meanwhile
    store.getState().change((d) => addNode(d, node('a')));
    await store.getState().save();
    expect(store.getState()).toMatchObject({ saveState: 'conflict', conflict: { currentVersion: 7 } });
    store.getState().change((d) => addNode(d, node('b')));
    expect(store.getState().saveState).toBe('conflict');
    await store.getState().save(); // autosave does nothing while in conflict
    expect(api.puts).toHaveLength(1);
    await store.getState().overwriteMine();
    expect(api.puts[1]).toEqual([7, 2]);
    expect(store.getState()).toMatchObject({ saveState: 'saved', version: 8, conflict: null });
  });

  it('resolves a conflict by reloading theirs', async () => {
    const api = dashApi();
    const store = createDashboardStore(api);
    await store.getState().load('d1');
    api.server.version = 9;
    store.getState().change((d) => addNode(d, node('a')));
    await store.getState().save();
    await store.getState().reloadTheirs();
    expect(store.getState()).toMatchObject({ saveState: 'saved', version: 9, conflict: null });
    expect(store.getState().history?.present.nodes).toEqual([]);
  });

  it('reports other save errors', async () => {
    const store = createDashboardStore({ ...dashApi(), saveDashboard: () => Promise.reject(new ApiError({ code: 'invalid', status: 422, message: 'bad edge', errors: [{ path: 'edges.0', message: 'unknown node' }] })) });
    await store.getState().load('d1');
    store.getState().change((d) => addNode(d, node('a')));
    await store.getState().save();
    expect(store.getState()).toMatchObject({ saveState: 'error', saveError: 'bad edge (edges.0: unknown node)' });
  });

  it('groups a drag into one undo step', async () => {
    const store = createDashboardStore(dashApi());
    await store.getState().load('d1');
    store.getState().change((d) => addNode(d, node('a')));
    store.getState().beginGesture();
    store.getState().change((d) => ({ ...d, nodes: d.nodes.map((n) => ({ ...n, position: { x: 5, y: 5 } })) }), 'replace');
    store.getState().change((d) => ({ ...d, nodes: d.nodes.map((n) => ({ ...n, position: { x: 9, y: 9 } })) }), 'replace');
    store.getState().undo();
    expect(store.getState().history?.present.nodes[0]?.position).toEqual({ x: 0, y: 0 });
  });
});
