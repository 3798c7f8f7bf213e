// Home: search, and what happened lately — recently active jobs and failed jobs.
import { listDashboards } from '../../api/dashboards';
import { listJobs, listNamespaces } from '../../api/marquez';
import { ErrorBox, Spinner, StateBadge } from '../../components/common/feedback';
import { Link } from '../../components/common/link';
import { SearchBox } from '../../components/common/search-box';
import { useAsync } from '../../hooks/use-async';
import { formatDateTime, formatDuration, formatRelative } from '../../lib/format';
import type { Job } from '../../types/api';

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

export function HomePage() {
  const jobs = useAsync((signal) => listJobs(500, 0, signal), []);
  const namespaces = useAsync((signal) => listNamespaces(signal), []);
  const dashboards = useAsync((signal) => listDashboards(signal).catch(() => null), []);
  const all = jobs.data?.jobs ?? [];
  const recent = [...all].filter((j) => j.latestRun).sort((a, b) => lastActivity(b).localeCompare(lastActivity(a))).slice(0, 10);
  const failed = all.filter((j) => j.latestRun?.state === 'FAILED' || j.latestRun?.state === 'ABORTED')
    .sort((a, b) => lastActivity(b).localeCompare(lastActivity(a))).slice(0, 10);
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
        <div className="stat"><span className={`stat-value${failed.length ? ' text-failing' : ''}`}>{jobs.data ? failed.length : '–'}</span><span className="stat-label">failing jobs</span></div>
        <div className="stat"><span className="stat-value">{dashboards.data ? dashboards.data.totalCount : '–'}</span><span className="stat-label"><Link to={{ name: 'dashboards' }}>dashboards</Link></span></div>
      </div>
      {jobs.loading ? <Spinner /> : null}
      {jobs.error ? <ErrorBox message={jobs.error} onRetry={jobs.reload} /> : null}
      {jobs.data ? (
        <div className="grid-2">
          <section className="card">
            <h2>Recently active jobs</h2>
            <JobList jobs={recent} empty="No runs yet. Point an OpenLineage producer at /api/v1/lineage." />
          </section>
          <section className="card">
            <h2>Failed jobs</h2>
            <JobList jobs={failed} empty="No failed runs. All good." />
          </section>
        </div>
      ) : null}
    </div>
  );
}
