// Alerts › Deliveries: the notification log, newest first, filtered by status (`?status=`).
import { listNotifications } from '../../api/alerts';
import { listChannels } from '../../api/channels';
import { AlertsLayout } from '../../components/alerts/alerts-layout';
import { NotificationLog } from '../../components/alerts/notification-log';
import { ErrorBox, Spinner } from '../../components/common/feedback';
import { Link } from '../../components/common/link';
import { useAsync } from '../../hooks/use-async';
import type { NotificationStatus } from '../../types/alerts';

const STATUSES: Array<[NotificationStatus | '', string]> = [['', 'All'], ['pending', 'Pending'], ['delivered', 'Delivered'], ['failed', 'Failed']];

export function AlertsNotificationsPage({ search }: { search: string }) {
  const raw = new URLSearchParams(search).get('status') ?? '';
  const status = STATUSES.some(([s]) => s === raw) ? (raw as NotificationStatus | '') : '';
  const log = useAsync((signal) => listNotifications({ status, limit: 200 }, signal), [status]);
  const channels = useAsync((signal) => listChannels({}, signal), []);
  return (
    <AlertsLayout current="alert-notifications" title="Deliveries"
                  intro="Every notification sent or being retried: status, attempts, the target's HTTP status and the last error (never what the target answered).">
      <div className="toolbar-row">
        <nav className="segmented" aria-label="Status">
          {STATUSES.map(([s, label]) => (
            <Link key={s || 'all'} to={{ name: 'alert-notifications', search: s ? `status=${s}` : '' }} className={`segment${status === s ? ' is-active' : ''}`}
                  aria-current={status === s ? 'page' : undefined}>{label}</Link>
          ))}
        </nav>
        <button type="button" className="btn btn-small" onClick={log.reload}>Refresh</button>
      </div>
      {log.loading && !log.data ? <Spinner /> : log.error ? <ErrorBox title="Could not load the delivery log" message={log.error} onRetry={log.reload} /> : (
        <>
          <NotificationLog entries={log.data?.notifications ?? []} channels={channels.data?.channels ?? []} />
          {log.data && log.data.totalCount > log.data.notifications.length ? <p className="muted small">Showing the newest {log.data.notifications.length} of {log.data.totalCount}.</p> : null}
        </>
      )}
    </AlertsLayout>
  );
}
