import { describe, expect, it } from 'vitest';
import type { LineageDiff } from '../api/lineage';
import type { LineageResponse } from '../types/api';
import type { Graph } from '../types/graph';
import { toFlowElements } from './flow-elements';
import { edgeId, fromLineageResponse } from './graph';
import { diffSummary, mergeDiff, withTimeStatus } from './lineage-diff';

// A job rewired from reading B to reading C; OUT stays its output.
const B = 'dataset:pg:b', C = 'dataset:pg:c', OUT = 'dataset:pg:out', J = 'job:etl:rewire', X = 'dataset:pg:x';
const node = (id: string, kind: 'dataset' | 'job') => ({ id, kind, namespace: id.split(':')[1]!, name: id.split(':')[2]!, data: {} });
const edge = (source: string, target: string, stale = false) => ({ id: edgeId(source, target), source, target, manual: false, ...(stale ? { stale } : {}) });
const cone = (input: string): Graph => ({
  nodes: { [input]: node(input, 'dataset'), [J]: node(J, 'job'), [OUT]: node(OUT, 'dataset') },
  edges: { [edgeId(input, J)]: edge(input, J), [edgeId(J, OUT)]: edge(J, OUT) },
});
const diff = (over: Partial<LineageDiff> = {}): LineageDiff => ({
  nodeId: J, from: '2024-05-01T10:00:00+00:00', to: '2024-05-01T12:00:00+00:00', depth: 2,
  nodes: { added: [{ id: C, type: 'DATASET', namespace: 'pg', name: 'c' }], removed: [{ id: B, type: 'DATASET', namespace: 'pg', name: 'b' }] },
  edges: { added: [{ origin: C, destination: J, type: 'INPUT_TO' }], removed: [{ origin: B, destination: J, type: 'INPUT_TO' }] },
  schemaChanges: [{ id: OUT, namespace: 'pg', name: 'out', added: [{ name: 'name', type: 'text' }], removed: [], retyped: [] }],
  truncated: false, ...over,
});

describe('mergeDiff', () => {
  it('draws both cones in one graph: the rewiring red and green, the rest unchanged', () => {
    const view = mergeDiff(cone(B), cone(C), diff());
    expect(Object.keys(view.graph.nodes).sort()).toEqual([B, C, OUT, J].sort());
    expect(view.nodes).toEqual({ [B]: 'removed', [C]: 'added', [J]: 'unchanged', [OUT]: 'unchanged' });
    expect(view.edges).toEqual({ [edgeId(B, J)]: 'removed', [edgeId(C, J)]: 'added', [edgeId(J, OUT)]: 'unchanged' });
    expect(view.counts).toEqual({ nodesAdded: 1, nodesRemoved: 1, edgesAdded: 1, edgesRemoved: 1, schemaChanges: 1 });
  });

  it('takes the status from which cone holds an element when the diff does not name it', () => {
    const after = cone(B);
    after.nodes[X] = node(X, 'dataset');
    after.edges[edgeId(J, X)] = edge(J, X);
    const view = mergeDiff(cone(B), after, diff({ nodes: { added: [], removed: [] }, edges: { added: [], removed: [] }, schemaChanges: [] }));
    expect(view.nodes[X]).toBe('added');
    expect(view.edges[edgeId(J, X)]).toBe('added');
    expect(view.nodes[B]).toBe('unchanged');
  });

  it('draws what the diff names even when neither cone holds it, edges only between drawn nodes', () => {
    const view = mergeDiff(cone(B), cone(B), diff({
      nodes: { added: [{ id: C, type: 'DATASET', namespace: 'pg', name: 'c' }, { id: 'datasetField:pg:c:id', type: 'FIELD', namespace: 'pg', name: 'c' }], removed: [] },
      edges: { added: [{ origin: C, destination: J, type: 'INPUT_TO' }, { origin: 'dataset:pg:nowhere', destination: J, type: 'INPUT_TO' }], removed: [] },
    }));
    expect(view.graph.nodes[C]).toMatchObject({ kind: 'dataset', namespace: 'pg', name: 'c' });
    expect(view.graph.nodes['datasetField:pg:c:id']).toBeUndefined();
    expect(view.graph.edges[edgeId(C, J)]).toMatchObject({ source: C, target: J });
    expect(view.graph.edges[edgeId('dataset:pg:nowhere', J)]).toBeUndefined();
    expect(view.nodes[C]).toBe('added');
  });

  it('summarises the counts', () => {
    expect(diffSummary(mergeDiff(cone(B), cone(C), diff()).counts)).toBe('+1 node −1 node · +1 edge −1 edge · 1 schema change');
    expect(diffSummary({ nodesAdded: 0, nodesRemoved: 0, edgesAdded: 0, edgesRemoved: 0, schemaChanges: 0 })).toBe('no change');
  });
});

describe('withTimeStatus', () => {
  const positions = {};
  it('puts diff classes and data attributes on nodes and edges, recolouring edge arrows', () => {
    const view = mergeDiff(cone(B), cone(C), diff());
    const out = withTimeStatus(toFlowElements(view.graph, { rootId: J, positions }), view.graph, view);
    const byId = Object.fromEntries(out.nodes.map((n) => [n.id, n]));
    expect(byId[B]).toMatchObject({ className: 'diff-removed', domAttributes: { 'data-diff': 'removed' } });
    expect(byId[C]).toMatchObject({ className: 'diff-added', domAttributes: { 'data-diff': 'added' } });
    expect(byId[J]).toMatchObject({ className: 'diff-unchanged' });
    const removed = out.edges.find((e) => e.id === edgeId(B, J))!;
    expect(removed).toMatchObject({ className: 'diff-removed', domAttributes: { 'data-diff': 'removed' }, markerEnd: { color: '#dc2626' } });
    expect(out.edges.find((e) => e.id === edgeId(C, J))).toMatchObject({ className: 'diff-added', markerEnd: { color: '#16a34a' } });
  });

  it('marks stale edges outside diff mode and leaves a graph without any untouched', () => {
    const graph: Graph = { nodes: { ...cone(B).nodes, [C]: node(C, 'dataset') }, edges: { ...cone(C).edges, [edgeId(B, J)]: edge(B, J, true) } };
    const elements = toFlowElements(graph, { rootId: J, positions });
    const out = withTimeStatus(elements, graph, null);
    expect(out.edges.find((e) => e.id === edgeId(B, J))).toMatchObject({ className: 'is-stale', domAttributes: { 'data-stale': 'true' } });
    expect(out.edges.find((e) => e.id === edgeId(C, J))!.className).toBeUndefined();
    expect(out.nodes.every((n) => n.className === undefined)).toBe(true);
    const fresh = cone(C);
    const plain = toFlowElements(fresh, { rootId: J, positions });
    expect(withTimeStatus(plain, fresh, null)).toBe(plain);
  });

  it('reads stale from the lineage API', () => {
    const response: LineageResponse = { graph: [
      { id: B, type: 'DATASET', data: { namespace: 'pg', name: 'b' }, inEdges: [], outEdges: [{ origin: B, destination: J, stale: true }] },
      { id: J, type: 'JOB', data: { namespace: 'etl', name: 'rewire' }, inEdges: [{ origin: B, destination: J, stale: true }], outEdges: [] },
    ] };
    expect(fromLineageResponse(response).edges[edgeId(B, J)]!.stale).toBe(true);
  });
});
