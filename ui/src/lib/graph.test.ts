import { describe, expect, it } from 'vitest';
import type { LineageResponse } from '../types/api';
import type { Graph, GraphNode } from '../types/graph';
import {
  collapseBranch, datasetOnlyView, edgeId, filterGraph, fromLineageResponse, mergeGraphs, nameSources, namespacesOf,
  namespaceShown, pathHighlight, projectHighlight, reachable, searchNodes, toggleNamespace, withoutNodes,
} from './graph';
import { hiddenAfterOps, opKey, parseOp, pushOp, toggleFor } from './expansion';

const node = (id: string): GraphNode => {
  const [kind, namespace, name] = id.split(':') as [GraphNode['kind'], string, string];
  return { id, kind, namespace, name, data: {} };
};

/** Build a graph from "a>b" edge strings over ids like dataset:ns:a / job:ns:j. */
function g(ids: string[], edges: string[], manual: string[] = []): Graph {
  const graph: Graph = { nodes: {}, edges: {} };
  for (const id of ids) graph.nodes[id] = node(id);
  for (const spec of [...edges, ...manual]) {
    const [s, t] = spec.split('>') as [string, string];
    graph.edges[edgeId(s, t)] = { id: edgeId(s, t), source: s, target: t, manual: manual.includes(spec) };
  }
  return graph;
}

const A = 'dataset:ns:a', B = 'dataset:ns:b', C = 'dataset:other:c', D = 'dataset:ns:d';
const J1 = 'job:ns:j1', J2 = 'job:ns:j2', J3 = 'job:ns:j3';

describe('fromLineageResponse', () => {
  const response: LineageResponse = {
    graph: [
      { id: A, type: 'DATASET', data: { namespace: 'ns', name: 'a' }, inEdges: [], outEdges: [{ origin: A, destination: J1 }] },
      { id: J1, type: 'JOB', data: { namespace: 'ns', name: 'j1', latestRun: { id: 'r', state: 'FAILED', startedAt: null, endedAt: null, durationMs: null } },
        inEdges: [{ origin: A, destination: J1 }], outEdges: [{ origin: J1, destination: B }, { origin: J1, destination: 'dataset:ns:gone' }] },
      { id: B, type: 'DATASET', data: { namespace: 'ns', name: 'b' }, inEdges: [{ origin: J1, destination: B }, { origin: 'source:42', destination: B, manual: true }], outEdges: [] },
    ],
  };

  it('builds nodes and deduplicated edges, dropping dangling ones', () => {
    const graph = fromLineageResponse(response);
    expect(Object.keys(graph.nodes).sort()).toEqual([A, B, J1, 'source:42'].sort());
    expect(Object.keys(graph.edges).sort()).toEqual([edgeId(A, J1), edgeId(J1, B), edgeId('source:42', B)].sort());
  });

  it('names placeholder source nodes', () => {
    const graph = fromLineageResponse(response);
    const named = nameSources(graph, { '42': { name: 'Warehouse', kind: 'postgres' } });
    expect(named.nodes['source:42']).toMatchObject({ name: 'Warehouse', namespace: 'postgres' });
    expect(nameSources(named, { '42': { name: 'Warehouse', kind: 'postgres' } })).toBe(named);
  });

  it('maps the latest run state to a status and keeps manual flags', () => {
    const graph = fromLineageResponse(response);
    expect(graph.nodes[J1]?.status).toBe('failing');
    expect(graph.edges[edgeId('source:42', B)]?.manual).toBe(true);
    expect(graph.nodes['source:42']?.kind).toBe('source');
  });
});

describe('traversal', () => {
  const graph = g([A, J1, B, J2, C], [`${A}>${J1}`, `${J1}>${B}`, `${B}>${J2}`, `${J2}>${C}`]);

  it('follows edges in one direction with a depth cap', () => {
    expect([...reachable(graph, A, 'down')].sort()).toEqual([B, C, J1, J2].sort());
    expect([...reachable(graph, A, 'down', 2)].sort()).toEqual([B, J1].sort());
    expect([...reachable(graph, C, 'up', 1)]).toEqual([J2]);
  });

  it('merges graphs, keeping data and manual flags', () => {
    const other = g([B, D], [], [`${B}>${D}`]);
    const merged = mergeGraphs(graph, other);
    expect(Object.keys(merged.nodes)).toHaveLength(6);
    expect(merged.edges[edgeId(B, D)]?.manual).toBe(true);
  });
});

describe('collapseBranch', () => {
  it('hides the upstream branch of a node but keeps the root side', () => {
    const graph = g([A, J1, B, J2, C], [`${A}>${J1}`, `${J1}>${B}`, `${B}>${J2}`, `${J2}>${C}`]);
    expect([...collapseBranch(graph, B, 'up', C)].sort()).toEqual([A, J1].sort());
    expect([...collapseBranch(graph, B, 'down', C)]).toEqual([]); // root is downstream: nothing to hide
  });

  it('keeps nodes still attached to the root another way', () => {
    // a -> j1 -> b ; a -> j2 -> root(c) ; collapsing b's upstream must keep a (reachable via j2)
    const graph = g([A, J1, B, J2, C], [`${A}>${J1}`, `${J1}>${B}`, `${A}>${J2}`, `${J2}>${C}`, `${B}>${J3}`]);
    graph.nodes[J3] = node(J3);
    graph.edges[edgeId(J3, C)] = { id: edgeId(J3, C), source: J3, target: C, manual: false };
    expect([...collapseBranch(graph, B, 'up', C)]).toEqual([J1]);
  });
});

describe('expansion ops', () => {
  it('round-trips op keys', () => {
    const op = { action: 'expand', direction: 'up', nodeId: 'dataset:postgres://h:5432:t' } as const;
    expect(parseOp(opKey(op))).toEqual(op);
    expect(parseOp('junk')).toBeNull();
  });

  it('replaces an op on the same node and side', () => {
    const ops = pushOp([{ action: 'expand', direction: 'up', nodeId: A }], { action: 'collapse', direction: 'up', nodeId: A });
    expect(ops).toEqual([{ action: 'collapse', direction: 'up', nodeId: A }]);
  });

  it('replays collapse and expand in order', () => {
    const graph = g([A, J1, B, J2, C], [`${A}>${J1}`, `${J1}>${B}`, `${B}>${J2}`, `${J2}>${C}`]);
    const collapse = { action: 'collapse', direction: 'up', nodeId: B } as const;
    expect([...hiddenAfterOps(graph, [collapse], C, {})].sort()).toEqual([A, J1].sort());
    const expand = { action: 'expand', direction: 'up', nodeId: J1 } as const;
    expect([...hiddenAfterOps(graph, [collapse, expand], C, { [opKey(expand)]: [A] })]).toEqual([]);
  });

  it('tells which toggle a node side shows', () => {
    const graph = g([A, J1], [`${A}>${J1}`]);
    expect(toggleFor(graph, J1, 'up')).toBe('collapse');
    expect(toggleFor(graph, J1, 'down')).toBe('expand');
  });
});

describe('filters and views', () => {
  const graph = g([A, J1, B, C], [`${A}>${J1}`, `${J1}>${B}`, `${J1}>${C}`]);

  it('filters by kind and namespace, keeping the focus', () => {
    const noJobs = filterGraph(graph, { hiddenKinds: ['job'] });
    expect(Object.keys(noJobs.nodes).sort()).toEqual([A, B, C].sort());
    const onlyNs = filterGraph(graph, { namespaces: ['ns'], keep: [C] });
    expect(Object.keys(onlyNs.nodes).sort()).toEqual([A, B, C, J1].sort());
    expect(Object.keys(filterGraph(graph, { namespaces: ['ns'] }).nodes)).not.toContain(C);
  });

  it('contracts edges through hidden jobs and namespaces instead of dropping them', () => {
    const noJobs = filterGraph(graph, { hiddenKinds: ['job'] });
    expect(Object.keys(noJobs.edges).sort()).toEqual([edgeId(A, B), edgeId(A, C)].sort());
    expect(noJobs.edges[edgeId(A, B)]?.label).toBe('j1');
    expect(noJobs).toEqual(datasetOnlyView(graph));
    // a → j1 (ns) → x (hidden namespace) → j2 → d: hiding "hidden" keeps a → … → d
    const X = 'dataset:hidden:x';
    const across = g([A, J1, X, J2, D], [`${A}>${J1}`, `${J1}>${X}`, `${X}>${J2}`, `${J2}>${D}`]);
    const shown = filterGraph(across, { namespaces: ['ns'] });
    expect(Object.keys(shown.nodes).sort()).toEqual([A, D, J1, J2].sort());
    expect(Object.keys(shown.edges).sort()).toEqual([edgeId(A, J1), edgeId(J1, J2), edgeId(J2, D)].sort());
    expect(shown.edges[edgeId(J1, J2)]?.via).toEqual([X]);
    expect(shown.edges[edgeId(A, J1)]?.via).toBeUndefined();
    // hiding jobs and a namespace at once: still one path a → d
    const both = filterGraph(across, { namespaces: ['ns'], hiddenKinds: ['job'] });
    expect(Object.keys(both.edges)).toEqual([edgeId(A, D)]);
    expect(both.edges[edgeId(A, D)]?.via).toEqual([J1, X, J2]);
  });

  it('toggles a namespace out of "all" instead of keeping only it', () => {
    const all = ['a', 'b', 'c'];
    expect(toggleNamespace([], all, 'b')).toEqual(['a', 'c']);
    expect(namespaceShown(['a', 'c'], 'b')).toBe(false);
    expect(namespaceShown([], 'b')).toBe(true);
    expect(toggleNamespace(['a', 'c'], all, 'b')).toEqual([]);
    expect(toggleNamespace(['a'], all, 'a')).toEqual(['a']);
    expect(toggleNamespace(['a', 'c'], all, 'c')).toEqual(['a']);
  });

  it('collapses dataset→job→dataset into labelled dataset→dataset edges', () => {
    const view = datasetOnlyView(graph);
    expect(Object.keys(view.nodes).sort()).toEqual([A, B, C].sort());
    expect(Object.keys(view.edges).sort()).toEqual([edgeId(A, B), edgeId(A, C)].sort());
    expect(view.edges[edgeId(A, B)]?.via).toEqual([J1]);
    expect(view.edges[edgeId(A, B)]?.label).toBe('j1');
  });

  it('follows chains of jobs and keeps manual dataset edges', () => {
    const chain = g([A, J1, J2, B, D], [`${A}>${J1}`, `${J1}>${J2}`, `${J2}>${B}`], [`${B}>${D}`]);
    const view = datasetOnlyView(chain);
    expect(view.edges[edgeId(A, B)]?.via).toEqual([J1, J2]);
    expect(view.edges[edgeId(B, D)]?.manual).toBe(true);
    expect(view.edges[edgeId(A, B)]?.manual).toBe(false);
  });

  it('merges parallel jobs into one edge', () => {
    const parallel = g([A, J1, J2, B], [`${A}>${J1}`, `${J1}>${B}`, `${A}>${J2}`, `${J2}>${B}`]);
    const view = datasetOnlyView(parallel);
    expect(Object.keys(view.edges)).toEqual([edgeId(A, B)]);
    expect(view.edges[edgeId(A, B)]?.via?.sort()).toEqual([J1, J2].sort());
  });

  it('searches names before namespaces', () => {
    expect(searchNodes(graph, 'b').map((n) => n.id)).toEqual([B]);
    expect(searchNodes(graph, 'other').map((n) => n.id)).toEqual([C]);
    expect(searchNodes(graph, '  ')).toEqual([]);
  });

  it('lists namespaces and removes nodes', () => {
    expect(namespacesOf(graph)).toEqual(['ns', 'other']);
    expect(Object.keys(withoutNodes(graph, new Set([J1])).edges)).toHaveLength(0);
  });

  it('highlights paths, also in the dataset-only view', () => {
    const hl = pathHighlight([{ nodes: [A, J1, B] }]);
    expect([...hl.edges].sort()).toEqual([edgeId(A, J1), edgeId(J1, B)].sort());
    expect([...projectHighlight(datasetOnlyView(graph), hl)]).toEqual([edgeId(A, B)]);
  });
});
