// A job: latest state, runs with state and duration (and a chart of durations over time, both updated
// live from the events stream), inputs and outputs, parent and children, SQL, facets.
import { useCallback, useMemo, useState } from 'react';
import { getJob, listNamespaceJobs, listRuns } from '../../api/marquez';
import { DurationChartView } from '../../components/duration-chart-view';
import { ErrorBox, Spinner, StateBadge } from '../../components/common/feedback';
import { JsonView } from '../../components/common/json-view';
import { Link } from '../../components/common/link';
import { KindIcon } from '../../components/nodes/kind-icon';
import { useAsync } from '../../hooks/use-async';
import { useLiveStream } from '../../hooks/use-live-stream';
import { runStateEvent, type LiveMessage, type LiveView, type RunStateEvent } from '../../lib/live-messages';
import { marquezState, upsertRun } from '../../lib/live-status';
import { formatDateTime, formatDuration, formatRelative, owners, sqlOf } from '../../lib/format';
import { defaultExplorerState, serializeExplorerState } from '../../lib/lineage-url';
import { jobId } from '../../lib/node-id';
import type { NameRef } from '../../types/api';
import { LineageSummary } from './lineage-summary';
import { NameText } from '../../components/common/name-text';
import { RunLink } from '../../components/common/run-link';
import { navigate } from '../../hooks/use-route';
import { SlaTiles } from '../../components/alerts/sla-tiles';

function DatasetRefs({ refs }: { refs: NameRef[] }) {
  if (refs.length === 0) return <p className="muted">None.</p>;
  return (
    <ul className="link-list">
      {refs.map((r) => <li key={`${r.namespace}/${r.name}`}><span className="dot kind-dataset" aria-hidden="true" /><Link to={{ name: 'dataset', namespace: r.namespace, dataset: r.name }}><NameText name={r.name} /></Link> <span className="muted">{r.namespace}</span></li>)}
    </ul>
  );
}

export function JobPage({ namespace, name }: { namespace: string; name: string }) {
  const job = useAsync((signal) => getJob(namespace, name, signal), [namespace, name]);
  const runs = useAsync((signal) => listRuns(namespace, name, 100, signal), [namespace, name]);
  const siblings = useAsync((signal) => listNamespaceJobs(namespace, 1000, signal), [namespace]);
  const id = jobId(namespace, name);
  // This job's runs as they happen: each run.state (and the snapshot's latest run) is applied on top of
  // the list the API returned.
  const [liveRuns, setLiveRuns] = useState<RunStateEvent[]>([]);
  const onMessage = useCallback((msg: LiveMessage, view: LiveView) => {
    let event = runStateEvent(msg);
    if (msg.type === 'snapshot') {
      const node = view.nodes[id];
      if (node?.kind === 'job') {
        const { kind: _kind, ...rest } = node;
        event = { jobId: id, ...rest };
      }
    }
    if (event?.jobId === id && event.runId) setLiveRuns((list) => [...list.slice(-199), event]);
  }, [id]);
  const subscription = useMemo(() => ({ nodeIds: [id] }), [id]);
  useLiveStream('ws/events', { subscription, onMessage });
  const runList = useMemo(() => liveRuns.reduce((acc, e) => upsertRun(acc, e), runs.data ?? []), [liveRuns, runs.data]);
  const latest = liveRuns[liveRuns.length - 1];
  if (job.loading) return <div className="page"><Spinner /></div>;
  if (job.error || !job.data) return <div className="page"><ErrorBox title="Could not load the job" message={job.error ?? 'not found'} onRetry={job.reload} /></div>;
  const j = job.data;
  const children = (siblings.data ?? []).filter((s) => s.parentJobName === j.name);
  const sql = sqlOf(j.facets);
  const who = owners(j.facets);
  const latestState = latest?.state ? marquezState(latest.state) : j.latestRun?.state;
  const latestStarted = latest?.startedAt ?? j.latestRun?.startedAt;
  const latestDuration = latest ? latest.durationMs : j.latestRun?.durationMs;
  return (
    <div className="page">
      <header className="page-head">
        <span className="page-icon kind-job"><KindIcon kind="job" size={22} /></span>
        <div>
          <span className="eyebrow">Job · {j.namespace}</span>
          <h1><NameText name={j.name} /> <span data-testid="job-state"><StateBadge state={latestState} /></span></h1>
          {j.description ? <p>{j.description}</p> : null}
        </div>
        <div className="page-actions">
          <Link className="btn btn-primary" to={{ name: 'lineage', search: serializeExplorerState(defaultExplorerState(id)) }}>Explore lineage</Link>
        </div>
      </header>
      <dl className="props props-row">
        <div><dt>Type</dt><dd>{j.type ?? '—'}</dd></div>
        <div><dt>Last run</dt><dd title={formatDateTime(latestStarted)}>{formatRelative(latestStarted)}</dd></div>
        <div><dt>Duration</dt><dd>{formatDuration(latestDuration)}</dd></div>
        <div><dt>Owners</dt><dd>{who.length ? who.map((o) => o.name).join(', ') : '—'}</dd></div>
        <div><dt>Parent</dt><dd>{j.parentJobName ? <Link to={{ name: 'job', namespace, job: j.parentJobName }}>{j.parentJobName}</Link> : '—'}</dd></div>
      </dl>
      <section className="card" aria-labelledby="sla-title">
        <h2 id="sla-title">SLA</h2>
        <SlaTiles nodeId={id} kind="job" />
      </section>
      <section className="card">
        <h2>Runs</h2>
        {runs.loading ? <Spinner /> : runs.error ? <p className="error-text">{runs.error}</p> : (
          <>
            <DurationChartView runs={runList} onPick={(runId) => navigate({ name: 'run', id: runId })} />
            <table className="table" data-testid="run-list">
              <thead><tr><th>Run</th><th>State</th><th>Started</th><th>Ended</th><th>Duration</th></tr></thead>
              <tbody>
                {runList.slice(0, 20).map((r) => (
                  <tr key={r.id} data-run-id={r.id}>
                    <td><RunLink id={r.id} /></td>
                    <td><StateBadge state={r.state} /></td>
                    <td title={formatDateTime(r.startedAt)}>{formatRelative(r.startedAt)}</td>
                    <td>{formatDateTime(r.endedAt)}</td>
                    <td>{formatDuration(r.durationMs)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
      <div className="grid-2">
        <section className="card"><h2>Inputs</h2><DatasetRefs refs={j.inputs} /></section>
        <section className="card"><h2>Outputs</h2><DatasetRefs refs={j.outputs} /></section>
      </div>
      <section className="card">
        <h2>Children</h2>
        {children.length === 0 ? <p className="muted">No child jobs.</p> : (
          <ul className="link-list">
            {children.map((c) => <li key={c.name}><span className="dot kind-job" aria-hidden="true" /><Link to={{ name: 'job', namespace, job: c.name }}>{c.name}</Link> <StateBadge state={c.latestRun?.state} /></li>)}
          </ul>
        )}
      </section>
      {sql ? <section className="card"><h2>SQL</h2><pre className="sql">{sql}</pre></section> : null}
      <section className="card">
        <h2>Lineage</h2>
        <LineageSummary nodeId={id} />
      </section>
      <section className="card">
        <h2>Facets</h2>
        <JsonView value={j.facets ?? {}} />
        {j.latestRun?.facets ? <><h3>Latest run facets</h3><JsonView value={j.latestRun.facets} /></> : null}
      </section>
    </div>
  );
}
