// From live statuses (lib/live-messages.ts) to what a node card shows: its status colour, the text on
// hover (the error of a failed run first), and one metric (rows, bytes, duration, last run). Also the
// run list of the job and home pages kept up to date from `run.state` deltas. Pure.
import type { Run, RunState } from '../types/api';
import type { NodeStatus } from '../types/graph';
import { formatDuration, formatRelative } from './format';
import type { LiveRunState, NodeLive, RunStateEvent, SourceHealth } from './live-messages';

/** What a card can show under its name; 'auto' = the kind's natural one. */
export type MetricKey = 'auto' | 'rows' | 'bytes' | 'duration' | 'lastRun' | 'none';

export const METRIC_LABELS: Record<MetricKey, string> = {
  auto: 'Automatic (duration and rows for jobs, last update for datasets, latency for sources)',
  rows: 'Rows written by the last run',
  bytes: 'Bytes written by the last run',
  duration: 'Duration of the last run',
  lastRun: 'Time of the last run',
  none: 'Nothing',
};

export interface LiveDisplay {
  status: NodeStatus;
  /** Hover text: what the state means, the error message of a failed run. */
  statusText: string;
  /** The failed run's error message, if any. */
  error: string | null;
  /** The chosen metric, formatted; null when there is nothing to show. */
  metric: string | null;
  /** Sources: the last health check's verdict (the badge). */
  health: SourceHealth | null;
}

export function runStatus(state: LiveRunState | null): NodeStatus {
  switch (state) {
    case 'RUNNING':
    case 'START':
      return 'running';
    case 'FAIL':
      return 'failing';
    case 'ABORT':
      return 'aborted';
    case 'COMPLETE':
      return 'ok';
    default:
      return 'unknown';
  }
}

const COMPACT = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : n < 10_000 ? n.toLocaleString('en') : COMPACT.format(n);
}

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

function metricOf(live: NodeLive, key: MetricKey, now: number): string | null {
  if (key === 'none') return null;
  if (live.kind === 'source') {
    if (key !== 'auto') return null;
    return live.latencyMs !== null ? `${Math.round(live.latencyMs)} ms` : null;
  }
  if (live.kind === 'dataset') {
    if (key === 'auto' || key === 'lastRun') return live.lastProducedAt ? formatRelative(live.lastProducedAt, now) : null;
    return null;
  }
  const running = live.state === 'RUNNING' || live.state === 'START';
  const duration = running && live.startedAt ? Math.max(0, now - new Date(live.startedAt).getTime()) : live.durationMs;
  switch (key) {
    case 'rows':
      return live.rows !== null ? `${formatCount(live.rows)} rows` : null;
    case 'bytes':
      return live.bytes !== null ? formatBytes(live.bytes) : null;
    case 'duration':
      return duration !== null ? formatDuration(duration) : null;
    case 'lastRun':
      return live.endedAt ?? live.startedAt ? formatRelative(live.endedAt ?? live.startedAt, now) : null;
    default: {
      const parts = [duration !== null ? formatDuration(duration) : null, live.rows !== null ? `${formatCount(live.rows)} rows` : null];
      const text = parts.filter(Boolean).join(' · ');
      return text || null;
    }
  }
}

function textOf(live: NodeLive, now: number): { text: string; error: string | null } {
  if (live.kind === 'source') {
    const when = live.checkedAt ? `, checked ${formatRelative(live.checkedAt, now)}` : '';
    const latency = live.latencyMs !== null ? ` in ${Math.round(live.latencyMs)} ms` : '';
    const message = live.message ? `: ${live.message}` : '';
    return { text: `${live.health}${latency}${when}${message}`, error: live.health === 'unhealthy' ? live.message : null };
  }
  if (live.kind === 'dataset') {
    if (!live.lastProducedAt && !live.state) return { text: 'never produced', error: null };
    const by = live.producedBy ? ` by ${live.producedBy.replace(/^job:/, '')}` : '';
    const state = live.state === 'FAIL' ? ' — the producing run failed' : live.state === 'RUNNING' || live.state === 'START' ? ' — being produced now' : '';
    return { text: `last produced ${formatRelative(live.lastProducedAt, now)}${by}${state}`, error: null };
  }
  if (!live.state) return { text: 'no runs', error: null };
  if (live.state === 'FAIL') {
    const message = live.error?.message ?? null;
    return { text: `last run failed${message ? `: ${message}` : ''}`, error: message };
  }
  if (live.state === 'RUNNING' || live.state === 'START') return { text: `running since ${formatRelative(live.startedAt, now)}`, error: null };
  if (live.state === 'ABORT') return { text: 'last run aborted', error: null };
  if (live.state === 'COMPLETE') return { text: `last run completed${live.durationMs !== null ? ` in ${formatDuration(live.durationMs)}` : ''}`, error: null };
  return { text: `last run ${live.state.toLowerCase()}`, error: null };
}

/** How a card shows a live status. While the stream is not connected the colour turns grey ('stale'):
 * the state shown may be out of date, and the hover text says so. */
export function liveDisplay(live: NodeLive, options: { connected: boolean; metric?: MetricKey; now?: number }): LiveDisplay {
  const now = options.now ?? Date.now();
  const status: NodeStatus = live.kind === 'source'
    ? (live.health === 'healthy' ? 'ok' : live.health === 'unhealthy' ? 'failing' : 'unknown')
    : runStatus(live.state);
  const { text, error } = textOf(live, now);
  return {
    status: options.connected ? status : 'stale',
    statusText: options.connected ? text : `${text} (not live: reconnecting)`,
    error,
    metric: metricOf(live, options.metric ?? 'auto', now),
    health: live.kind === 'source' ? live.health : null,
  };
}

/** Live displays for every node of a view. */
export function liveDisplays(nodes: Readonly<Record<string, NodeLive>>, connected: boolean,
                             metricOfNode: (id: string) => MetricKey = () => 'auto', now: number = Date.now()): Record<string, LiveDisplay> {
  const out: Record<string, LiveDisplay> = {};
  for (const [id, live] of Object.entries(nodes)) out[id] = liveDisplay(live, { connected, metric: metricOfNode(id), now });
  return out;
}

const MARQUEZ_STATE: Record<LiveRunState, RunState> = {
  RUNNING: 'RUNNING', START: 'RUNNING', COMPLETE: 'COMPLETED', FAIL: 'FAILED', ABORT: 'ABORTED', OTHER: 'NEW',
};

export function marquezState(state: LiveRunState | null): RunState {
  return state ? MARQUEZ_STATE[state] : 'NEW';
}

/** The job page's run list with a `run.state` delta applied: the run updated in place, or added at the
 * top (newest first), keeping at most `limit` runs. */
export function upsertRun(runs: readonly Run[], event: RunStateEvent, limit = 100): Run[] {
  if (!event.runId) return [...runs];
  const i = runs.findIndex((r) => r.id === event.runId);
  const base: Run = i >= 0 ? runs[i]! : { id: event.runId, state: 'NEW', startedAt: null, endedAt: null, durationMs: null };
  const next: Run = {
    ...base,
    state: marquezState(event.state),
    startedAt: event.startedAt ?? base.startedAt,
    endedAt: event.endedAt ?? base.endedAt,
    durationMs: event.durationMs ?? base.durationMs,
  };
  if (i >= 0) return runs.map((r, k) => (k === i ? next : r));
  return [next, ...runs].slice(0, limit);
}

export interface JobRunRow extends RunStateEvent {
  /** When this row last changed (for ordering "recent failures"). */
  at: string;
}

/** Home's panels from the `/ws/events` view: jobs running now (longest-running first) and jobs whose
 * latest run failed (most recent first). */
export function homePanels(nodes: Readonly<Record<string, NodeLive>>, limit = 10): { running: JobRunRow[]; failed: JobRunRow[] } {
  const running: JobRunRow[] = [];
  const failed: JobRunRow[] = [];
  for (const [jobId, live] of Object.entries(nodes)) {
    if (live.kind !== 'job' || !live.state) continue;
    const { kind: _kind, ...rest } = live;
    const row: JobRunRow = { jobId, ...rest, at: live.endedAt ?? live.startedAt ?? '' };
    if (live.state === 'RUNNING' || live.state === 'START') running.push(row);
    else if (live.state === 'FAIL') failed.push(row);
  }
  running.sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? ''));
  failed.sort((a, b) => b.at.localeCompare(a.at));
  return { running: running.slice(0, limit), failed: failed.slice(0, limit) };
}
