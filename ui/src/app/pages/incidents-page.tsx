// Alerts › Incidents: newest first, filtered by state (`?state=`, default active = open or acknowledged),
// kept up to date from the events stream: `alert.opened` adds a row at once (and raises a toast, from
// the stream hook), `alert.updated` / `alert.resolved` change its state; the list is then read again.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { listIncidents } from '../../api/incidents';
import { listNamespaces } from '../../api/marquez';
import { AlertsLayout, IncidentStateBadge, SeverityBadge } from '../../components/alerts/alerts-layout';
import { Empty, ErrorBox, Spinner } from '../../components/common/feedback';
import { Link } from '../../components/common/link';
import { useAsync } from '../../hooks/use-async';
import { useLiveStream } from '../../hooks/use-live-stream';
import { useNow } from '../../hooks/use-now';
import { activeCounts, alertEvent, apiState, applyAlertEvent, nodeRoute, sortIncidents, STATE_FILTERS, stateFilterOf, stateFilterSearch } from '../../lib/alerts-incidents';
import { ruleTypeLabel } from '../../lib/alerts-rules';
import { formatDateTime, formatRelative } from '../../lib/format';
import type { LiveMessage } from '../../lib/live-messages';
import { shortName } from '../../lib/node-id';
import type { IncidentSummary } from '../../types/alerts';

/** After a live change the list is read again this long after the last one (a burst is one request). */
const RELOAD_AFTER_MS = 400;

function RootLink({ id, namespaces }: { id: string; namespaces: readonly string[] }) {
  const route = nodeRoute(id, namespaces);
  const label = route?.name === 'job' ? shortName(route.job) : route?.name === 'dataset' ? shortName(route.dataset) : id;
  return route ? <Link to={route} title={id}>{label}</Link> : <span className="mono small">{id}</span>;
}

export function IncidentsPage({ search }: { search: string }) {
  const filter = stateFilterOf(search);
  const incidents = useAsync((signal) => listIncidents({ state: apiState(filter), limit: 200 }, signal), [filter]);
  const namespaces = useAsync((signal) => listNamespaces(signal).then((ns) => ns.map((n) => n.name)), []);
  const [list, setList] = useState<IncidentSummary[]>([]);
  const [fresh, setFresh] = useState<ReadonlySet<number>>(new Set());
  useEffect(() => {
    if (incidents.data) setList(sortIncidents(incidents.data.incidents));
  }, [incidents.data]);

  const reloadTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const { reload } = incidents;
  useEffect(() => () => {
    if (reloadTimer.current) clearTimeout(reloadTimer.current);
  }, []);
  const onMessage = useCallback((msg: LiveMessage) => {
    const ev = alertEvent(msg);
    if (!ev) return;
    setList((l) => applyAlertEvent(l, ev, filter, msg.ts ?? new Date().toISOString()));
    if (ev.type === 'alert.opened') setFresh((s) => new Set([...s, ev.incidentId]));
    if (reloadTimer.current) clearTimeout(reloadTimer.current);
    reloadTimer.current = setTimeout(reload, RELOAD_AFTER_MS);
  }, [filter, reload]);
  useLiveStream('ws/events', { onMessage });
  const now = useNow();
  const counts = useMemo(() => activeCounts(list), [list]);
  const known = namespaces.data ?? [];

  return (
    <AlertsLayout current="incidents" title="Incidents"
                  intro="One incident per root cause: what broke, what it breaks downstream, and whose that is. Updated live.">
      <div className="toolbar-row">
        <nav className="segmented" aria-label="State">
          {STATE_FILTERS.map(([f, label]) => (
            <Link key={f} to={{ name: 'incidents', search: stateFilterSearch(f) }} className={`segment${filter === f ? ' is-active' : ''}`}
                  aria-current={filter === f ? 'page' : undefined}>{label}</Link>
          ))}
        </nav>
        <span className="muted small" data-testid="incident-counts">
          {(['critical', 'error', 'warning', 'info'] as const).filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`).join(' · ') || 'nothing active in this list'}
        </span>
      </div>
      {incidents.loading && !incidents.data ? <Spinner /> : incidents.error ? <ErrorBox title="Could not load the incidents" message={incidents.error} onRetry={incidents.reload} /> : list.length === 0 ? (
        <Empty title={filter === 'active' ? 'No active incidents' : 'No incidents'}>
          {filter === 'active' ? 'All quiet. ' : ''}Incidents open when an <Link to={{ name: 'alert-rules' }}>alert rule</Link> fires.
        </Empty>
      ) : (
        <table className="table" data-testid="incident-list">
          <thead><tr><th>#</th><th>Incident</th><th>Severity</th><th>State</th><th>Root</th><th>Impact</th><th>Owners</th><th>Opened</th></tr></thead>
          <tbody>
            {list.map((i) => (
              <tr key={i.id} data-incident-id={i.id} data-state={i.state} className={fresh.has(i.id) ? 'live-row-new' : undefined}>
                <td className="mono">{i.id}</td>
                <td>
                  <Link to={{ name: 'incident', id: String(i.id) }}>{i.title}</Link>
                  <div className="muted small">{i.ruleId ? ruleTypeLabel(i.ruleType) : 'just opened'}{i.occurrences > 1 ? ` · ${i.occurrences} occurrences` : ''}{i.attachedCount ? ` · ${i.attachedCount} attached` : ''}</div>
                </td>
                <td><SeverityBadge severity={i.severity} /></td>
                <td><IncidentStateBadge state={i.state} /></td>
                <td><RootLink id={i.rootNodeId} namespaces={known} /></td>
                <td>{i.impactedCount} downstream</td>
                <td className="small">{i.owners.length ? i.owners.join(', ') : <span className="muted">—</span>}</td>
                <td className="nowrap" title={formatDateTime(i.openedAt)}>{formatRelative(i.openedAt, now)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {incidents.data && incidents.data.totalCount > list.length ? <p className="muted small">Showing the newest {list.length} of {incidents.data.totalCount}.</p> : null}
    </AlertsLayout>
  );
}
