// The explorer's time controls (docs/ui.md, "Lineage through time"): a slider over the focused job's runs
// (then "now"), a UTC datetime field, "Now", "Jump to run", the "Show stale" toggle and diff mode with its
// two sides (a run or an instant each), summary and legend. Every control writes to the URL state.
import type { LineageDiff } from '../../api/lineage';
import { diffSummary, type DiffView } from '../../lib/lineage-diff';
import { formatUtc, fromUtcInput, stopIndex, toUtcInput, type TimeStop } from '../../lib/lineage-time';
import { EMPTY_DIFF, type DiffSelection, type ExplorerState } from '../../lib/lineage-url';
import { shortName } from '../../lib/node-id';
import './time-bar.css';

export interface TimeBarProps {
  state: ExplorerState;
  update(patch: Partial<ExplorerState>, options?: { push?: boolean }): void;
  job: { id: string; name: string } | null;
  stops: TimeStop[];
  diff: { data: LineageDiff | null; view: DiffView | null; loading: boolean; error: string | null };
}

/** Diff mode's first picks: the job's last two runs, else (at most one run) the view's instant and now. */
export function initialDiff(stops: readonly TimeStop[], asOf: string | null): DiffSelection {
  const runs = stops.filter((s) => s.runId);
  if (runs.length >= 2) return { ...EMPTY_DIFF, fromRun: runs[runs.length - 2]!.runId, toRun: runs[runs.length - 1]!.runId };
  return { ...EMPTY_DIFF, from: asOf ?? runs[0]?.at ?? null, to: new Date().toISOString() };
}

function SidePicker({ label, run, at, stops, onRun, onAt }: {
  label: string; run: string | null; at: string | null; stops: TimeStop[];
  onRun(run: string): void; onAt(at: string | null): void;
}) {
  const runs = stops.filter((s) => s.runId);
  const value = run ? `run:${run}` : 'at';
  return (
    <span className="diff-side">
      <select aria-label={`Diff ${label}`} value={value}
              onChange={(e) => (e.target.value === 'at'
                ? onAt(at ?? runs.find((s) => s.runId === run)?.at ?? new Date().toISOString())
                : onRun(e.target.value.slice(4)))}>
        <option value="at">an instant…</option>
        {runs.map((s) => <option key={s.runId} value={`run:${s.runId}`}>{s.label}</option>)}
        {run && !runs.some((s) => s.runId === run) ? <option value={`run:${run}`}>run {run.slice(0, 8)}</option> : null}
      </select>
      {run ? null : (
        <input type="datetime-local" step={1} aria-label={`Diff ${label} (UTC)`} value={toUtcInput(at)}
               onChange={(e) => onAt(fromUtcInput(e.target.value))} />
      )}
    </span>
  );
}

export function TimeBar({ state, update, job, stops, diff }: TimeBarProps) {
  const index = stopIndex(stops, state.asOf);
  const runs = stops.filter((s) => s.runId);
  const selection = state.diff;
  const setDiff = (patch: Partial<DiffSelection>) => update({ diff: { ...(selection ?? EMPTY_DIFF), ...patch } }, { push: true });
  return (
    <div className="time-bar" role="group" aria-label="Time" data-testid="time-bar" data-as-of={state.asOf ?? 'now'}>
      <div className="time-row">
        <span className="time-title">Time</span>
        <input type="range" className="time-slider" min={0} max={stops.length - 1} step={1} value={index}
               aria-label="Time slider" aria-valuetext={stops[index]?.label ?? 'now'} disabled={Boolean(selection)}
               title={job ? `Runs of ${job.name}, then now` : 'No job in view: only now'}
               onChange={(e) => update({ asOf: stops[Number(e.target.value)]?.at ?? null }, { push: true })} />
        <span className="time-label" data-testid="time-label">{state.asOf ? `${formatUtc(state.asOf)} UTC` : 'now'}</span>
        <input type="datetime-local" step={1} aria-label="As of (UTC)" value={toUtcInput(state.asOf)} disabled={Boolean(selection)}
               onChange={(e) => update({ asOf: fromUtcInput(e.target.value) }, { push: true })} />
        <span className="time-utc" aria-hidden="true">UTC</span>
        <button type="button" className="btn btn-small" disabled={!state.asOf || Boolean(selection)} onClick={() => update({ asOf: null }, { push: true })}>Now</button>
        <select aria-label="Jump to run" value="" disabled={runs.length === 0 || Boolean(selection)}
                onChange={(e) => { const stop = runs.find((s) => s.runId === e.target.value); if (stop) update({ asOf: stop.at }, { push: true }); }}>
          <option value="">{job ? `Jump to a run of ${shortName(job.name)}…` : 'No job to take runs from'}</option>
          {[...runs].reverse().map((s) => <option key={s.runId} value={s.runId!}>{s.label}</option>)}
        </select>
        <label className="check-inline" title="Also draw edges that were seen but are no longer current at this instant (dashed grey)">
          <input type="checkbox" checked={state.stale} disabled={Boolean(selection)} onChange={(e) => update({ stale: e.target.checked })} />
          Show stale
        </label>
        <button type="button" className={`btn btn-small${selection ? ' is-active' : ''}`} aria-pressed={Boolean(selection)}
                onClick={() => update({ diff: selection ? null : initialDiff(stops, state.asOf) }, { push: true })}>
          {selection ? 'Leave diff' : 'Diff'}
        </button>
      </div>
      {selection ? (
        <div className="time-row diff-row">
          <span className="time-title">Compare</span>
          <SidePicker label="from" run={selection.fromRun} at={selection.from} stops={stops}
                      onRun={(run) => setDiff({ fromRun: run, from: null })} onAt={(at) => setDiff({ fromRun: null, from: at })} />
          <span aria-hidden="true">→</span>
          <SidePicker label="to" run={selection.toRun} at={selection.to} stops={stops}
                      onRun={(run) => setDiff({ toRun: run, to: null })} onAt={(at) => setDiff({ toRun: null, to: at })} />
          <span className="diff-summary" data-testid="diff-summary" aria-live="polite"
                data-state={diff.loading ? 'loading' : diff.error ? 'error' : diff.view ? 'ready' : 'idle'}>
            {diff.loading ? 'Comparing…' : diff.error ? <span className="error-text">{diff.error}</span>
              : diff.view ? diffSummary(diff.view.counts) : 'Pick both sides'}
          </span>
          {diff.data && diff.data.schemaChanges.length ? (
            <details className="dropdown">
              <summary className="btn btn-small">Schema changes</summary>
              <div className="dropdown-panel diff-schema">
                {diff.data.schemaChanges.map((c) => (
                  <div key={c.id}>
                    <strong>{shortName(c.name)}</strong>
                    <ul>
                      {c.added.map((f) => <li key={`a${f.name}`} className="change-added">+ {f.name} {f.type ?? ''}</li>)}
                      {c.removed.map((f) => <li key={`r${f.name}`} className="change-removed">− {f.name} {f.type ?? ''}</li>)}
                      {c.retyped.map((f) => <li key={`t${f.name}`} className="change-type-changed">~ {f.name} {f.from ?? '?'} → {f.to ?? '?'}</li>)}
                    </ul>
                  </div>
                ))}
              </div>
            </details>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

/** Legend entries of the time controls: stale edges, and in diff mode the three statuses. */
export function TimeLegend({ stale, diff }: { stale: boolean; diff: boolean }) {
  return (
    <>
      {stale && !diff ? <span><i className="legend-line is-stale" />Stale (no longer current)</span> : null}
      {diff ? (
        <>
          <span><i className="legend-line is-added" />Added</span>
          <span><i className="legend-line is-removed" />Removed</span>
          <span><i className="legend-line is-unchanged" />Unchanged</span>
        </>
      ) : null}
    </>
  );
}
