// Diff mode of the explorer (docs/ui.md, "Diff mode"): the cone of the focus node at two instants merged
// into one drawable graph with a status per node and edge (added, removed, unchanged), taken from the
// server's /lineage/diff where it names the element, else from which cone holds it; and the classes
// and data attributes the canvas draws statuses and stale edges with. Pure, so tested without a browser.
import type { DiffNode, LineageDiff } from '../api/lineage';
import type { LineageFlowEdge, LineageFlowNode } from '../types/flow';
import type { Graph, GraphNode } from '../types/graph';
import { edgeId } from './graph';

export type DiffStatus = 'added' | 'removed' | 'unchanged';

export interface DiffCounts {
  nodesAdded: number;
  nodesRemoved: number;
  edgesAdded: number;
  edgesRemoved: number;
  schemaChanges: number;
}

export interface DiffView {
  /** Both cones in one graph: what either instant had. */
  graph: Graph;
  nodes: Record<string, DiffStatus>;
  edges: Record<string, DiffStatus>;
  counts: DiffCounts;
}

function nodeOf(wire: DiffNode): GraphNode | null {
  if (wire.type !== 'DATASET' && wire.type !== 'JOB') return null;
  return { id: wire.id, kind: wire.type === 'JOB' ? 'job' : 'dataset', namespace: wire.namespace, name: wire.name, data: {} };
}

/** `before` (the cone at the diff's `from`) and `after` (at its `to`) merged, each element with its status.
 * The diff's lists win; an element they do not name is added when only `after` has it, removed when only
 * `before` has it, else unchanged. Elements the diff names that neither cone holds are drawn too (a node
 * from its id, namespace and name; an edge when both its ends are drawn). */
export function mergeDiff(before: Graph, after: Graph, diff: LineageDiff): DiffView {
  const graph: Graph = { nodes: { ...before.nodes, ...after.nodes }, edges: { ...before.edges, ...after.edges } };
  const named = new Map<string, DiffStatus>();
  for (const n of diff.nodes.added) named.set(n.id, 'added');
  for (const n of diff.nodes.removed) named.set(n.id, 'removed');
  for (const wire of [...diff.nodes.added, ...diff.nodes.removed]) {
    const node = graph.nodes[wire.id] ? null : nodeOf(wire);
    if (node) graph.nodes[node.id] = node;
  }
  const namedEdges = new Map<string, DiffStatus>();
  for (const [list, status] of [[diff.edges.added, 'added'], [diff.edges.removed, 'removed']] as const) {
    for (const e of list) {
      const id = edgeId(e.origin, e.destination);
      namedEdges.set(id, status);
      if (!graph.edges[id] && graph.nodes[e.origin] && graph.nodes[e.destination]) {
        graph.edges[id] = { id, source: e.origin, target: e.destination, manual: e.type === 'FLOWS_TO' };
      }
    }
  }
  const statusOf = (id: string, inBefore: boolean, inAfter: boolean, names: Map<string, DiffStatus>): DiffStatus =>
    names.get(id) ?? (inAfter && !inBefore ? 'added' : inBefore && !inAfter ? 'removed' : 'unchanged');
  const nodes: Record<string, DiffStatus> = {};
  for (const id of Object.keys(graph.nodes)) nodes[id] = statusOf(id, Boolean(before.nodes[id]), Boolean(after.nodes[id]), named);
  const edges: Record<string, DiffStatus> = {};
  for (const [id, edge] of Object.entries(graph.edges)) {
    // The edge of a graph merged from both cones is never stale: the diff compares current lineage.
    if (edge.stale) graph.edges[id] = { ...edge, stale: false };
    edges[id] = statusOf(id, Boolean(before.edges[id]), Boolean(after.edges[id]), namedEdges);
  }
  const count = (statuses: Record<string, DiffStatus>, wanted: DiffStatus) => Object.values(statuses).filter((s) => s === wanted).length;
  return {
    graph, nodes, edges,
    counts: {
      nodesAdded: count(nodes, 'added'), nodesRemoved: count(nodes, 'removed'),
      edgesAdded: count(edges, 'added'), edgesRemoved: count(edges, 'removed'),
      schemaChanges: diff.schemaChanges.length,
    },
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "+1 node −1 node · +1 edge −1 edge · 2 schema changes", or "no change". */
export function diffSummary(counts: DiffCounts): string {
  const parts: string[] = [];
  if (counts.nodesAdded || counts.nodesRemoved) parts.push(`+${plural(counts.nodesAdded, 'node')} −${plural(counts.nodesRemoved, 'node')}`);
  if (counts.edgesAdded || counts.edgesRemoved) parts.push(`+${plural(counts.edgesAdded, 'edge')} −${plural(counts.edgesRemoved, 'edge')}`);
  if (counts.schemaChanges) parts.push(plural(counts.schemaChanges, 'schema change'));
  return parts.length ? parts.join(' · ') : 'no change';
}

export const DIFF_COLORS: Record<DiffStatus, string> = { added: '#16a34a', removed: '#dc2626', unchanged: '#94a3b8' };
export const STALE_COLOR = '#cbd5e1';

type NodeAttributes = NonNullable<LineageFlowNode['domAttributes']>;
type EdgeAttributes = NonNullable<LineageFlowEdge['domAttributes']>;

function recolor(marker: LineageFlowEdge['markerEnd'], color: string): LineageFlowEdge['markerEnd'] {
  return marker && typeof marker === 'object' ? { ...marker, color } : marker;
}

/** The canvas elements with the time statuses on their wrappers: nodes and edges get `diff-{status}`
 * classes and `data-diff` in diff mode; edges no longer current get `is-stale` and `data-stale`. Elements
 * the graph does not know (a dataset-only edge, a group) are left as they are. */
export function withTimeStatus(elements: { nodes: LineageFlowNode[]; edges: LineageFlowEdge[] }, graph: Graph,
                               diff: DiffView | null): { nodes: LineageFlowNode[]; edges: LineageFlowEdge[] } {
  const anyStale = Object.values(graph.edges).some((e) => e.stale);
  if (!diff && !anyStale) return elements;
  const nodes = diff ? elements.nodes.map((n) => {
    const status = diff.nodes[n.id];
    if (!status) return n;
    return { ...n, className: `diff-${status}`, domAttributes: { 'data-diff': status } as NodeAttributes };
  }) : elements.nodes;
  const edges = elements.edges.map((e) => {
    const status = diff?.edges[e.id];
    const stale = !diff && Boolean(graph.edges[e.id]?.stale);
    if (!status && !stale) return e;
    const classes = [status ? `diff-${status}` : '', stale ? 'is-stale' : ''].filter(Boolean).join(' ');
    const attributes: Record<string, string> = {};
    if (status) attributes['data-diff'] = status;
    if (stale) attributes['data-stale'] = 'true';
    const color = status ? DIFF_COLORS[status] : STALE_COLOR;
    return { ...e, className: classes, domAttributes: attributes as EdgeAttributes, markerEnd: recolor(e.markerEnd, color) };
  });
  return { nodes, edges };
}
