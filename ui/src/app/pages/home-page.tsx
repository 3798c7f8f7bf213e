// Home: search, and what happened lately: jobs running now and recent failures, live from the events
// stream (a failure raises a toast), and recently active jobs.
import { useCallback, useMemo } from 'react';
import { listDashboards } from '../../api/dashboards';
import { listJobs, listNamespaces } from '../../api/marquez';
import { ErrorBox, Spinner, StateBadge } from '../../components/common/feedback';
import { Link } from '../../components/common/link';
import { SearchBox } from '../../components/common/search-box';
import { useAsync } from '../../hooks/use-async';
import { useLiveStream } from '../../hooks/use-live-stream';
import { useNow } from '../../hooks/use-now';
import { formatDateTime, formatDuration, formatRelative } from '../../lib/format';
import { runStateEvent, type LiveMessage } from '../../lib/live-messages';
import { homePanels, marquezState, type JobRunRow } from '../../lib/live-status';
import { parseNodeId } from '../../lib/node-id';
import { toast } from '../../store/toast-store';
import type { Job } from '../../types/api';
import { RunLink } from '../../components/common/run-link';

const lastActivity = (j: Job) => j.latestRun?.endedAt ?? j.latestRun?.startedAt ?? j.updatedAt ?? '';

function JobList({ jobs, empty }: { jobs: Job[]; empty: string }) {
  if (jobs.length === 0) return <p className="muted">{empty}</p>;
  return (
    <table className="table">
      <thead><tr><th>Job</th><th>Last run</th><th>Duration</th><th>When</th></tr></thead>
      <tbody>
        {jobs.map((j) => (
          <tr key={`${j.namespace}/${j.name}`}>
            <td><Link to={{ name: 'job', namespace: j.namespace, job: j.name }}>{j.name}</Link><div className="muted small">{j.namespace}</div></td>
            <td><StateBadge state={j.latestRun?.state} /></td>
            <td className="nowrap">{formatDuration(j.latestRun?.durationMs)}</td>
            <td className="nowrap" title={formatDateTime(lastActivity(j))}>{formatRelative(lastActivity(j))}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function JobRef({ jobId, namespaces }: { jobId: string; namespaces: readonly string[] }) {
  const parsed = parseNodeId(jobId, namespaces);
  if (!parsed) return <span className="mono">{jobId}</span>;
  return <><Link to={{ name: 'job', namespace: parsed.namespace, job: parsed.name }}>{parsed.name}</Link><div className="muted small">{parsed.namespace}</div></>;
}

function RunningNow({ rows, namespaces, now }: { rows: JobRunRow[]; namespaces: readonly string[]; now: number }) {
  if (rows.length === 0) return <p className="muted live-panel-empty">Nothing running right now.</p>;
  return (
    <table className="table">
      <thead><tr><th>Job</th><th>Started</th><th>Running for</th></tr></thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.jobId} data-job-id={r.jobId} className="live-row-new">
            <td><JobRef jobId={r.jobId} namespaces={namespaces} /></td>
            <td className="nowrap" title={formatDateTime(r.startedAt)}>{formatRelative(r.startedAt, now)}</td>
            <td className="nowrap">{r.startedAt ? formatDuration(Math.max(0, now - new Date(r.startedAt).getTime())) : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RecentFailures({ rows, namespaces, now }: { rows: JobRunRow[]; namespaces: readonly string[]; now: number }) {
  if (rows.length === 0) return <p className="muted live-panel-empty">No failed runs. All good.</p>;
  return (
    <table className="table">
      <thead><tr><th>Job</th><th>Error</th><th>Run</th><th>When</th></tr></thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.jobId} data-job-id={r.jobId} className="live-row-new">
            <td><JobRef jobId={r.jobId} namespaces={namespaces} /></td>
            <td className="error-text small" title={r.error?.stackTrace ?? r.error?.message ?? ''}>{r.error?.message ?? 'failed'}</td>
            <td>{r.runId ? <RunLink id={r.runId} /> : '—'}</td>
            <td className="nowrap" title={formatDateTime(r.at)}>{formatRelative(r.at, now)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function HomePage() {
  const jobs = useAsync((signal) => listJobs(500, 0, signal), []);
  const namespaces = useAsync((signal) => listNamespaces(signal), []);
  const dashboards = useAsync((signal) => listDashboards(signal).catch(() => null), []);
  const names = useMemo(() => (namespaces.data ?? []).map((n) => n.name), [namespaces.data]);
  // Everything the caller may see, live: a failure raises a toast (deltas only, not the first snapshot).
  const onMessage = useCallback((msg: LiveMessage) => {
    const run = runStateEvent(msg);
    if (run?.state !== 'FAIL') return;
    const name = parseNodeId(run.jobId, names)?.name ?? run.jobId;
    toast.error(`${name} failed${run.error?.message ? `: ${run.error.message}` : ''}`);
  }, [names]);
  const stream = useLiveStream('ws/events', { onMessage });
  const now = useNow();
  const livePanels = useMemo(() => (stream.view.snapshots > 0 ? homePanels(stream.view.nodes) : null), [stream.view]);
  const all = jobs.data?.jobs ?? [];
  const recent = [...all].filter((j) => j.latestRun).sort((a, b) => lastActivity(b).localeCompare(lastActivity(a))).slice(0, 10);
  const failed = all.filter((j) => j.latestRun?.state === 'FAILED' || j.latestRun?.state === 'ABORTED')
    .sort((a, b) => lastActivity(b).localeCompare(lastActivity(a))).slice(0, 10);
  const failingCount = livePanels
    ? Object.values(stream.view.nodes).filter((n) => n.kind === 'job' && marquezState(n.state) === 'FAILED').length
    : jobs.data ? failed.length : null;
  return (
    <div className="page">
      <section className="hero">
        <h1>Where does your data come from?</h1>
        <p className="muted">Search a dataset, job or column to explore its lineage.</p>
        <SearchBox autoFocus className="hero-search" />
      </section>
      <div className="stats">
        <div className="stat"><span className="stat-value">{namespaces.data?.length ?? '–'}</span><span className="stat-label">namespaces</span></div>
        <div className="stat"><span className="stat-value">{jobs.data?.totalCount ?? '–'}</span><span className="stat-label">jobs</span></div>
        <div className="stat"><span className={`stat-value${failingCount ? ' text-failing' : ''}`} data-testid="failing-count">{failingCount ?? '–'}</span><span className="stat-label">failing jobs</span></div>
        <div className="stat"><span className="stat-value">{dashboards.data ? dashboards.data.totalCount : '–'}</span><span className="stat-label"><Link to={{ name: 'dashboards' }}>dashboards</Link></span></div>
      </div>
      <div className="grid-2">
        <section className="card" data-testid="running-now" aria-live="polite">
          <h2>Running now</h2>
          {livePanels ? <RunningNow rows={livePanels.running} namespaces={names} now={now} />
            : <p className="muted live-panel-empty">{stream.connection === 'offline' ? 'Live updates are unavailable.' : 'Connecting to the live stream…'}</p>}
        </section>
        <section className="card" data-testid="recent-failures" aria-live="polite">
          <h2>Recent failures</h2>
          {livePanels ? <RecentFailures rows={livePanels.failed} namespaces={names} now={now} />
            : <JobList jobs={failed} empty="No failed runs. All good." />}
        </section>
      </div>
      {jobs.loading ? <Spinner /> : null}
      {jobs.error ? <ErrorBox message={jobs.error} onRetry={jobs.reload} /> : null}
      {jobs.data ? (
        <section className="card">
          <h2>Recently active jobs</h2>
          <JobList jobs={recent} empty="No runs yet. Point an OpenLineage producer at /api/v1/lineage." />
        </section>
      ) : null}
    </div>
  );
}
