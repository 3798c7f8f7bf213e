// The delivery log (GET /notifications): each notification's channel, event, status, attempts, the
// target's HTTP status and the last error — never what the target answered.
import { formatDateTime, formatRelative } from '../../lib/format';
import type { Channel, NotificationEntry } from '../../types/alerts';
import { Link } from '../common/link';

export function NotificationLog({ entries, channels, showIncident = true }: { entries: NotificationEntry[]; channels: readonly Channel[]; showIncident?: boolean }) {
  if (entries.length === 0) return <p className="muted">No notifications.</p>;
  const names = new Map(channels.map((c) => [c.id, c]));
  return (
    <table className="table" data-testid="notification-log">
      <thead><tr>{showIncident ? <th>Incident</th> : null}<th>Channel</th><th>Event</th><th>Status</th><th>Attempts</th><th>HTTP</th><th>When</th><th>Last error</th></tr></thead>
      <tbody>
        {entries.map((n) => {
          const channel = names.get(n.channelId);
          return (
            <tr key={n.id} data-status={n.status}>
              {showIncident ? <td>{n.incidentId !== null ? <Link to={{ name: 'incident', id: String(n.incidentId) }}>#{n.incidentId}</Link> : <span className="muted">test</span>}</td> : null}
              <td>{channel ? <>{channel.name} <span className="muted small">{channel.kind}</span></> : <span className="mono small">{n.channelId.slice(0, 8)}</span>}</td>
              <td>{n.event}</td>
              <td><span className={`badge delivery-${n.status}`}>{n.status}</span>
                {n.status === 'pending' && n.nextAttemptAt ? <div className="muted small">next {formatRelative(n.nextAttemptAt)}</div> : null}</td>
              <td>{n.attempts}</td>
              <td>{n.responseStatus ?? '—'}</td>
              <td className="nowrap" title={formatDateTime(n.deliveredAt ?? n.lastAttemptAt ?? n.createdAt)}>{formatRelative(n.deliveredAt ?? n.lastAttemptAt ?? n.createdAt)}</td>
              <td className="error-text small">{n.lastError ?? ''}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
