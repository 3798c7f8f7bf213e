// The path between two picked nodes: each hop with its job, last run and SQL, and what of it the canvas
// does not draw as a card (folded into a contracted edge by a filter, or not shown at all) said plainly.
import type { PathResponse } from '../../types/api';
import { parseNodeId, shortName } from '../../lib/node-id';
import { formatDuration } from '../../lib/format';
import { StateBadge } from '../common/feedback';
import { NameText } from '../common/name-text';

export interface PathShown {
  drawn: string[];
  folded: string[];
  missing: string[];
}

export function PathPanel({ from, to, status, error, result, known, shown, onShowAll, onClear }: {
  from: string; to: string | null; status: string; error: string | null; result: PathResponse | null; known: readonly string[];
  shown?: PathShown | null; onShowAll?(): void; onClear(): void;
}) {
  const label = (id: string) => shortName(parseNodeId(id, known)?.name ?? id);
  const path = result?.paths[0];
  const notDrawn = new Set([...(shown?.folded ?? []), ...(shown?.missing ?? [])]);
  const mark = (id: string) => (notDrawn.has(id) ? <span className="path-off" title="not drawn on the canvas"> (not drawn)</span> : null);
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
          {shown && notDrawn.size > 0 ? (
            <div className="notice notice-warn" role="status" data-testid="path-not-drawn">
              {shown.folded.length > 0 ? <p>{shown.folded.length} node{shown.folded.length === 1 ? '' : 's'} of this path {shown.folded.length === 1 ? 'is' : 'are'} hidden by the filters and folded into the highlighted edges: {shown.folded.map(label).join(', ')}.</p> : null}
              {shown.missing.length > 0 ? <p>{shown.missing.length} node{shown.missing.length === 1 ? '' : 's'} of this path {shown.missing.length === 1 ? 'is' : 'are'} not on the canvas: {shown.missing.map(label).join(', ')}.</p> : null}
              {onShowAll ? <button type="button" className="btn btn-small" onClick={onShowAll}>Show every node</button> : null}
            </div>
          ) : null}
          <ol className="path-hops">
            {path.hops.map((hop, i) => (
              <li key={i}>
                <div className="hop-ends">{label(hop.from)}{mark(hop.from)} → {label(hop.to)}{mark(hop.to)}</div>
                {hop.manual ? <div className="hop-manual">manual edge</div> : null}
                {hop.job ? (
                  <div className="hop-job">
                    via <strong><NameText name={hop.job.name} /></strong>{mark(hop.job.id)} <StateBadge state={hop.job.latestRun?.state} />
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
