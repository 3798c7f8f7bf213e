// Collapsible groups for big graphs: every node of a namespace (or of a layer: the same number of hops
// up- or downstream of the focus node) folds into one group card, with the edges between groups
// merged (their count on hover). Opening a group puts its members back. The focus node is never
// folded, and a group of one stays a plain node. Pure.
import type { Graph, GraphEdge, GraphNode } from '../types/graph';
import { edgeId } from './graph';

export type GroupMode = 'none' | 'namespace' | 'layer';

export interface GroupInfo {
  key: string;
  /** What the card says: the namespace, or "2 hops downstream". */
  label: string;
  size: number;
  datasets: number;
  jobs: number;
  sources: number;
  /** Members that failed (their status is 'failing'). */
  failing: number;
}

/** The id of a group's node on the canvas. */
export function groupNodeId(key: string): string {
  return `group:${key}`;
}

/** Hops from `rootId` to every node: negative upstream, positive downstream, 0 the root. Nodes reached
 * only sideways (upstream of a downstream node) take the side they were reached from. */
export function layersFrom(graph: Graph, rootId: string): Map<string, number> {
  const out = new Map<string, string[]>();
  const inc = new Map<string, string[]>();
  for (const e of Object.values(graph.edges)) {
    (out.get(e.source) ?? out.set(e.source, []).get(e.source)!).push(e.target);
    (inc.get(e.target) ?? inc.set(e.target, []).get(e.target)!).push(e.source);
  }
  const layer = new Map<string, number>([[rootId, 0]]);
  const walk = (next: Map<string, string[]>, sign: number) => {
    let frontier = [rootId];
    for (let d = 1; frontier.length; d++) {
      const following: string[] = [];
      for (const id of frontier) {
        for (const n of next.get(id) ?? []) {
          if (layer.has(n)) continue;
          layer.set(n, sign * d);
          following.push(n);
        }
      }
      frontier = following;
    }
  };
  walk(out, 1);
  walk(inc, -1);
  // whatever is left (connected sideways): one more hop than the neighbour it hangs off
  let changed = true;
  while (changed) {
    changed = false;
    for (const e of Object.values(graph.edges)) {
      const s = layer.get(e.source);
      const t = layer.get(e.target);
      if (s !== undefined && t === undefined) layer.set(e.target, s + 1);
      else if (t !== undefined && s === undefined) layer.set(e.source, t - 1);
      else continue;
      changed = true;
    }
  }
  return layer;
}

function layerLabel(hops: number): string {
  if (hops === 0) return 'focus';
  const n = Math.abs(hops);
  return `${n} hop${n === 1 ? '' : 's'} ${hops < 0 ? 'upstream' : 'downstream'}`;
}

/** The key of the group a node belongs to in this mode (null: never grouped). */
export function groupKeyOf(node: GraphNode, mode: GroupMode, layers: ReadonlyMap<string, number>): string | null {
  if (mode === 'namespace') return `ns:${node.namespace || '(none)'}`;
  if (mode === 'layer') {
    const hops = layers.get(node.id);
    return hops === undefined ? 'layer:?' : `layer:${hops}`;
  }
  return null;
}

export interface GroupedView {
  graph: Graph;
  /** Group node id → what it stands for. */
  groups: Record<string, GroupInfo>;
  /** Member id → the group node it is folded into. */
  folded: Record<string, string>;
  /** Every group key of the view, open or not (for "collapse all"). */
  keys: string[];
}

/** The view with closed groups folded into one node each. `open` = group keys shown expanded. */
export function groupView(graph: Graph, mode: GroupMode, open: readonly string[], rootId: string): GroupedView {
  if (mode === 'none') return { graph, groups: {}, folded: {}, keys: [] };
  const layers = mode === 'layer' ? layersFrom(graph, rootId) : new Map<string, number>();
  const members = new Map<string, GraphNode[]>();
  for (const node of Object.values(graph.nodes)) {
    if (node.id === rootId) continue;
    const key = groupKeyOf(node, mode, layers);
    if (key === null) continue;
    (members.get(key) ?? members.set(key, []).get(key)!).push(node);
  }
  const openSet = new Set(open);
  const nodes: Record<string, GraphNode> = {};
  const groups: Record<string, GroupInfo> = {};
  const folded: Record<string, string> = {};
  for (const [key, list] of members) {
    if (list.length < 2 || openSet.has(key)) continue;
    const id = groupNodeId(key);
    const count = (kind: GraphNode['kind']) => list.filter((n) => n.kind === kind).length;
    const info: GroupInfo = {
      key, size: list.length, datasets: count('dataset'), jobs: count('job'), sources: count('source'),
      failing: list.filter((n) => n.status === 'failing').length,
      label: mode === 'namespace' ? key.slice(3) : layerLabel(Number(key.slice(6))),
    };
    groups[id] = info;
    for (const n of list) folded[n.id] = id;
    // The card: the kind most members have, named after the group.
    const kind = info.jobs > info.datasets ? 'job' : 'dataset';
    nodes[id] = {
      id, kind, namespace: mode === 'namespace' ? info.label : '', name: info.label, data: {},
      ...(info.failing ? { status: 'failing' as const } : {}),
    };
  }
  for (const node of Object.values(graph.nodes)) if (!folded[node.id]) nodes[node.id] = node;
  const edges: Record<string, GraphEdge> = {};
  const merged = new Map<string, number>();
  for (const e of Object.values(graph.edges)) {
    const source = folded[e.source] ?? e.source;
    const target = folded[e.target] ?? e.target;
    if (source === target) continue;
    if (source === e.source && target === e.target) {
      edges[e.id] = e;
      continue;
    }
    const id = edgeId(source, target);
    merged.set(id, (merged.get(id) ?? 0) + 1);
    const manual = e.manual || Boolean(edges[id]?.manual);
    edges[id] = { id, source, target, manual };
  }
  for (const [id, n] of merged) {
    const edge = edges[id]!;
    edge.label = `${n} edge${n === 1 ? '' : 's'}`;
  }
  return { graph: { nodes, edges }, groups, folded, keys: [...members.entries()].filter(([, l]) => l.length >= 2).map(([k]) => k).sort() };
}
