// One incident: what broke (the root), its impact drawn on the lineage explorer's canvas and listed
// (downstream datasets, jobs, dashboards with their owners), the owners, what was attached to it, its
// timeline and the notifications sent for it; Acknowledge and Resolve for editors (viewers see no
// buttons). It follows the events stream for its nodes: a change of this incident reloads it.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { listNotifications } from '../../api/alerts';
import { listChannels } from '../../api/channels';
import { errorMessage } from '../../api/client';
import { acknowledgeIncident, getIncident, resolveIncident } from '../../api/incidents';
import { listNamespaces } from '../../api/marquez';
import { AlertsLayout, IncidentStateBadge, SeverityBadge } from '../../components/alerts/alerts-layout';
import { ImpactGraph } from '../../components/alerts/impact-graph';
import { NotificationLog } from '../../components/alerts/notification-log';
import { ErrorBox, Spinner } from '../../components/common/feedback';
import { Link } from '../../components/common/link';
import { useAsync } from '../../hooks/use-async';
import { useCanEdit } from '../../hooks/use-can-edit';
import { useLiveStream } from '../../hooks/use-live-stream';
import { alertEvent, incidentActions, nodeRoute } from '../../lib/alerts-incidents';
import { ruleTypeLabel } from '../../lib/alerts-rules';
import { formatDateTime, formatRelative } from '../../lib/format';
import type { LiveMessage } from '../../lib/live-messages';
import { toast } from '../../store/toast-store';
import type { ImpactedNode, Incident } from '../../types/alerts';

/** While a notification is pending its status is read again this often. */
const PENDING_POLL_MS = 3000;

function NodeLink({ id, namespaces }: { id: string; namespaces: readonly string[] }) {
  const route = nodeRoute(id, namespaces);
  return route ? <Link to={route} className="mono small">{id}</Link> : <span className="mono small">{id}</span>;
}

function ImpactTable({ title, kind, nodes }: { title: string; kind: 'job' | 'dataset'; nodes: ImpactedNode[] }) {
  return (
    <section className="card">
      <h3>{title} <span className="muted">({nodes.length})</span></h3>
      {nodes.length === 0 ? <p className="muted">None.</p> : (
        <table className="table" data-testid={`impact-${kind}s`}>
          <thead><tr><th>Name</th><th>Namespace</th><th>Owners</th></tr></thead>
          <tbody>
            {nodes.map((n) => (
              <tr key={n.id} data-node-id={n.id}>
                <td><Link to={kind === 'job' ? { name: 'job', namespace: n.namespace, job: n.name } : { name: 'dataset', namespace: n.namespace, dataset: n.name }}>{n.name}</Link></td>
                <td className="muted small">{n.namespace}</td>
                <td className="small">{n.owners.length ? n.owners.join(', ') : <span className="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Actions({ incident, onChange }: { incident: Incident; onChange(i: Incident): void }) {
  const canEdit = useCanEdit();
  const [busy, setBusy] = useState<'ack' | 'resolve' | null>(null);
  const actions = incidentActions(incident.state, canEdit);
  const run = async (which: 'ack' | 'resolve') => {
    setBusy(which);
    try {
      const next = which === 'ack' ? await acknowledgeIncident(incident.id) : await resolveIncident(incident.id);
      onChange(next);
      toast.success(which === 'ack' ? `Incident #${incident.id} acknowledged` : `Incident #${incident.id} resolved`);
    } catch (err) {
      toast.error(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };
  if (!actions.ack && !actions.resolve) return null;
  return (
    <>
      {actions.ack ? <button type="button" className="btn" disabled={busy !== null} onClick={() => void run('ack')}>{busy === 'ack' ? 'Acknowledging…' : 'Acknowledge'}</button> : null}
      {actions.resolve ? <button type="button" className="btn btn-primary" disabled={busy !== null} onClick={() => void run('resolve')}>{busy === 'resolve' ? 'Resolving…' : 'Resolve'}</button> : null}
    </>
  );
}

export function IncidentsDetailPage({ id }: { id: string }) {
  const num = /^\d+$/.test(id) ? Number(id) : NaN;
  const loaded = useAsync((signal) => (Number.isFinite(num) ? getIncident(num, signal) : Promise.reject(new Error(`no incident ${id}`))), [num]);
  const [incident, setIncident] = useState<Incident | null>(null);
  useEffect(() => {
    if (loaded.data) setIncident(loaded.data);
  }, [loaded.data]);
  const notifications = useAsync((signal) => listNotifications({ incidentId: num, limit: 200 }, signal), [num, incident?.state, incident?.updatedAt]);
  const channels = useAsync((signal) => listChannels({}, signal), []);
  const namespaces = useAsync((signal) => listNamespaces(signal).then((ns) => ns.map((n) => n.name)), []);

  // Pending deliveries are not on the streams: look again until they are done.
  const pending = notifications.data?.notifications.some((n) => n.status === 'pending') ?? false;
  const reloadNotifications = notifications.reload;
  useEffect(() => {
    if (!pending) return undefined;
    const t = setTimeout(reloadNotifications, PENDING_POLL_MS);
    return () => clearTimeout(t);
  }, [pending, notifications.data, reloadNotifications]);

  const nodeIds = useMemo(() => (incident ? [incident.rootNodeId, ...incident.impact.nodeIds] : []), [incident]);
  const subscription = useMemo(() => ({ nodeIds }), [nodeIds]);
  const reload = loaded.reload;
  const onMessage = useCallback((msg: LiveMessage) => {
    const ev = alertEvent(msg);
    if (ev && ev.incidentId === num) reload();
  }, [num, reload]);
  useLiveStream(incident ? 'ws/events' : null, { subscription, onMessage });

  if (loaded.loading && !incident) return <div className="page"><Spinner /></div>;
  if (!incident) return <div className="page"><ErrorBox title="Could not load the incident" message={loaded.error ?? 'not found'} onRetry={loaded.reload} /></div>;
  const i = incident;
  const known = namespaces.data ?? [];
  const impact = i.impact;
  return (
    <AlertsLayout current="incidents" title={`#${i.id} ${i.title}`}
                  intro={<><SeverityBadge severity={i.severity} /> <IncidentStateBadge state={i.state} /> {i.text ? <span className="incident-text">{i.text}</span> : null}</>}
                  actions={<Actions incident={i} onChange={setIncident} />}>
      <dl className="props props-row" data-testid="incident-props">
        <div><dt>Root</dt><dd><NodeLink id={i.rootNodeId} namespaces={known} /></dd></div>
        <div><dt>Rule</dt><dd>{i.ruleName ?? '—'} <span className="muted small">{ruleTypeLabel(i.ruleType)}</span></dd></div>
        <div><dt>Opened</dt><dd title={formatDateTime(i.openedAt)}>{formatRelative(i.openedAt)}</dd></div>
        <div><dt>Acknowledged</dt><dd>{i.acknowledgedAt ? <span title={formatDateTime(i.acknowledgedAt)}>{formatRelative(i.acknowledgedAt)} by {i.acknowledgedBy ?? '?'}</span> : '—'}</dd></div>
        <div><dt>Resolved</dt><dd>{i.resolvedAt ? <span title={formatDateTime(i.resolvedAt)}>{formatRelative(i.resolvedAt)} by {i.resolvedBy ?? '?'}</span> : '—'}</dd></div>
        <div><dt>Occurrences</dt><dd>{i.occurrences}</dd></div>
      </dl>
      <section className="card">
        <h2>Owners</h2>
        {impact.owners.length === 0 ? <p className="muted">No ownership facets on the root or the impacted nodes.</p> : (
          <ul className="owner-list" data-testid="incident-owners">
            {impact.owners.map((o) => <li key={o}><span className="owner-chip">{o}</span>{impact.rootOwners.includes(o) ? <span className="muted small"> owns the root</span> : null}</li>)}
          </ul>
        )}
      </section>
      <section className="card">
        <h2>Impact</h2>
        <p className="muted">
          {impact.datasets.length} dataset{impact.datasets.length === 1 ? '' : 's'}, {impact.jobs.length} job{impact.jobs.length === 1 ? '' : 's'} and {impact.dashboards.length} dashboard{impact.dashboards.length === 1 ? '' : 's'} downstream
          {impact.depth ? ` (up to ${impact.depth} hops)` : ''}{impact.truncated ? ' — truncated, the graph was too big' : ''}.
        </p>
        <ImpactGraph rootNodeId={i.rootNodeId} impactedNodeIds={impact.nodeIds} depth={impact.depth} />
      </section>
      <div className="grid-2">
        <ImpactTable title="Impacted datasets" kind="dataset" nodes={impact.datasets} />
        <ImpactTable title="Impacted jobs" kind="job" nodes={impact.jobs} />
      </div>
      {impact.dashboards.length > 0 ? (
        <section className="card">
          <h3>Dashboards showing them</h3>
          <ul className="link-list">
            {impact.dashboards.map((d) => <li key={d.id}><Link to={{ name: 'dashboard', id: d.id }}>{d.name}</Link> <span className="muted small">{d.nodeIds.length} impacted node{d.nodeIds.length === 1 ? '' : 's'}</span></li>)}
          </ul>
        </section>
      ) : null}
      {i.attached.length > 0 ? (
        <section className="card">
          <h2>Attached <span className="muted">({i.attached.length})</span></h2>
          <p className="muted small">Downstream symptoms of this root cause: attached here instead of opening incidents of their own (and notifying again).</p>
          <table className="table" data-testid="incident-attached">
            <thead><tr><th>What</th><th>Node</th><th>When</th></tr></thead>
            <tbody>
              {i.attached.map((a) => (
                <tr key={`${a.nodeId}@${a.at ?? ''}@${a.ruleId}`}>
                  <td>{a.title} <span className="muted small">{ruleTypeLabel(a.ruleType)}</span></td>
                  <td><NodeLink id={a.nodeId} namespaces={known} /></td>
                  <td className="nowrap" title={formatDateTime(a.at)}>{formatRelative(a.at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      <section className="card">
        <h2>Notifications</h2>
        {notifications.loading && !notifications.data ? <Spinner /> : notifications.error ? <p className="error-text">{notifications.error}</p> : (
          <NotificationLog entries={notifications.data?.notifications ?? []} channels={channels.data?.channels ?? []} showIncident={false} />
        )}
      </section>
      <section className="card">
        <h2>Timeline</h2>
        <ol className="timeline" data-testid="incident-timeline">
          {i.timeline.map((e, n) => (
            <li key={n} className={`timeline-item incident-event-${e.kind}`}>
              <span className="nowrap muted small" title={formatDateTime(e.at)}>{formatDateTime(e.at)}</span>
              <strong>{e.kind}</strong>
              <span>{e.message}</span>
              {e.nodeId && e.nodeId !== i.rootNodeId ? <NodeLink id={e.nodeId} namespaces={known} /> : null}
            </li>
          ))}
        </ol>
      </section>
    </AlertsLayout>
  );
}
