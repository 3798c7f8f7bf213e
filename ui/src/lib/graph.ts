// Pure graph functions over the UI model (types/graph.ts): conversion from the lineage API, merge,
// traversal, branch collapse, filters, the dataset-only view and in-graph search.
import type { LineageResponse } from '../types/api';
import type { Direction, Graph, GraphEdge, GraphNode, NodeKind, NodeStatus } from '../types/graph';
import { parseNodeId } from './node-id';

export const emptyGraph = (): Graph => ({ nodes: {}, edges: {} });

export function edgeId(source: string, target: string): string {
  return `${source}->${target}`;
}

export function runStateToStatus(state: string | null | undefined): NodeStatus | undefined {
  switch (state) {
    case 'COMPLETED':
      return 'ok';
    case 'RUNNING':
      return 'running';
    case 'FAILED':
      return 'failing';
    case 'ABORTED':
      return 'aborted';
    case 'NEW':
      return 'new';
    default:
      return undefined;
  }
}

/** The lineage API's `{graph:[{id,type,data,inEdges,outEdges}]}` → Graph. Edges to nodes the
 * response does not contain are kept only for `source:` ids (user-managed sources get a placeholder
 * node); any other dangling edge is dropped. */
export function fromLineageResponse(response: LineageResponse): Graph {
  const graph = emptyGraph();
  for (const wire of response.graph) {
    const kind: NodeKind = wire.type === 'JOB' ? 'job' : 'dataset';
    const node: GraphNode = {
      id: wire.id,
      kind,
      namespace: wire.data?.namespace ?? '',
      name: wire.data?.name ?? wire.id,
      data: wire.data ?? {},
    };
    const status = kind === 'job' ? runStateToStatus(wire.data?.latestRun?.state) : undefined;
    if (status) node.status = status;
    graph.nodes[wire.id] = node;
  }
  for (const wire of response.graph) {
    for (const e of [...wire.inEdges, ...wire.outEdges]) {
      for (const end of [e.origin, e.destination]) {
        if (!graph.nodes[end] && end.startsWith('source:')) {
          const parsed = parseNodeId(end);
          graph.nodes[end] = { id: end, kind: 'source', namespace: '', name: parsed?.name ?? end, data: {} };
        }
      }
      if (!graph.nodes[e.origin] || !graph.nodes[e.destination]) continue;
      const id = edgeId(e.origin, e.destination);
      const manual = Boolean(e.manual) || Boolean(graph.edges[id]?.manual);
      graph.edges[id] = { id, source: e.origin, target: e.destination, manual, ...(e.stale ? { stale: true } : {}) };
    }
  }
  return graph;
}

/** Union of two graphs; `b` wins for node data, an edge is manual if either side says so. */
export function mergeGraphs(a: Graph, b: Graph): Graph {
  const nodes = { ...a.nodes };
  for (const [id, node] of Object.entries(b.nodes)) {
    const existing = nodes[id];
    nodes[id] = existing && Object.keys(node.data).length === 0 ? { ...node, data: existing.data } : node;
  }
  const edges = { ...a.edges };
  for (const [id, edge] of Object.entries(b.edges)) {
    const existing = edges[id];
    edges[id] = existing ? { ...edge, manual: edge.manual || existing.manual } : edge;
  }
  return { nodes, edges };
}

export interface Adjacency {
  out: Map<string, string[]>;
  in: Map<string, string[]>;
}

export function adjacency(graph: Graph): Adjacency {
  const out = new Map<string, string[]>();
  const inn = new Map<string, string[]>();
  for (const id of Object.keys(graph.nodes)) {
    out.set(id, []);
    inn.set(id, []);
  }
  for (const e of Object.values(graph.edges)) {
    out.get(e.source)?.push(e.target);
    inn.get(e.target)?.push(e.source);
  }
  return { out, in: inn };
}

/** Nodes reachable from `start` following edges in `direction` (excluding `start`), up to `depth` edges. */
export function reachable(graph: Graph, start: string, direction: Direction, depth = Infinity,
                          adj: Adjacency = adjacency(graph)): Set<string> {
  const next = direction === 'up' ? adj.in : adj.out;
  const seen = new Set<string>([start]);
  let frontier = [start];
  for (let d = 0; d < depth && frontier.length > 0; d++) {
    const following: string[] = [];
    for (const id of frontier) {
      for (const n of next.get(id) ?? []) {
        if (!seen.has(n)) {
          seen.add(n);
          following.push(n);
        }
      }
    }
    frontier = following;
  }
  seen.delete(start);
  return seen;
}

/** Whether `id` has edges on that side in the graph. */
export function hasNeighbours(graph: Graph, id: string, direction: Direction): boolean {
  return Object.values(graph.edges).some((e) => (direction === 'up' ? e.target === id : e.source === id));
}

/** Collapsing `nodeId`'s upstream (or downstream) branch: the nodes on that side of it that feed
 * (or are fed by) nothing else still on screen. A node on that side stays when it has a directed path
 * to a node outside the branch that does not go through `nodeId` — it also feeds something else.
 * The root and, when the root itself lies on that side, the path from the root to `nodeId` stay. */
export function collapseBranch(graph: Graph, nodeId: string, direction: Direction, rootId: string): Set<string> {
  const adj = adjacency(graph);
  const side = reachable(graph, nodeId, direction, Infinity, adj);
  if (side.size === 0) return side;
  const keep = new Set<string>();
  const stack: string[] = [];
  const mark = (id: string) => {
    if (!keep.has(id)) {
      keep.add(id);
      stack.push(id);
    }
  };
  mark(rootId);
  if (side.has(rootId)) {
    const towards = reachable(graph, rootId, direction === 'up' ? 'down' : 'up', Infinity, adj);
    for (const id of towards) if (side.has(id)) mark(id);
  }
  for (const id of Object.keys(graph.nodes)) if (!side.has(id) && id !== nodeId) mark(id);
  // Walk back from kept nodes into the branch: a branch node feeding a kept node is kept.
  const back = direction === 'up' ? adj.in : adj.out;
  while (stack.length > 0) {
    const id = stack.pop()!;
    for (const n of back.get(id) ?? []) if (side.has(n)) mark(n);
  }
  return new Set([...side].filter((id) => !keep.has(id)));
}

/** The subgraph induced by the nodes not in `hidden`. */
export function withoutNodes(graph: Graph, hidden: ReadonlySet<string>): Graph {
  if (hidden.size === 0) return graph;
  const nodes: Record<string, GraphNode> = {};
  for (const [id, node] of Object.entries(graph.nodes)) if (!hidden.has(id)) nodes[id] = node;
  const edges: Record<string, GraphEdge> = {};
  for (const [id, e] of Object.entries(graph.edges)) if (nodes[e.source] && nodes[e.target]) edges[id] = e;
  return { nodes, edges };
}

export interface GraphFilter {
  /** Kinds not to show. */
  hiddenKinds?: readonly NodeKind[];
  /** When non-empty, only nodes in these namespaces (plus `keep`). */
  namespaces?: readonly string[];
  /** Ids that always stay (the focus node). */
  keep?: readonly string[];
}

/** The view after filtering: nodes of hidden kinds or of namespaces not chosen are left out, and the
 * edges through them are contracted (a → hidden → b becomes a → b, labelled with what it stands for),
 * exactly as the dataset-only view contracts jobs: hiding jobs or a namespace never drops the lineage
 * between the nodes still shown. */
export function filterGraph(graph: Graph, filter: GraphFilter): Graph {
  const hiddenKinds = new Set(filter.hiddenKinds ?? []);
  const namespaces = new Set(filter.namespaces ?? []);
  const keep = new Set(filter.keep ?? []);
  const hidden = new Set<string>();
  for (const node of Object.values(graph.nodes)) {
    if (keep.has(node.id)) continue;
    if (hiddenKinds.has(node.kind)) hidden.add(node.id);
    else if (namespaces.size > 0 && node.kind !== 'source' && !namespaces.has(node.namespace)) hidden.add(node.id);
  }
  return hidden.size === 0 ? graph : contractThrough(graph, hidden);
}

/** `graph` without the `hidden` nodes, where every path from a shown node through hidden nodes only to
 * another shown node becomes one edge recording the hidden nodes it stands for (`via`, `label`). An edge
 * is manual when every path it stands for has a hand-drawn hop; a direct edge keeps its own flag. */
export function contractThrough(graph: Graph, hidden: ReadonlySet<string>): Graph {
  const adj = adjacency(graph);
  const nodes: Record<string, GraphNode> = {};
  for (const [id, node] of Object.entries(graph.nodes)) if (!hidden.has(id)) nodes[id] = node;
  const edges: Record<string, GraphEdge> = {};
  const add = (source: string, target: string, manual: boolean, via: string[]) => {
    if (source === target) return;
    const id = edgeId(source, target);
    const existing = edges[id];
    if (!existing) {
      edges[id] = { id, source, target, manual, via: [...via] };
      return;
    }
    existing.manual = existing.manual && manual;
    existing.via = [...new Set([...(existing.via ?? []), ...via])];
  };
  for (const e of Object.values(graph.edges)) {
    if (hidden.has(e.source) || !nodes[e.source]) continue;
    if (!hidden.has(e.target)) {
      if (nodes[e.target]) add(e.source, e.target, e.manual, []);
      continue;
    }
    // Walk through consecutive hidden nodes from e.target to the shown nodes they lead to.
    const seen = new Set<string>();
    const stack: Array<[string, boolean, string[]]> = [[e.target, e.manual, [e.target]]];
    while (stack.length > 0) {
      const [here, manual, via] = stack.pop()!;
      if (seen.has(here)) continue;
      seen.add(here);
      for (const next of adj.out.get(here) ?? []) {
        const hop = graph.edges[edgeId(here, next)];
        const hopManual = manual || Boolean(hop?.manual);
        if (hidden.has(next)) stack.push([next, hopManual, [...via, next]]);
        else add(e.source, next, hopManual, via);
      }
    }
  }
  for (const edge of Object.values(edges)) {
    const names = (edge.via ?? []).map((id) => graph.nodes[id]?.name ?? id);
    if (names.length > 0) edge.label = names.length > 2 ? `${names[0]} +${names.length - 1}` : names.join(', ');
    else delete edge.via;
  }
  return { nodes, edges };
}

/** The dataset-only view: every dataset→job→dataset becomes one dataset→dataset edge that records
 * the job(s) it stands for; jobs disappear. Manual edges between datasets stay as they are; a path
 * through a job is manual if either hop was drawn by hand. Runs of jobs (job→job, e.g. manual edges
 * between jobs) are followed, so dataset→job→job→dataset also collapses. */
export function datasetOnlyView(graph: Graph): Graph {
  const jobs = new Set(Object.values(graph.nodes).filter((n) => n.kind === 'job').map((n) => n.id));
  return contractThrough(graph, jobs);
}

/** Which namespaces the filter shows after the user toggles `ns` in the list of `all` (an empty
 * selection means every namespace): unticking one of "all" keeps the others; ticking the last missing
 * one goes back to "all"; the last one shown cannot be unticked. */
export function toggleNamespace(selected: readonly string[], all: readonly string[], ns: string): string[] {
  const shown = selected.length === 0 ? [...all] : selected.filter((n) => all.includes(n) || n === ns);
  const next = shown.includes(ns) ? shown.filter((n) => n !== ns) : [...shown, ns];
  if (next.length === 0) return [...shown]; // the last namespace shown stays: an empty view shows nothing
  return all.every((n) => next.includes(n)) ? [] : next;
}

/** Whether the namespace checkbox of `ns` is ticked. */
export function namespaceShown(selected: readonly string[], ns: string): boolean {
  return selected.length === 0 || selected.includes(ns);
}

/** Nodes whose name or namespace contains the query (case-insensitive); name matches first. */
export function searchNodes(graph: Graph, query: string): GraphNode[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const scored: Array<[number, GraphNode]> = [];
  for (const node of Object.values(graph.nodes)) {
    const name = node.name.toLowerCase();
    const score = name === q ? 0 : name.endsWith(q) ? 1 : name.includes(q) ? 2
      : node.namespace.toLowerCase().includes(q) ? 3 : -1;
    if (score >= 0) scored.push([score, node]);
  }
  return scored.sort((a, b) => a[0] - b[0] || a[1].name.localeCompare(b[1].name)).map(([, n]) => n);
}

export function namespacesOf(graph: Graph): string[] {
  return [...new Set(Object.values(graph.nodes).filter((n) => n.kind !== 'source').map((n) => n.namespace))].sort();
}

/** Nodes and edges on the given paths (node id lists), for highlighting. */
export function pathHighlight(paths: ReadonlyArray<{ nodes: readonly string[] }>): { nodes: Set<string>; edges: Set<string> } {
  const nodes = new Set<string>();
  const edges = new Set<string>();
  for (const path of paths) {
    path.nodes.forEach((id, i) => {
      nodes.add(id);
      const next = path.nodes[i + 1];
      if (next) edges.add(edgeId(id, next));
    });
  }
  return { nodes, edges };
}

/** Which nodes of a path the view draws as cards, which it folds into a contracted edge (hidden by a
 * filter or the dataset-only view, but standing on an edge drawn between shown nodes), and which it does
 * not show at all. */
export function pathVisibility(view: Graph, pathNodes: readonly string[]): { drawn: string[]; folded: string[]; missing: string[] } {
  const via = new Set<string>();
  for (const e of Object.values(view.edges)) for (const id of e.via ?? []) via.add(id);
  const drawn: string[] = [];
  const folded: string[] = [];
  const missing: string[] = [];
  for (const id of new Set(pathNodes)) {
    if (view.nodes[id]) drawn.push(id);
    else if (via.has(id)) folded.push(id);
    else missing.push(id);
  }
  return { drawn, folded, missing };
}

/** Path highlight mapped onto the dataset-only view: a collapsed edge is on the path when both its
 * ends are. */
export function projectHighlight(view: Graph, highlight: { nodes: Set<string>; edges: Set<string> }): Set<string> {
  const edges = new Set<string>();
  for (const e of Object.values(view.edges)) {
    if (highlight.edges.has(e.id) || (highlight.nodes.has(e.source) && highlight.nodes.has(e.target)
      && (e.via ?? []).every((j) => highlight.nodes.has(j)))) edges.add(e.id);
  }
  return edges;
}

/** Give placeholder `source:{id}` nodes (the lineage API only returns their ids on edges) the names and
 * kinds of the sources they stand for; the kind goes into `namespace`, shown under the name. */
export function nameSources(graph: Graph, sources: Readonly<Record<string, { name: string; kind: string }>>): Graph {
  let changed = false;
  const nodes = { ...graph.nodes };
  for (const node of Object.values(graph.nodes)) {
    if (node.kind !== 'source') continue;
    const source = sources[node.id.slice('source:'.length)];
    if (!source || (node.name === source.name && node.namespace === source.kind)) continue;
    nodes[node.id] = { ...node, name: source.name, namespace: source.kind };
    changed = true;
  }
  return changed ? { ...graph, nodes } : graph;
}
