// One run (/runs/<id>): the error first (message and stack trace), then the state timeline from its
// events, its duration against the job's p50/p95 (and its place among the job's recent runs), what it read
// and wrote with the versions, parent and child runs, the orchestrator's page (Airflow task log) and facets.
import { getRun } from '../../api/runs';
import { listRuns } from '../../api/marquez';
import { DurationChartView } from '../../components/duration-chart-view';
import { ErrorBox, Spinner, StateBadge } from '../../components/common/feedback';
import { JsonView } from '../../components/common/json-view';
import { Link } from '../../components/common/link';
import { NameText } from '../../components/common/name-text';
import { RunLink } from '../../components/common/run-link';
import { KindIcon } from '../../components/nodes/kind-icon';
import { useAsync } from '../../hooks/use-async';
import { formatDateTime, formatDuration, formatRelative } from '../../lib/format';
import { durationVerdict } from '../../lib/health-overlay';
import { defaultExplorerState, serializeExplorerState } from '../../lib/lineage-url';
import type { DatasetVersionRef, RunRef } from '../../types/api';

function Versions({ refs }: { refs: DatasetVersionRef[] }) {
  if (refs.length === 0) return <p className="muted">None.</p>;
  return (
    <ul className="link-list">
      {refs.map(({ datasetVersionId: v }) => (
        <li key={`${v.namespace}/${v.name}`}>
          <span className="dot kind-dataset" aria-hidden="true" />
          <Link to={{ name: 'dataset', namespace: v.namespace, dataset: v.name }}><NameText name={v.name} /></Link>
          <span className="muted">{v.namespace}</span>
          {v.version ? <span className="mono small muted" title={v.version}>v {v.version.slice(0, 8)}</span> : null}
        </li>
      ))}
    </ul>
  );
}

function RunRefRow({ run }: { run: RunRef }) {
  return (
    <tr>
      <td><RunLink id={run.id} /></td>
      <td>{run.jobNamespace && run.jobName ? <Link to={{ name: 'job', namespace: run.jobNamespace, job: run.jobName }}><NameText name={run.jobName} /></Link> : '—'}</td>
      <td><StateBadge state={run.state} /></td>
      <td title={formatDateTime(run.startedAt)}>{formatRelative(run.startedAt)}</td>
      <td>{formatDuration(run.durationMs)}</td>
    </tr>
  );
}

export function RunPage({ id }: { id: string }) {
  const run = useAsync((signal) => getRun(id, signal), [id]);
  const job = run.data?.job;
  const history = useAsync((signal) => (job ? listRuns(job.namespace, job.name, 50, signal) : Promise.resolve([])), [job?.namespace, job?.name]);
  if (run.loading) return <div className="page"><Spinner label="Loading run…" /></div>;
  if (run.error || !run.data) return <div className="page"><ErrorBox title="Could not load the run" message={run.error ?? 'not found'} onRetry={run.reload} /></div>;
  const r = run.data;
  const stats = r.jobDurations;
  const verdict = durationVerdict(r.durationMs, stats);
  return (
    <div className="page" data-testid="run-page">
      <header className="page-head">
        <span className="page-icon kind-job"><KindIcon kind="job" size={22} /></span>
        <div>
          <span className="eyebrow">Run of <Link to={{ name: 'job', namespace: r.job.namespace, job: r.job.name }}>{r.job.name}</Link> · {r.job.namespace}</span>
          <h1><span className="mono">{r.id}</span> <span data-testid="run-state"><StateBadge state={r.state} /></span></h1>
        </div>
        <div className="page-actions">
          {r.orchestrator ? <a className="btn" href={r.orchestrator.url} target="_blank" rel="noopener noreferrer" data-testid="orchestrator-link">{r.orchestrator.label} ↗</a> : null}
          <Link className="btn btn-primary" to={{ name: 'lineage', search: serializeExplorerState(defaultExplorerState(r.job.id)) }}>Explore lineage</Link>
        </div>
      </header>
      {r.error ? (
        <section className="card card-error" data-testid="run-error" aria-label="Error">
          <h2>Error</h2>
          <p className="error-message">{r.error.message}</p>
          {r.error.stackTrace ? (
            <details open>
              <summary>Stack trace{r.error.programmingLanguage ? ` (${r.error.programmingLanguage})` : ''}</summary>
              <pre className="stack-trace">{r.error.stackTrace}</pre>
            </details>
          ) : null}
        </section>
      ) : r.state === 'FAILED' ? <section className="card card-error"><h2>Error</h2><p className="muted">The run failed without an error message facet.</p></section> : null}
      <dl className="props props-row">
        <div><dt>Started</dt><dd title={formatDateTime(r.startedAt)}>{formatDateTime(r.startedAt)}</dd></div>
        <div><dt>Ended</dt><dd>{formatDateTime(r.endedAt)}</dd></div>
        <div><dt>Duration</dt><dd data-testid="run-duration">{formatDuration(r.durationMs)} {verdict ? <span className={`badge badge-${verdict.level}`}>{verdict.text}</span> : null}</dd></div>
        <div><dt>Job p50 / p95</dt><dd data-testid="job-percentiles">{stats.count ? `${formatDuration(stats.p50Ms)} / ${formatDuration(stats.p95Ms)} (${stats.count} runs)` : 'no completed runs'}</dd></div>
        {r.nominalStartTime ? <div><dt>Scheduled for</dt><dd>{formatDateTime(r.nominalStartTime)}</dd></div> : null}
      </dl>
      <section className="card">
        <h2>Timeline</h2>
        <ol className="timeline" data-testid="run-timeline">
          {r.timeline.map((e, i) => (
            <li key={i} className={`timeline-item event-${e.eventType.toLowerCase()}`}>
              <span className="timeline-type">{e.eventType}</span>
              <span className="mono small">{formatDateTime(e.eventTime)}</span>
              <span className="muted small">{e.inputs} in · {e.outputs} out</span>
            </li>
          ))}
        </ol>
        {r.timeline.length === 0 ? <p className="muted">No events of this run in the event log.</p> : null}
      </section>
      <section className="card">
        <h2>Duration among the job's runs</h2>
        {history.data ? <DurationChartView runs={history.data} current={r.id} references={{ p50: stats.p50Ms, p95: stats.p95Ms }} /> : <Spinner />}
      </section>
      <div className="grid-2">
        <section className="card"><h2>Inputs</h2><Versions refs={r.inputDatasetVersions} /></section>
        <section className="card"><h2>Outputs</h2><Versions refs={r.outputDatasetVersions} /></section>
      </div>
      <section className="card">
        <h2>Parent and child runs</h2>
        {!r.parent && r.children.length === 0 ? <p className="muted">No parent or child runs.</p> : (
          <table className="table table-compact" data-testid="run-family">
            <thead><tr><th>Run</th><th>Job</th><th>State</th><th>Started</th><th>Duration</th></tr></thead>
            <tbody>
              {r.parent ? <><tr className="table-group"><td colSpan={5}>Parent</td></tr><RunRefRow run={r.parent} /></> : null}
              {r.children.length ? <><tr className="table-group"><td colSpan={5}>Children</td></tr>{r.children.map((c) => <RunRefRow key={c.id} run={c} />)}</> : null}
            </tbody>
          </table>
        )}
      </section>
      <section className="card">
        <h2>Facets</h2>
        <JsonView value={r.facets ?? {}} />
      </section>
    </div>
  );
}
