// The live streams' wire format (docs/monitoring.md, "Messages") and the one reducer that folds a
// stream's messages into what the page shows: node id → live status, and the last seq seen (resume).
// Pure: the WebSocket itself is lib/live-socket.ts and hooks/use-live-stream.ts.
import type { SourceHealth } from '../types/graph';

export type { SourceHealth };

/** Run states as the streams send them (OpenLineage event types, not Marquez's run states). */
export type LiveRunState = 'RUNNING' | 'COMPLETE' | 'FAIL' | 'ABORT' | 'START' | 'OTHER';

export interface LiveError {
  message: string;
  stackTrace?: string | null;
}

/** A job's latest run. */
export interface JobLive {
  kind: 'job';
  state: LiveRunState | null;
  runId: string | null;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  error: LiveError | null;
  rows: number | null;
  bytes: number | null;
}

/** A dataset's freshness: when it was last produced, by which run of which job. */
export interface DatasetLive {
  kind: 'dataset';
  lastProducedAt: string | null;
  runId: string | null;
  producedBy: string | null;
  state: LiveRunState | null;
}

export interface SourceLive {
  kind: 'source';
  health: SourceHealth;
  checkedAt: string | null;
  latencyMs: number | null;
  message: string | null;
}

export type NodeLive = JobLive | DatasetLive | SourceLive;

export interface LiveMessage {
  type: string;
  /** Increasing per deployment; null on messages that carry none. */
  seq: number | null;
  ts: string | null;
  payload: Record<string, unknown>;
}

/** A `run.state` delta as it arrived (the home and job pages list runs from these). */
export interface RunStateEvent extends Omit<JobLive, 'kind'> {
  jobId: string;
}

export interface GraphChange {
  nodes: string[];
  edges: Array<{ source: string; target: string; type: string }>;
}

/** What a stream has told so far. */
export interface LiveView {
  nodes: Record<string, NodeLive>;
  /** The largest seq seen: what a reconnect resumes from. */
  seq: number | null;
  /** Snapshots received (the first one, resyncs, answers to subscribe). */
  snapshots: number;
  /** Nodes and edges that appeared in the view since it was loaded (the page may reload its graph). */
  graphChanges: GraphChange[];
}

export const EMPTY_VIEW: LiveView = { nodes: {}, seq: null, snapshots: 0, graphChanges: [] };

const RUN_STATES = new Set<string>(['RUNNING', 'COMPLETE', 'FAIL', 'ABORT', 'START', 'OTHER']);
const HEALTHS = new Set<string>(['healthy', 'unhealthy', 'unknown']);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const runState = (v: unknown): LiveRunState | null => (typeof v === 'string' && RUN_STATES.has(v) ? (v as LiveRunState) : null);

function liveError(v: unknown): LiveError | null {
  if (typeof v === 'string') return { message: v };
  if (!isRecord(v) || typeof v.message !== 'string') return null;
  return { message: v.message, ...(typeof v.stackTrace === 'string' ? { stackTrace: v.stackTrace } : {}) };
}

/** A message from the server, or null when it is not one (not JSON, no type). */
export function parseLiveMessage(text: string): LiveMessage | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(raw) || typeof raw.type !== 'string') return null;
  const seq = num(raw.seq);
  return { type: raw.type, seq: seq !== null && Number.isInteger(seq) ? seq : null, ts: str(raw.ts), payload: isRecord(raw.payload) ? raw.payload : {} };
}

export function jobLive(p: Record<string, unknown>): JobLive {
  return {
    kind: 'job', state: runState(p.state), runId: str(p.runId), startedAt: str(p.startedAt), endedAt: str(p.endedAt),
    durationMs: num(p.durationMs), error: liveError(p.error), rows: num(p.rows), bytes: num(p.bytes),
  };
}

export function datasetLive(p: Record<string, unknown>): DatasetLive {
  return { kind: 'dataset', lastProducedAt: str(p.lastProducedAt), runId: str(p.runId), producedBy: str(p.producedBy), state: runState(p.state) };
}

export function sourceLive(p: Record<string, unknown>): SourceLive {
  const health = typeof p.health === 'string' && HEALTHS.has(p.health) ? (p.health as SourceHealth) : 'unknown';
  return { kind: 'source', health, checkedAt: str(p.checkedAt), latencyMs: num(p.latencyMs), message: str(p.message) };
}

/** One node's status in a snapshot, read by its `kind`. */
export function nodeLive(v: unknown): NodeLive | null {
  if (!isRecord(v)) return null;
  if (v.kind === 'job') return jobLive(v);
  if (v.kind === 'dataset') return datasetLive(v);
  if (v.kind === 'source') return sourceLive(v);
  return null;
}

/** The `run.state` payload, or null when it names no job. */
export function runStateEvent(msg: LiveMessage): RunStateEvent | null {
  if (msg.type !== 'run.state') return null;
  const jobId = str(msg.payload.jobId);
  if (!jobId) return null;
  const { kind: _kind, ...rest } = jobLive(msg.payload);
  return { jobId, ...rest };
}

const MAX_GRAPH_CHANGES = 50;

/** Fold one message into the view. A snapshot replaces every status; deltas update one node; a
 * message at or below the seq already seen (replayed twice around a reconnect) changes nothing;
 * unknown types (alerts, later) are ignored but still advance the seq. */
export function reduceLive(view: LiveView, msg: LiveMessage): LiveView {
  if (msg.type === 'snapshot') {
    const nodes: Record<string, NodeLive> = {};
    const raw = isRecord(msg.payload.nodes) ? msg.payload.nodes : {};
    for (const [id, status] of Object.entries(raw)) {
      const live = nodeLive(status);
      if (live) nodes[id] = live;
    }
    // A snapshot is authoritative: its seq is where a resume continues from, even after a resync.
    return { nodes, seq: msg.seq ?? view.seq, snapshots: view.snapshots + 1, graphChanges: view.graphChanges };
  }
  if (msg.seq !== null && view.seq !== null && msg.seq <= view.seq) return view;
  const seq = msg.seq ?? view.seq;
  const p = msg.payload;
  switch (msg.type) {
    case 'run.state': {
      const jobId = str(p.jobId);
      return jobId ? { ...view, seq, nodes: { ...view.nodes, [jobId]: jobLive(p) } } : { ...view, seq };
    }
    case 'node.status': {
      const nodeId = str(p.nodeId);
      return nodeId ? { ...view, seq, nodes: { ...view.nodes, [nodeId]: datasetLive(p) } } : { ...view, seq };
    }
    case 'source.health': {
      const nodeId = str(p.nodeId) ?? (str(p.sourceId) ? `source:${str(p.sourceId)}` : null);
      return nodeId ? { ...view, seq, nodes: { ...view.nodes, [nodeId]: sourceLive(p) } } : { ...view, seq };
    }
    case 'graph.changed': {
      const change: GraphChange = {
        nodes: Array.isArray(p.nodes) ? p.nodes.filter((n): n is string => typeof n === 'string') : [],
        edges: Array.isArray(p.edges) ? p.edges.filter(isRecord).map((e) => ({ source: String(e.source), target: String(e.target), type: String(e.type ?? '') })) : [],
      };
      return { ...view, seq, graphChanges: [...view.graphChanges, change].slice(-MAX_GRAPH_CHANGES) };
    }
    default:
      return seq === view.seq ? view : { ...view, seq };
  }
}
