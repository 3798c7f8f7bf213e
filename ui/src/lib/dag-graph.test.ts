import { describe, expect, it } from 'vitest';
import { dagGraph, taskLabel } from './dag-graph';
import type { Job } from '../types/api';

const job = (name: string, parent: string | null, inputs: string[], outputs: string[], state: Job['latestRun'] = null, namespace = 'af'): Job => ({
  id: { namespace, name }, name, namespace, parentJobName: parent, facets: {}, latestRun: state,
  inputs: inputs.map((n) => ({ namespace: 'file', name: n })), outputs: outputs.map((n) => ({ namespace: 'file', name: n })),
});

const failed = { id: 'r1', state: 'FAILED' as const, startedAt: null, endedAt: null, durationMs: null };

describe('dagGraph', () => {
  const jobs = [
    job('etl', null, [], []),
    job('etl.extract', 'etl', ['/raw.csv'], ['/stage.csv']),
    job('etl.load', 'etl', ['/stage.csv'], ['/final.csv'], failed),
    job('other.task', 'other', ['/raw.csv'], ['/x.csv']),
    job('etl.extract', 'etl', ['/elsewhere.csv'], [], null, 'another-namespace'),
  ];

  it('draws the tasks of the DAG and their datasets, nothing else', () => {
    const { graph, tasks, dag } = dagGraph(jobs, 'af', 'etl');
    expect(tasks).toBe(2);
    expect(dag?.name).toBe('etl');
    expect(Object.keys(graph.nodes).sort()).toEqual([
      'dataset:file:/final.csv', 'dataset:file:/raw.csv', 'dataset:file:/stage.csv', 'job:af:etl.extract', 'job:af:etl.load',
    ]);
    expect(Object.keys(graph.edges)).toHaveLength(4);
    expect(graph.nodes['job:af:etl.load']!.status).toBe('failing');
  });

  it('finds nothing for a DAG LineageLens has not heard of', () => {
    const { graph, tasks, dag } = dagGraph(jobs, 'af', 'missing');
    expect([Object.keys(graph.nodes).length, tasks, dag]).toEqual([0, 0, null]);
  });

  it('labels tasks by their task id', () => {
    expect(taskLabel('etl.extract', 'etl')).toBe('extract');
    expect(taskLabel('standalone', 'etl')).toBe('standalone');
  });
});

describe('the embedded DAG route', () => {
  it('parses and formats /embed/dag/<namespace>/<dag> under any base path, slashes and colons included', async () => {
    const { formatRoute, parseRoute } = await import('./routes');
    const route = { name: 'embed-dag' as const, namespace: 'airflow://prod:8080', dag: 'etl/daily' };
    const href = formatRoute(route, '/lineagelens/');
    expect(href).toBe('/lineagelens/embed/dag/airflow%3A%2F%2Fprod%3A8080/etl%2Fdaily');
    expect(parseRoute(href, '', '/lineagelens/')).toEqual(route);
  });
});
