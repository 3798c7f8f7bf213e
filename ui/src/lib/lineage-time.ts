// The explorer's time slider (docs/ui.md, "Lineage through time"): the instants it stops at (the end of
// each run of the focused job, oldest first, then "now") and the conversions between RFC 3339 instants
// and the UTC datetime field. Pure, so tested without a browser.
import type { Run } from '../types/api';
import type { Graph } from '../types/graph';

export interface TimeStop {
  /** RFC 3339 instant; null = now. */
  at: string | null;
  runId: string | null;
  state: string | null;
  label: string;
}

/** When a run stands for on the slider: its end, else its last update, else its start (as the server's
 * `fromRun`/`toRun` take its end or last event). */
export function runInstant(run: Pick<Run, 'endedAt' | 'updatedAt' | 'startedAt' | 'createdAt'>): string | null {
  return run.endedAt ?? run.updatedAt ?? run.startedAt ?? run.createdAt ?? null;
}

/** `YYYY-MM-DD HH:MM:SS` in UTC (seconds kept: runs minutes apart must stay apart). */
export function formatUtc(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t).toISOString().slice(0, 19).replace('T', ' ');
}

/** The slider's stops: one per run with an instant, oldest first, then "now". */
export function timeStops(runs: readonly Run[]): TimeStop[] {
  const stops = runs.flatMap((run) => {
    const at = runInstant(run);
    return at && !Number.isNaN(Date.parse(at)) ? [{ at, runId: run.id, state: run.state ?? null, label: `${formatUtc(at)} · run ${run.id.slice(0, 8)} ${(run.state ?? '').toLowerCase()}`.trim() }] : [];
  });
  stops.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.runId.localeCompare(b.runId));
  return [...stops, { at: null, runId: null, state: null, label: 'now' }];
}

/** The stop the slider shows for `asOf`: the last stop at or before it (the first if it is earlier than
 * every run), the "now" stop for null. */
export function stopIndex(stops: readonly TimeStop[], asOf: string | null): number {
  if (asOf === null) return stops.length - 1;
  const t = Date.parse(asOf);
  let found = 0;
  stops.forEach((stop, i) => {
    if (stop.at !== null && Date.parse(stop.at) <= t) found = i;
  });
  return found;
}

/** An RFC 3339 instant → the value of an `<input type="datetime-local" step="1">` read as UTC. */
export function toUtcInput(iso: string | null): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '' : new Date(t).toISOString().slice(0, 19);
}

/** The UTC datetime field's value → an RFC 3339 instant (null when empty or not a date). */
export function fromUtcInput(value: string): string | null {
  if (!value) return null;
  const withSeconds = value.length === 16 ? `${value}:00` : value;
  const t = Date.parse(`${withSeconds}Z`);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** The job whose runs the slider steps over: the focus node when it is a job, else the selected node when
 * it is one, else a job writing the focus node (else one reading it), by id. */
export function focusJob(rootId: string, selected: string | null, graph: Graph): string | null {
  if (rootId.startsWith('job:')) return rootId;
  if (selected?.startsWith('job:') && graph.nodes[selected]) return selected;
  const edges = Object.values(graph.edges);
  const writers = edges.filter((e) => e.target === rootId && graph.nodes[e.source]?.kind === 'job').map((e) => e.source).sort();
  const readers = edges.filter((e) => e.source === rootId && graph.nodes[e.target]?.kind === 'job').map((e) => e.target).sort();
  return writers[0] ?? readers[0] ?? null;
}
