import { describe, expect, it } from 'vitest';
import type { ColumnLineageResponse } from '../types/api';
import type { Graph } from '../types/graph';
import { datasetFieldLists, fieldKey, fieldLineage, fromColumnLineage, transformationLabel } from './column-graph';

const S1 = 'dataset:file:/tmp/s1', S2 = 'dataset:file:/tmp/s2', T = 'dataset:file:/tmp/t', U = 'dataset:file:/tmp/u';
const input = (datasetId: string, field: string, type: string, subtype: string) => ({
  namespace: 'file', dataset: datasetId.slice('dataset:file:'.length), datasetId, field,
  transformationType: type, transformationSubtype: subtype, transformationDescription: null, transformations: [`${type}/${subtype}`],
});
const response: ColumnLineageResponse = {
  graph: [
    { id: 'f1', type: 'DATASET_FIELD', data: { namespace: 'file', dataset: '/tmp/t', datasetId: T, field: 'agg',
      inputFields: [input(S1, 'a', 'INDIRECT', 'GROUP_BY'), input(S2, 'c', 'DIRECT', 'AGGREGATION'), input(S2, 'c', 'DIRECT', 'AGGREGATION')] }, inEdges: [], outEdges: [] },
    { id: 'f2', type: 'DATASET_FIELD', data: { namespace: 'file', dataset: '/tmp/t', datasetId: T, field: 'ident',
      inputFields: [input(S1, 'a', 'DIRECT', 'IDENTITY')] }, inEdges: [], outEdges: [] },
    { id: 'f3', type: 'DATASET_FIELD', data: { namespace: 'file', dataset: '/tmp/u', datasetId: U, field: 'x',
      inputFields: [input(T, 'ident', 'DIRECT', 'IDENTITY')] }, inEdges: [], outEdges: [] },
  ],
};

describe('column graph', () => {
  it('merges the transformations of one field pair, direct first', () => {
    const cg = fromColumnLineage({ graph: [{ id: 'f', type: 'DATASET_FIELD', data: { namespace: 'file', dataset: '/tmp/t', datasetId: T, field: 'x',
      inputFields: [input(S1, 'a', 'INDIRECT', 'JOIN'), input(S1, 'a', 'DIRECT', 'IDENTITY'), input(S1, 'a', 'INDIRECT', 'JOIN')] }, inEdges: [], outEdges: [] }] });
    expect(cg.edges).toHaveLength(1);
    expect(transformationLabel(cg.edges[0]!)).toBe('identity · join');
    expect(cg.edges[0]!.transformationType).toBe('DIRECT');
  });

  it('groups fields by dataset and deduplicates edges', () => {
    const cg = fromColumnLineage(response);
    expect(cg.fields[T]).toEqual(['agg', 'ident']);
    expect(cg.fields[S2]).toEqual(['c']);
    expect(cg.edges).toHaveLength(4);
    expect(cg.datasets[S1]).toEqual({ namespace: 'file', name: '/tmp/s1' });
  });

  it('orders fields by the schema when the lineage graph has it', () => {
    const cg = fromColumnLineage(response);
    const graph: Graph = { nodes: { [T]: { id: T, kind: 'dataset', namespace: 'file', name: '/tmp/t',
      data: { fields: [{ name: 'ident', type: 'int' }, { name: 'other', type: 'int' }] } } }, edges: {} };
    expect(datasetFieldLists(cg, graph)[T]).toEqual(['ident', 'other', 'agg']);
  });

  it('finds the fields a field derives from, and what derives from it', () => {
    const cg = fromColumnLineage(response);
    const up = fieldLineage(cg, U, 'x', false);
    expect([...up.fields].sort()).toEqual([fieldKey(S1, 'a'), fieldKey(T, 'ident'), fieldKey(U, 'x')].sort());
    expect(up.edges.size).toBe(2);
    const both = fieldLineage(cg, T, 'ident');
    expect(both.fields.has(fieldKey(U, 'x'))).toBe(true);
    expect(both.fields.has(fieldKey(S2, 'c'))).toBe(false);
  });

  it('labels edges with the transformation subtype', () => {
    const cg = fromColumnLineage(response);
    expect(cg.edges.map(transformationLabel)).toContain('group by');
    expect(cg.edges.map(transformationLabel)).toContain('aggregation');
  });
});
