import { describe, expect, it } from 'vitest';
import { datasetId, fieldId, jobId, parseNodeId, shortName, splitNamespace } from './node-id';

describe('node ids', () => {
  it('formats Marquez ids', () => {
    expect(datasetId('gs://bucket', 'a.csv')).toBe('dataset:gs://bucket:a.csv');
    expect(jobId('airflow', 'dag.task')).toBe('job:airflow:dag.task');
    expect(fieldId('file', '/tmp/t', 'a')).toBe('datasetField:file:/tmp/t:a');
  });

  it('parses namespaces with colons against the known namespaces', () => {
    expect(parseNodeId('dataset:postgres://db:5432:public.orders', ['postgres://db:5432'])).toEqual({
      kind: 'dataset', namespace: 'postgres://db:5432', name: 'public.orders',
    });
  });

  it('prefers the longest known namespace', () => {
    expect(splitNamespace('file:/tmp:x', ['file', 'file:/tmp'])).toEqual(['file:/tmp', 'x']);
  });

  it('keeps URL-like namespaces whole without known namespaces', () => {
    expect(splitNamespace('postgres://db:5432:public.orders')).toEqual(['postgres://db:5432', 'public.orders']);
    expect(splitNamespace('gs://mock-bucket:result.csv')).toEqual(['gs://mock-bucket', 'result.csv']);
    expect(splitNamespace('airflow:BQ.copy')).toEqual(['airflow', 'BQ.copy']);
  });

  it('parses field ids and source ids', () => {
    expect(parseNodeId('datasetField:file:/tmp/cll/tbl1:agg', ['file'])).toEqual({
      kind: 'datasetField', namespace: 'file', name: '/tmp/cll/tbl1', field: 'agg',
    });
    expect(parseNodeId('source:1234')).toEqual({ kind: 'source', namespace: '', name: '1234' });
    expect(parseNodeId('nonsense')).toBeNull();
  });

  it('shortens path-like names', () => {
    expect(shortName('/tmp/cll_test/tbl1')).toBe('tbl1');
    expect(shortName('mock-project.test.upload')).toBe('mock-project.test.upload');
    expect(shortName('dir/')).toBe('dir');
  });
});
