// The lineage explorer's data: the merged graph (base lineage + on-demand expansions), the column
// graph and the path result. View state (filters, selection, ops …) lives in the URL
// (lib/lineage-url.ts); this store only holds what was fetched for it.
import { create, type StoreApi, type UseBoundStore } from 'zustand';
import * as lineageApi from '../api/lineage';
import { errorMessage } from '../api/client';
import type { ColumnLineageResponse, LineageResponse, PathResponse } from '../types/api';
import type { ColumnGraph, Direction, Graph } from '../types/graph';
import { fromColumnLineage } from '../lib/column-graph';
import { opKey } from '../lib/expansion';
import { edgeId, emptyGraph, fromLineageResponse, mergeGraphs } from '../lib/graph';

/** How far an expand reaches from the node it was asked on. */
export const EXPAND_DEPTH = 2;

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface LineageApi {
  getLineage(nodeId: string, depth: number, direction: 'both' | 'up' | 'down', time?: lineageApi.TimeOptions): Promise<LineageResponse>;
  getColumnLineage(nodeId: string, depth: number, withDownstream: boolean, time?: lineageApi.TimeOptions): Promise<ColumnLineageResponse>;
  getPath(from: string, to: string, time?: lineageApi.TimeOptions): Promise<PathResponse>;
}

export interface LineageState {
  baseKey: string | null;
  /** The instant and stale toggle every fetch of this view uses (lineage through time). */
  time: lineageApi.TimeOptions;
  status: LoadStatus;
  error: string | null;
  graph: Graph;
  truncated: boolean;
  /** opKey → ids the expansion brought in. */
  loaded: Record<string, string[]>;
  /** opKeys being fetched. */
  pending: Record<string, true>;
  columnsKey: string | null;
  columnsStatus: LoadStatus;
  columnsError: string | null;
  columns: ColumnGraph | null;
  pathKey: string | null;
  pathStatus: LoadStatus;
  pathError: string | null;
  path: PathResponse | null;

  loadBase(nodeId: string, depth: number, time?: lineageApi.TimeOptions): Promise<void>;
  /** Fetch the base lineage again and merge it in (the live stream said the view gained nodes or edges). */
  refreshBase(): Promise<void>;
  expand(nodeId: string, direction: Direction): Promise<string[]>;
  loadColumns(nodeId: string, depth: number): Promise<void>;
  loadPath(from: string, to: string): Promise<void>;
  clearPath(): void;
  /** Put a ready-made graph in (the big-graph benchmark). */
  setGraph(graph: Graph, key: string): void;
}

const initial = {
  baseKey: null, time: {} as lineageApi.TimeOptions, status: 'idle' as LoadStatus, error: null, graph: emptyGraph(), truncated: false, loaded: {}, pending: {},
  columnsKey: null, columnsStatus: 'idle' as LoadStatus, columnsError: null, columns: null,
  pathKey: null, pathStatus: 'idle' as LoadStatus, pathError: null, path: null,
};

export function createLineageStore(api: LineageApi): UseBoundStore<StoreApi<LineageState>> {
  return create<LineageState>()((set, get) => ({
    ...initial,

    async loadBase(nodeId, depth, time = {}) {
      const key = `${nodeId}|${depth}|${lineageApi.timeKey(time)}`;
      if (get().baseKey === key && get().status !== 'error') return;
      set({ ...initial, baseKey: key, time, status: 'loading' });
      try {
        const response = await api.getLineage(nodeId, depth, 'both', time);
        if (get().baseKey !== key) return;
        // Expansions that finished while the base was loading (a depth change keeps them) stay merged in.
        set({ graph: mergeGraphs(get().graph, fromLineageResponse(response)), truncated: get().truncated || Boolean(response.truncated), status: 'ready' });
      } catch (err) {
        if (get().baseKey === key) set({ status: 'error', error: errorMessage(err) });
      }
    },

    async refreshBase() {
      const key = get().baseKey;
      if (!key || get().status !== 'ready') return;
      const [nodeId, depth] = key.split('|');
      try {
        const response = await api.getLineage(nodeId ?? '', Number(depth), 'both', get().time);
        if (get().baseKey !== key) return;
        set({ graph: mergeGraphs(get().graph, fromLineageResponse(response)), truncated: get().truncated || Boolean(response.truncated) });
      } catch {
        // the next change (or a reload) tries again; what is shown stays
      }
    },

    async expand(nodeId, direction) {
      const key = opKey({ action: 'expand', direction, nodeId });
      const done = get().loaded[key];
      if (done) return done;
      if (get().pending[key]) return [];
      const base = get().baseKey;
      set({ pending: { ...get().pending, [key]: true } });
      try {
        const response = await api.getLineage(nodeId, EXPAND_DEPTH, direction, get().time);
        if (get().baseKey !== base) return [];
        const part = fromLineageResponse(response);
        const ids = Object.keys(part.nodes);
        const { [key]: _, ...pending } = get().pending;
        set({ graph: mergeGraphs(get().graph, part), loaded: { ...get().loaded, [key]: ids }, pending,
          truncated: get().truncated || Boolean(response.truncated) });
        return ids;
      } catch (err) {
        const { [key]: _, ...pending } = get().pending;
        set({ pending, error: errorMessage(err) });
        return [];
      }
    },

    async loadColumns(nodeId, depth) {
      const key = `${nodeId}|${depth}|${lineageApi.timeKey(get().time)}`;
      if (get().columnsKey === key && get().columnsStatus !== 'error') return;
      set({ columnsKey: key, columnsStatus: 'loading', columnsError: null, columns: null });
      try {
        const response = await api.getColumnLineage(nodeId, depth, true, get().time);
        if (get().columnsKey !== key) return;
        set({ columns: fromColumnLineage(response), columnsStatus: 'ready' });
      } catch (err) {
        if (get().columnsKey === key) set({ columnsStatus: 'error', columnsError: errorMessage(err) });
      }
    },

    async loadPath(from, to) {
      const key = `${from}|${to}|${lineageApi.timeKey(get().time)}`;
      if (get().pathKey === key && get().pathStatus !== 'error') return;
      set({ pathKey: key, pathStatus: 'loading', pathError: null, path: null });
      try {
        let result = await api.getPath(from, to, get().time);
        // Picked downstream first? Paths are directed, so try the other way round too.
        if (result.paths.length === 0) {
          const reverse = await api.getPath(to, from, get().time);
          if (reverse.paths.length > 0) result = reverse;
        }
        if (get().pathKey !== key) return;
        // Draw the whole path: nodes on it the view has not loaded are fetched (depth 0) and merged
        // with the path's edges, so the canvas highlights every hop the panel lists.
        const onPath = result.paths.flatMap((p) => p.nodes);
        const missing = [...new Set(onPath)].filter((id) => !get().graph.nodes[id]);
        if (missing.length > 0) {
          const parts = await Promise.all(missing.map((id) => api.getLineage(id, 0, 'both', get().time).then(fromLineageResponse, () => emptyGraph())));
          const edges = emptyGraph();
          for (const p of result.paths) {
            for (const e of p.edges) {
              const id = edgeId(e.origin, e.destination);
              edges.edges[id] = { id, source: e.origin, target: e.destination, manual: e.type === 'FLOWS_TO' };
            }
          }
          if (get().pathKey !== key) return;
          let graph = get().graph;
          for (const part of parts) graph = mergeGraphs(graph, part);
          graph = mergeGraphs(graph, { nodes: {}, edges: Object.fromEntries(Object.entries(edges.edges).filter(([, e]) => graph.nodes[e.source] && graph.nodes[e.target])) });
          set({ graph, loaded: { ...get().loaded, [`path:${key}`]: missing.filter((id) => graph.nodes[id]) } });
        }
        set({ path: result, pathStatus: 'ready' });
      } catch (err) {
        if (get().pathKey === key) set({ pathStatus: 'error', pathError: errorMessage(err) });
      }
    },

    clearPath() {
      set({ pathKey: null, pathStatus: 'idle', pathError: null, path: null });
    },

    setGraph(graph, key) {
      set({ ...initial, baseKey: key, status: 'ready', graph });
    },
  }));
}

export const useLineageStore = createLineageStore({
  getLineage: (nodeId, depth, direction, time) => lineageApi.getLineage(nodeId, depth, direction, undefined, time),
  getColumnLineage: (nodeId, depth, withDownstream, time) => lineageApi.getColumnLineage(nodeId, depth, withDownstream, undefined, time),
  getPath: (from, to, time) => lineageApi.getPath(from, to, undefined, time),
});
