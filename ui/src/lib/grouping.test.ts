import { describe, expect, it } from 'vitest';
import { groupNodeId, groupView, layersFrom } from './grouping';
import { edgeId } from './graph';
import type { Graph, GraphNode } from '../types/graph';

function graphOf(nodes: Array<[string, string]>, edges: Array<[string, string]>, failing: string[] = []): Graph {
  const g: Graph = { nodes: {}, edges: {} };
  for (const [id, ns] of nodes) {
    const node: GraphNode = { id, kind: id.startsWith('job:') ? 'job' : 'dataset', namespace: ns, name: id.split(':').pop()!, data: {} };
    if (failing.includes(id)) node.status = 'failing';
    g.nodes[id] = node;
  }
  for (const [s, t] of edges) g.edges[edgeId(s, t)] = { id: edgeId(s, t), source: s, target: t, manual: false };
  return g;
}

// raw.a, raw.b (namespace pg) → job:etl (airflow) → wh.x, wh.y (namespace bq) → job:report → bq z
const G = graphOf(
  [['dataset:pg:a', 'pg'], ['dataset:pg:b', 'pg'], ['job:airflow:etl', 'airflow'], ['dataset:bq:x', 'bq'], ['dataset:bq:y', 'bq'],
    ['job:airflow:report', 'airflow'], ['dataset:bq:z', 'bq']],
  [['dataset:pg:a', 'job:airflow:etl'], ['dataset:pg:b', 'job:airflow:etl'], ['job:airflow:etl', 'dataset:bq:x'], ['job:airflow:etl', 'dataset:bq:y'],
    ['dataset:bq:x', 'job:airflow:report'], ['job:airflow:report', 'dataset:bq:z']],
  ['dataset:pg:b'],
);

describe('groupView', () => {
  it('folds each namespace into one node and merges the edges between groups', () => {
    const view = groupView(G, 'namespace', [], 'job:airflow:etl');
    const pg = groupNodeId('ns:pg');
    const bq = groupNodeId('ns:bq');
    expect(Object.keys(view.graph.nodes).sort()).toEqual([bq, pg, 'job:airflow:etl', 'job:airflow:report'].sort());
    expect(view.groups[pg]).toMatchObject({ label: 'pg', size: 2, datasets: 2, jobs: 0, failing: 1 });
    expect(view.graph.nodes[pg]!.status).toBe('failing');
    // a and b both feed etl: one merged edge, counted
    expect(view.graph.edges[edgeId(pg, 'job:airflow:etl')]!.label).toBe('2 edges');
    // x → report and report → z both cross the bq group: two edges, no self loop
    expect(view.graph.edges[edgeId(bq, 'job:airflow:report')]!.label).toBe('1 edge');
    expect(view.graph.edges[edgeId('job:airflow:report', bq)]).toBeDefined();
    expect(view.graph.edges[edgeId(bq, bq)]).toBeUndefined();
    expect(view.keys).toEqual(['ns:bq', 'ns:pg']);
    // the focus node (etl) is never folded: airflow's group would hold only report, so it stays plain
    expect(view.folded['job:airflow:report']).toBeUndefined();
  });

  it('opens a group back into its members', () => {
    const view = groupView(G, 'namespace', ['ns:bq'], 'job:airflow:etl');
    expect(view.graph.nodes['dataset:bq:x']).toBeDefined();
    expect(view.graph.nodes[groupNodeId('ns:bq')]).toBeUndefined();
    expect(view.graph.edges[edgeId('job:airflow:etl', 'dataset:bq:x')]).toBeDefined();
  });

  it('groups by hops from the focus node', () => {
    const layers = layersFrom(G, 'job:airflow:etl');
    expect(layers.get('dataset:pg:a')).toBe(-1);
    expect(layers.get('dataset:bq:x')).toBe(1);
    expect(layers.get('job:airflow:report')).toBe(2);
    expect(layers.get('dataset:bq:z')).toBe(3);
    const view = groupView(G, 'layer', [], 'job:airflow:etl');
    expect(view.groups[groupNodeId('layer:-1')]).toMatchObject({ label: '1 hop upstream', size: 2 });
    expect(view.groups[groupNodeId('layer:1')]).toMatchObject({ label: '1 hop downstream', size: 2 });
    expect(view.graph.nodes['dataset:bq:z']).toBeDefined();
  });

  it('leaves the graph alone without a mode', () => {
    expect(groupView(G, 'none', [], 'x').graph).toBe(G);
  });
});

describe('grouping in the explorer URL', () => {
  it('keeps the mode and the open groups, and drops open groups without a mode', async () => {
    const { defaultExplorerState, parseExplorerState, serializeExplorerState } = await import('./lineage-url');
    const state = { ...defaultExplorerState('dataset:ns:a'), group: 'namespace' as const, open: ['ns:pg', 'ns:bq'] };
    const search = serializeExplorerState(state);
    expect(search).toBe('nodeId=dataset%3Ans%3Aa&group=namespace&open=ns%3Apg&open=ns%3Abq');
    expect(parseExplorerState(search)).toEqual(state);
    expect(parseExplorerState('nodeId=x&open=ns%3Apg')).toMatchObject({ group: 'none', open: [] });
    expect(serializeExplorerState(defaultExplorerState('x'))).toBe('nodeId=x');
  });
});
