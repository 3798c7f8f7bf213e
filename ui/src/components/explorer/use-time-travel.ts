// Data of the explorer's time controls: the runs of the focused job (the slider's stops) and, in diff
// mode, the server's diff with the two cones it compares merged into one graph (lib/lineage-diff.ts).
import { useMemo } from 'react';
import { getLineage, getLineageDiff, listJobRuns, type DiffSide, type LineageDiff } from '../../api/lineage';
import { useAsync } from '../../hooks/use-async';
import { fromLineageResponse } from '../../lib/graph';
import { mergeDiff, type DiffView } from '../../lib/lineage-diff';
import { timeStops, type TimeStop } from '../../lib/lineage-time';
import type { DiffSelection } from '../../lib/lineage-url';
import { parseNodeId } from '../../lib/node-id';
import type { Graph } from '../../types/graph';

const NO_STOPS: TimeStop[] = timeStops([]);

export interface JobRunsState {
  job: { id: string; namespace: string; name: string } | null;
  stops: TimeStop[];
  loading: boolean;
  error: string | null;
}

/** The stops of `jobId`'s runs (its last 100), oldest first, then "now". */
export function useJobStops(jobId: string | null, graph: Graph, namespaces: readonly string[]): JobRunsState {
  const job = useMemo(() => {
    if (!jobId) return null;
    const node = graph.nodes[jobId];
    if (node) return { id: jobId, namespace: node.namespace, name: node.name };
    const parsed = parseNodeId(jobId, namespaces);
    return parsed ? { id: jobId, namespace: parsed.namespace, name: parsed.name } : null;
  }, [jobId, graph, namespaces]);
  const runs = useAsync((signal) => (job ? listJobRuns(job.namespace, job.name, 100, signal) : Promise.resolve([])), [job?.namespace, job?.name]);
  const stops = useMemo(() => (runs.data ? timeStops(runs.data) : NO_STOPS), [runs.data]);
  return { job, stops, loading: runs.loading, error: runs.error };
}

export interface DiffState {
  diff: LineageDiff | null;
  view: DiffView | null;
  loading: boolean;
  error: string | null;
}

function side(run: string | null, at: string | null): DiffSide | null {
  return run ? { run } : at ? { at } : null;
}

/** Whether both sides of `selection` are picked. */
export function diffReady(selection: DiffSelection | null): boolean {
  return Boolean(selection && (selection.fromRun || selection.from) && (selection.toRun || selection.to));
}

/** The diff of `rootId`'s cone for `selection` (two runs → the server's fromRun/toRun; otherwise each run
 * side becomes its instant from `stops`), and the two cones merged for drawing. */
export function useLineageDiff(rootId: string, depth: number, selection: DiffSelection | null, stops: readonly TimeStop[]): DiffState {
  const from = selection ? side(selection.fromRun, selection.from) : null;
  const to = selection ? side(selection.toRun, selection.to) : null;
  const instantOf = (s: DiffSide | null): DiffSide | null => {
    if (!s || 'at' in s) return s;
    const at = stops.find((stop) => stop.runId === s.run)?.at;
    return at ? { at } : null;
  };
  const bothRuns = Boolean(from && to && 'run' in from && 'run' in to);
  const a = bothRuns ? from : instantOf(from);
  const b = bothRuns ? to : instantOf(to);
  const key = a && b ? JSON.stringify([rootId, depth, a, b]) : null;
  const result = useAsync(async (signal) => {
    if (!key || !a || !b) return null;
    const diff = await getLineageDiff(rootId, depth, a, b, signal);
    const [before, after] = await Promise.all([
      getLineage(rootId, depth, 'both', signal, { asOf: diff.from }),
      getLineage(rootId, depth, 'both', signal, { asOf: diff.to }),
    ]);
    return { diff, view: mergeDiff(fromLineageResponse(before), fromLineageResponse(after), diff) };
  }, [key]);
  return { diff: result.data?.diff ?? null, view: result.data?.view ?? null, loading: Boolean(key) && result.loading, error: key ? result.error : null };
}
