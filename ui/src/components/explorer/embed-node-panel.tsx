// The details of a node clicked in an embedded graph (the Airflow DAG tab): what it is, its live state
// in words, the last run's time in words, and links that open the full pages in the same frame
// (Airflow's sandbox allows no popups and no top-level navigation, so nothing here opens a window).
import { Link } from '../common/link';
import { StatusDot } from '../nodes/status-dot';
import { formatDateTime, formatDuration, formatRelative } from '../../lib/format';
import { defaultExplorerState, serializeExplorerState } from '../../lib/lineage-url';
import type { LiveDisplay } from '../../lib/live-status';
import type { GraphNode } from '../../types/graph';

export function EmbedNodePanel({ node, label, live, now, onClose }: {
  node: GraphNode; label: string; live: LiveDisplay | undefined; now: number; onClose(): void;
}) {
  const run = node.data.latestRun;
  const status = live?.status ?? node.status;
  const when = run?.endedAt ?? run?.startedAt ?? null;
  const explore = serializeExplorerState({ ...defaultExplorerState(node.id), depth: 3 });
  return (
    <aside className="embed-panel" data-testid="embed-panel" aria-label={`Details of ${label}`}>
      <div className="embed-panel-head">
        <StatusDot status={status} text={live?.statusText} />
        <div>
          <div className="embed-panel-title" title={node.name}>{label}</div>
          <div className="muted small">{node.kind === 'job' ? 'Task' : 'Dataset'} · {node.namespace}</div>
        </div>
        <button type="button" className="icon-btn" aria-label="Close details" onClick={onClose}>×</button>
      </div>
      {live?.statusText ? <p className={`embed-panel-state${status === 'failing' ? ' is-failing' : ''}`}>{live.statusText}</p> : null}
      {!live && run ? (
        <p className="embed-panel-state">
          Last run {run.state.toLowerCase()}{when ? <> <time dateTime={when} title={formatDateTime(when)}>{formatRelative(when, now)}</time></> : null}
          {run.durationMs !== null ? ` in ${formatDuration(run.durationMs)}` : ''}
        </p>
      ) : null}
      <nav className="embed-panel-links" aria-label="Open">
        <Link to={{ name: 'lineage', search: explore }} className="btn btn-small">Explore lineage</Link>
        {node.kind === 'dataset'
          ? <Link to={{ name: 'dataset', namespace: node.namespace, dataset: node.name }} className="btn btn-small">Dataset page</Link>
          : <Link to={{ name: 'job', namespace: node.namespace, job: node.name }} className="btn btn-small">Task runs</Link>}
      </nav>
    </aside>
  );
}
