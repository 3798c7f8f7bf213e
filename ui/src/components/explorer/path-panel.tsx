// The path between two picked nodes: each hop with its job, last run and SQL.
import type { PathResponse } from '../../types/api';
import { parseNodeId, shortName } from '../../lib/node-id';
import { formatDuration } from '../../lib/format';
import { StateBadge } from '../common/feedback';

export function PathPanel({ from, to, status, error, result, known, onClear }: {
  from: string; to: string | null; status: string; error: string | null; result: PathResponse | null; known: readonly string[]; onClear(): void;
}) {
  const label = (id: string) => shortName(parseNodeId(id, known)?.name ?? id);
  const path = result?.paths[0];
  return (
    <section className="path-panel" aria-label="Path" data-testid="path-panel">
      <header>
        <h3>Path</h3>
        <button type="button" className="btn btn-small" onClick={onClear}>Clear</button>
      </header>
      <p className="path-ends"><strong>{label(from)}</strong> → <strong>{to ? label(to) : 'pick a node…'}</strong></p>
      {status === 'loading' ? <p className="muted">Finding the shortest path…</p> : null}
      {error ? <p className="error-text">{error}</p> : null}
      {status === 'ready' && !path ? <p className="muted">No directed path between these nodes.</p> : null}
      {path ? (
        <>
          <p className="muted">{path.hops.length} hop{path.hops.length === 1 ? '' : 's'}{result && result.paths.length > 1 ? ` · ${result.paths.length} shortest paths` : ''}{result?.from !== from ? ' (reversed: the second node is upstream)' : ''}</p>
          <ol className="path-hops">
            {path.hops.map((hop, i) => (
              <li key={i}>
                <div className="hop-ends">{label(hop.from)} → {label(hop.to)}</div>
                {hop.manual ? <div className="hop-manual">manual edge</div> : null}
                {hop.job ? (
                  <div className="hop-job">
                    via <strong>{hop.job.name}</strong> <StateBadge state={hop.job.latestRun?.state} />
                    {hop.job.latestRun?.durationMs !== undefined ? <span className="muted"> {formatDuration(hop.job.latestRun?.durationMs)}</span> : null}
                    {hop.job.sql ? <pre className="sql">{hop.job.sql}</pre> : null}
                  </div>
                ) : null}
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </section>
  );
}
