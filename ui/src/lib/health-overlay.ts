// The health overlay (explorer and dashboards), built on the live statuses (lib/live-status.ts) and what
// the lineage API sent: jobs coloured by their last run's state — "late" when it ran (or has been running)
// longer than the job's p95 — datasets flagged when written by a failed or late run, and "what did this
// break": everything downstream of a failure. Pure.
import type { JobDurations } from '../types/api';
import type { Graph, NodeStatus } from '../types/graph';
import { formatDuration } from './format';
import { adjacency, reachable } from './graph';
import type { NodeLive } from './live-messages';
import type { LiveDisplay } from './live-status';

/** A run at least this much longer than the job's p95 counts as late; with fewer completed runs than
 * MIN_RUNS there is no p95 to go by. */
export const MIN_RUNS = 3;

export interface DurationVerdict {
  level: 'ok' | 'aborted' | 'failing';
  text: string;
  late: boolean;
}

/** How a duration compares with the job's p50/p95 (null without enough history or a duration). */
export function durationVerdict(durationMs: number | null | undefined, stats: JobDurations | undefined | null): DurationVerdict | null {
  if (durationMs === null || durationMs === undefined || !stats || stats.count < MIN_RUNS || stats.p95Ms === null || stats.p50Ms === null) return null;
  if (durationMs > stats.p95Ms) return { level: 'failing', text: `slower than p95 (${formatDuration(stats.p95Ms)})`, late: true };
  if (durationMs > stats.p50Ms) return { level: 'aborted', text: 'slower than usual', late: false };
  return { level: 'ok', text: 'typical', late: false };
}

/** What the overlay knows of a job's last run. */
export interface JobRunInfo {
  state: 'RUNNING' | 'COMPLETED' | 'FAILED' | 'ABORTED' | 'NEW' | null;
  runId: string | null;
  startedAt: string | null;
  durationMs: number | null;
  error: string | null;
}

const LIVE_TO_MARQUEZ = { RUNNING: 'RUNNING', START: 'RUNNING', COMPLETE: 'COMPLETED', FAIL: 'FAILED', ABORT: 'ABORTED', OTHER: 'NEW' } as const;

/** Each job's last run: the live stream's when it has one, else the lineage API's `latestRun`. */
export function jobRuns(graph: Graph, live: Readonly<Record<string, NodeLive>>): Record<string, JobRunInfo> {
  const out: Record<string, JobRunInfo> = {};
  for (const node of Object.values(graph.nodes)) {
    if (node.kind !== 'job') continue;
    const l = live[node.id];
    if (l && l.kind === 'job' && l.state) {
      out[node.id] = { state: LIVE_TO_MARQUEZ[l.state], runId: l.runId, startedAt: l.startedAt, durationMs: l.durationMs, error: l.error?.message ?? null };
      continue;
    }
    const run = node.data.latestRun;
    if (run) out[node.id] = { state: run.state, runId: run.id, startedAt: run.startedAt, durationMs: run.durationMs, error: null };
  }
  return out;
}

export type Health = 'failed' | 'late' | 'running' | 'ok' | 'aborted';

export interface NodeHealth {
  health: Health;
  /** Why: "last run failed: …", "written by a failed run of x" … */
  reason: string;
  /** The run it comes from (a job's last run; the failed or late producer's run for a dataset). */
  runId: string | null;
  /** For datasets: the job(s) that flag it. */
  by?: string[];
}

/** A job's health from its last run and its p95 (a running run is late once past p95 already). */
export function jobHealth(run: JobRunInfo | undefined, stats: JobDurations | undefined, now: number): NodeHealth | null {
  if (!run?.state || run.state === 'NEW') return null;
  if (run.state === 'FAILED') return { health: 'failed', reason: `last run failed${run.error ? `: ${run.error}` : ''}`, runId: run.runId };
  if (run.state === 'ABORTED') return { health: 'aborted', reason: 'last run aborted', runId: run.runId };
  const elapsed = run.state === 'RUNNING' && run.startedAt ? Math.max(0, now - new Date(run.startedAt).getTime()) : run.durationMs;
  const verdict = durationVerdict(elapsed, stats);
  if (verdict?.late) {
    const what = run.state === 'RUNNING' ? `running for ${formatDuration(elapsed)}` : `took ${formatDuration(elapsed)}`;
    return { health: 'late', reason: `late: ${what}, p95 ${formatDuration(stats?.p95Ms)}`, runId: run.runId };
  }
  if (run.state === 'RUNNING') return { health: 'running', reason: 'running', runId: run.runId };
  return { health: 'ok', reason: 'last run completed', runId: run.runId };
}

/** Health of every job and dataset of the view: jobs from their last run, datasets flagged when a job
 * writing them (an edge job → dataset in the graph) failed or is late, or when the stream says the run
 * that last wrote them failed. */
export function healthOverlay(graph: Graph, live: Readonly<Record<string, NodeLive>>,
                              durations: Readonly<Record<string, JobDurations>>, now: number): Record<string, NodeHealth> {
  const runs = jobRuns(graph, live);
  const out: Record<string, NodeHealth> = {};
  for (const [id, run] of Object.entries(runs)) {
    const h = jobHealth(run, durations[id], now);
    if (h) out[id] = h;
  }
  const name = (id: string) => graph.nodes[id]?.name ?? id;
  for (const e of Object.values(graph.edges)) {
    const producer = out[e.source];
    if (graph.nodes[e.source]?.kind !== 'job' || graph.nodes[e.target]?.kind !== 'dataset' || !producer) continue;
    if (producer.health !== 'failed' && producer.health !== 'late') continue;
    const existing = out[e.target];
    const by = [...(existing?.by ?? []), e.source];
    const failed = producer.health === 'failed' || existing?.health === 'failed';
    out[e.target] = {
      health: failed ? 'failed' : 'late',
      reason: `written by a ${failed ? 'failed' : 'late'} run of ${by.map(name).join(', ')}`,
      runId: existing?.runId ?? producer.runId,
      by,
    };
  }
  for (const [id, l] of Object.entries(live)) {
    if (l.kind === 'dataset' && l.state === 'FAIL' && graph.nodes[id] && out[id]?.health !== 'failed') {
      out[id] = { health: 'failed', reason: `the run that last wrote it failed${l.producedBy ? ` (${l.producedBy.replace(/^job:/, '')})` : ''}`, runId: l.runId };
    }
  }
  return out;
}

export const HEALTH_STATUS: Record<Health, NodeStatus> = { failed: 'failing', late: 'late', running: 'running', ok: 'ok', aborted: 'aborted' };

/** The overlay as card displays: the live display when the stream has one (it knows best, and turns
 * grey when not live), with late jobs and flagged datasets put on top, and REST-only nodes filled in. */
export function overlayDisplays(overlay: Readonly<Record<string, NodeHealth>>, live: Readonly<Record<string, LiveDisplay>>,
                                connected: boolean): Record<string, LiveDisplay> {
  const out: Record<string, LiveDisplay> = { ...live };
  for (const [id, h] of Object.entries(overlay)) {
    const base = live[id];
    if (base && !connected) continue; // not live: the stale grey stays
    const flag = h.health === 'late' || (h.by !== undefined && h.health === 'failed');
    if (base && !flag) continue;
    out[id] = {
      status: HEALTH_STATUS[h.health],
      statusText: base && flag ? `${h.reason}\n${base.statusText}` : h.reason,
      error: base?.error ?? null,
      metric: base?.metric ?? null,
      health: base?.health ?? null,
    };
  }
  return out;
}

/** Nodes that are failures to start "what did this break" from: failed or late jobs and datasets. */
export function failures(overlay: Readonly<Record<string, NodeHealth>>): string[] {
  return Object.entries(overlay).filter(([, h]) => h.health === 'failed' || h.health === 'late').map(([id]) => id).sort();
}

/** "What did this break": every node downstream of `starts`, and the edges from a start or a reached
 * node to a reached node. The starts are included in `nodes`. */
export function blastRadius(graph: Graph, starts: readonly string[]): { nodes: Set<string>; edges: Set<string>; downstream: Set<string> } {
  const adj = adjacency(graph);
  const downstream = new Set<string>();
  for (const s of starts) if (graph.nodes[s]) for (const id of reachable(graph, s, 'down', Infinity, adj)) downstream.add(id);
  const nodes = new Set<string>([...starts.filter((s) => graph.nodes[s]), ...downstream]);
  const edges = new Set<string>();
  for (const e of Object.values(graph.edges)) if (nodes.has(e.source) && downstream.has(e.target)) edges.add(e.id);
  return { nodes, edges, downstream };
}

/** A dashboard as a graph keyed by its node ids (the overlay works on what the dashboard draws: its
 * nodes and its hand-drawn edges). */
export function dashboardGraph(nodes: ReadonlyArray<{ id: string; ref: { kind: 'source' | 'dataset' | 'job'; id: string } }>,
                               edges: ReadonlyArray<{ source: string; target: string }>): Graph {
  const graph: Graph = { nodes: {}, edges: {} };
  for (const n of nodes) {
    const [, namespace = '', ...rest] = n.ref.id.split(':');
    graph.nodes[n.id] = { id: n.id, kind: n.ref.kind, namespace, name: rest.join(':') || n.ref.id, data: {} };
  }
  for (const e of edges) {
    if (!graph.nodes[e.source] || !graph.nodes[e.target]) continue;
    const id = `${e.source}->${e.target}`;
    graph.edges[id] = { id, source: e.source, target: e.target, manual: true };
  }
  return graph;
}
