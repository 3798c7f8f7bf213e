// The lineage of one Airflow DAG (the embedded tab, /embed/dag/<namespace>/<dag>): its task jobs — the
// namespace's jobs whose parent is the DAG (OpenLineage `parent` facet) — and the datasets they read and
// write, as a Graph the explorer's canvas draws. The DAG job itself is drawn only when it has datasets
// of its own. Pure.
import type { Job } from '../types/api';
import type { Graph, GraphNode } from '../types/graph';
import { edgeId, runStateToStatus } from './graph';
import { datasetId, jobId } from './node-id';

export interface DagGraph {
  graph: Graph;
  /** Task jobs found for the DAG (0: LineageLens has no events for it yet). */
  tasks: number;
  /** The DAG job, when LineageLens knows it. */
  dag: Job | null;
}

export function dagGraph(jobs: readonly Job[], namespace: string, dag: string): DagGraph {
  const graph: Graph = { nodes: {}, edges: {} };
  const dagJob = jobs.find((j) => j.name === dag && j.namespace === namespace) ?? null;
  const members = jobs.filter((j) => j.namespace === namespace && (j.parentJobName === dag
    || (j.name === dag && (j.inputs.length > 0 || j.outputs.length > 0))));
  const addDataset = (ns: string, name: string) => {
    const id = datasetId(ns, name);
    graph.nodes[id] ??= { id, kind: 'dataset', namespace: ns, name, data: {} };
    return id;
  };
  for (const job of members) {
    const id = jobId(job.namespace, job.name);
    const node: GraphNode = { id, kind: 'job', namespace: job.namespace, name: job.name, data: job };
    const status = runStateToStatus(job.latestRun?.state);
    if (status) node.status = status;
    graph.nodes[id] = node;
    for (const input of job.inputs) {
      const ds = addDataset(input.namespace, input.name);
      graph.edges[edgeId(ds, id)] = { id: edgeId(ds, id), source: ds, target: id, manual: false };
    }
    for (const output of job.outputs) {
      const ds = addDataset(output.namespace, output.name);
      graph.edges[edgeId(id, ds)] = { id: edgeId(id, ds), source: id, target: ds, manual: false };
    }
  }
  return { graph, tasks: members.filter((j) => j.name !== dag).length, dag: dagJob };
}

/** The task id of a task job (`dag.task` → `task`). */
export function taskLabel(jobName: string, dag: string): string {
  return jobName.startsWith(`${dag}.`) ? jobName.slice(dag.length + 1) : jobName;
}
