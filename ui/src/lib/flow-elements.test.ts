import { describe, expect, it } from 'vitest';
import type { Graph } from '../types/graph';
import { fromColumnLineage } from './column-graph';
import { opKey } from './expansion';
import { columnLayoutInput, makeToggles, toColumnElements, toFlowElements } from './flow-elements';
import { edgeId } from './graph';
import { nodeHeight } from './node-size';

const A = 'dataset:file:/tmp/a', J = 'job:ns:j', B = 'dataset:file:/tmp/b';
const graph: Graph = {
  nodes: {
    [A]: { id: A, kind: 'dataset', namespace: 'file', name: '/tmp/a', data: { fields: [{ name: 'x', type: 'int' }] } },
    [J]: { id: J, kind: 'job', namespace: 'ns', name: 'j', data: { latestRun: { id: 'r', state: 'FAILED', startedAt: null, endedAt: null, durationMs: null } }, status: 'failing' },
    [B]: { id: B, kind: 'dataset', namespace: 'file', name: '/tmp/b', data: {} },
  },
  edges: {
    [edgeId(A, J)]: { id: edgeId(A, J), source: A, target: J, manual: false },
    [edgeId(J, B)]: { id: edgeId(J, B), source: J, target: B, manual: true },
  },
};

describe('flow elements', () => {
  it('maps nodes with labels, status, root and highlights', () => {
    const { nodes, edges } = toFlowElements(graph, {
      rootId: A, positions: { [A]: { x: 1, y: 2 } }, selected: J, highlightNodes: new Set([A]), dimOthers: true,
      live: { [B]: { status: 'running', statusText: 'running since just now', error: null, metric: '2 s', health: null } },
    });
    const a = nodes.find((n) => n.id === A)!;
    expect(a).toMatchObject({ type: 'dataset', position: { x: 1, y: 2 }, data: { label: 'a', root: true, highlighted: true, dimmed: false } });
    const j = nodes.find((n) => n.id === J)!;
    expect(j.selected).toBe(true);
    expect(j.data).toMatchObject({ status: 'failing', statusText: 'last run failed', dimmed: true });
    expect(nodes.find((n) => n.id === B)!.data).toMatchObject({ status: 'running', live: true, metric: '2 s', statusText: 'running since just now' });
    const manual = edges.find((e) => e.id === edgeId(J, B))!;
    expect(manual.data).toMatchObject({ manual: true, dimmed: true });
    expect(manual.markerEnd).toMatchObject({ color: '#db2777' });
  });

  it('computes expand/collapse toggles and loading state', () => {
    const toggles = makeToggles(graph, { [opKey({ action: 'expand', direction: 'up', nodeId: A })]: true },
      (id, d) => opKey({ action: 'expand', direction: d, nodeId: id }));
    expect(toggles(A)).toEqual({ up: 'loading', down: 'collapse' });
    expect(toggles(B)).toEqual({ up: 'collapse', down: 'expand' });
  });

  it('builds the column view with field handles and highlighted derivations', () => {
    const columns = fromColumnLineage({ graph: [{ id: 'f', type: 'DATASET_FIELD', data: { namespace: 'file', dataset: '/tmp/b', datasetId: B, field: 'y',
      inputFields: [{ namespace: 'file', dataset: '/tmp/a', datasetId: A, field: 'x', transformationType: 'DIRECT', transformationSubtype: 'IDENTITY', transformationDescription: null, transformations: [] }] }, inEdges: [], outEdges: [] }] });
    const lists = { [A]: ['x'], [B]: ['y', 'z'] };
    const edgeIdOf = columns.edges[0]!.id;
    const { nodes, edges } = toColumnElements(graph, columns, lists, {
      rootId: B, positions: {}, activeFields: new Set([`${B}::y`, `${A}::x`]), activeEdges: new Set([edgeIdOf]), selectedField: `${B}::y`,
    });
    expect(nodes.find((n) => n.id === B)!.data).toMatchObject({ fields: ['y', 'z'], activeFields: ['y'], selectedField: 'y' });
    expect(nodes.find((n) => n.id === A)!.data.fieldTypes).toEqual({ x: 'int' });
    expect(nodes.find((n) => n.id === B)!.height).toBe(nodeHeight(2));
    expect(nodes.find((n) => n.id === B)!.handles?.map((h) => h.id)).toEqual([null, null, 'in:y', 'out:y', 'in:z', 'out:z']);
    expect(edges[0]).toMatchObject({ source: A, target: B, sourceHandle: 'out:x', targetHandle: 'in:y', data: { label: 'identity', highlighted: true } });
    expect(columnLayoutInput(lists, columns).edges).toEqual([{ source: A, target: B }]);
  });
});
