// The explorer's health line under the toolbar: how many failures (failed or late runs, and the datasets
// they wrote) the view holds, and one click to highlight everything downstream of them ("what did this
// break"); while highlighted, how much that is, how much of it is drawn, and the impact table.
import type { NodeHealth } from '../../lib/health-overlay';
import { parseNodeId, shortName } from '../../lib/node-id';

export function HealthBar({ failures, overlay, blast, drawn, known, onBlast, onImpact }: {
  failures: string[]; overlay: Readonly<Record<string, NodeHealth>>; known: readonly string[];
  blast: { starts: string[]; downstream: Set<string>; nodes: Set<string> } | null; drawn: number;
  onBlast(id: string | null): void; onImpact(id: string): void;
}) {
  const label = (id: string) => shortName(parseNodeId(id, known)?.name ?? id);
  if (!blast && failures.length === 0) return null;
  const failedJobs = failures.filter((id) => id.startsWith('job:'));
  const late = failures.filter((id) => overlay[id]?.health === 'late').length;
  return (
    <div className={`health-bar${blast ? ' is-active' : ''}`} role="status" data-testid="health-bar">
      {blast ? (
        <>
          <strong>What did this break:</strong>
          <span data-testid="blast-summary">
            {blast.downstream.size} node{blast.downstream.size === 1 ? '' : 's'} downstream of {blast.starts.length === 1 ? label(blast.starts[0]!) : `${blast.starts.length} failures`}
            {drawn < blast.nodes.size ? ` (${blast.nodes.size - drawn} not drawn: hidden by a filter or folded into edges)` : ''}
          </span>
          {blast.starts.length === 1 ? <button type="button" className="btn btn-small" onClick={() => onImpact(blast.starts[0]!)}>Impact table</button> : null}
          <button type="button" className="btn btn-small" onClick={() => onBlast(null)}>Clear</button>
        </>
      ) : (
        <>
          <span className="health-dot" aria-hidden="true" />
          <span data-testid="failure-count">
            {failedJobs.length} job{failedJobs.length === 1 ? '' : 's'} failed or late in view{late ? ` (${late} late)` : ''}, {failures.length - failedJobs.length} dataset{failures.length - failedJobs.length === 1 ? '' : 's'} written by them
          </span>
          <button type="button" className="btn btn-small btn-danger-soft" onClick={() => onBlast('*')}>What did this break?</button>
        </>
      )}
    </div>
  );
}
