// Details of the selected node: identity, owners, schema, SQL, last runs and facets, with actions
// (focus, path from/to, open its page, columns).
import { listRuns } from '../../api/marquez';
import { useAsync } from '../../hooks/use-async';
import type { Dataset, Job, Run } from '../../types/api';
import type { Graph, GraphNode } from '../../types/graph';
import { formatDateTime, formatDuration, formatRelative, owners, sqlOf } from '../../lib/format';
import { Link } from '../common/link';
import { JsonView } from '../common/json-view';
import { StateBadge } from '../common/feedback';
import { KindIcon } from '../nodes/kind-icon';
import { RunLink } from '../common/run-link';
import type { NodeHealth } from '../../lib/health-overlay';
import { NameText } from '../common/name-text';

function RunsTable({ runs }: { runs: Run[] }) {
  if (runs.length === 0) return <p className="muted">No runs recorded.</p>;
  return (
    <table className="table table-compact">
      <thead><tr><th>Run</th><th>State</th><th>Started</th><th>Duration</th></tr></thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.id}><td><RunLink id={r.id} /></td><td><StateBadge state={r.state} /></td><td title={formatDateTime(r.startedAt)}>{formatRelative(r.startedAt)}</td><td>{formatDuration(r.durationMs)}</td></tr>
        ))}
      </tbody>
    </table>
  );
}

function JobRuns({ namespace, name }: { namespace: string; name: string }) {
  const runs = useAsync((signal) => listRuns(namespace, name, 5, signal), [namespace, name]);
  if (runs.loading) return <p className="muted">Loading runs…</p>;
  if (runs.error) return <p className="error-text">{runs.error}</p>;
  return <RunsTable runs={runs.data ?? []} />;
}

export function NodeDrawer({ node, graph, health = null, onClose, onFocus, onPathFrom, onPathTo, onColumns, onImpact, onBlast }: {
  node: GraphNode; graph: Graph; health?: NodeHealth | null; onClose(): void; onFocus(): void; onPathFrom(): void; onPathTo(): void; onColumns(): void;
  onImpact?(): void; onBlast?(): void;
}) {
  const broken = health && (health.health === 'failed' || health.health === 'late');
  const data = node.data as Partial<Dataset & Job>;
  const who = owners(data.facets);
  const sql = sqlOf(data.facets);
  const producers = node.kind === 'dataset'
    ? Object.values(graph.edges).filter((e) => e.target === node.id).map((e) => graph.nodes[e.source]).filter((n): n is GraphNode => n?.kind === 'job')
    : [];
  return (
    <aside className="drawer" aria-label="Node details" data-testid="node-drawer">
      <header className="drawer-head">
        <span className={`drawer-icon kind-${node.kind}`}><KindIcon kind={node.kind} size={18} /></span>
        <div className="drawer-title">
          <h2 title={node.name}><NameText name={node.name} /></h2>
          <div className="muted">{node.kind} · {node.namespace || '—'}</div>
        </div>
        <button type="button" className="icon-btn" aria-label="Close details" onClick={onClose}>×</button>
      </header>
      <div className="drawer-actions">
        <button type="button" className="btn btn-small" onClick={onFocus}>Focus here</button>
        <button type="button" className="btn btn-small" onClick={onPathFrom}>Path from here</button>
        <button type="button" className="btn btn-small" onClick={onPathTo}>Path to here</button>
        {node.kind === 'dataset' ? <button type="button" className="btn btn-small" onClick={onColumns}>Columns</button> : null}
        {onImpact ? <button type="button" className="btn btn-small" onClick={onImpact}>Impact analysis</button> : null}
        {broken && onBlast ? <button type="button" className="btn btn-small btn-danger-soft" onClick={onBlast}>What did this break?</button> : null}
        {node.kind === 'dataset' ? <Link className="btn btn-small" to={{ name: 'dataset', namespace: node.namespace, dataset: node.name }}>Dataset page</Link> : null}
        {node.kind === 'job' ? <Link className="btn btn-small" to={{ name: 'job', namespace: node.namespace, job: node.name }}>Job page</Link> : null}
      </div>
      <div className="drawer-body">
        {health && health.health !== 'ok' ? (
          <p className={`drawer-health health-${health.health}`} data-testid="drawer-health">
            {health.reason}{health.runId ? <> · <RunLink id={health.runId} /></> : null}
          </p>
        ) : null}
        {data.description ? <p>{data.description}</p> : null}
        <dl className="props">
          {data.type ? <><dt>Type</dt><dd>{data.type}</dd></> : null}
          {data.updatedAt ? <><dt>Updated</dt><dd title={formatDateTime(data.updatedAt)}>{formatRelative(data.updatedAt)}</dd></> : null}
          {data.parentJobName ? <><dt>Parent</dt><dd><Link to={{ name: 'job', namespace: node.namespace, job: data.parentJobName }}>{data.parentJobName}</Link></dd></> : null}
          <dt>Owners</dt><dd>{who.length ? who.map((o) => `${o.name}${o.type ? ` (${o.type.toLowerCase()})` : ''}`).join(', ') : <span className="muted">none recorded</span>}</dd>
        </dl>
        {node.kind === 'job' ? (
          <section>
            <h3>Last runs</h3>
            <JobRuns namespace={node.namespace} name={node.name} />
          </section>
        ) : null}
        {node.kind === 'dataset' ? (
          <>
            <section>
              <h3>Schema</h3>
              {data.fields && data.fields.length > 0 ? (
                <table className="table table-compact">
                  <thead><tr><th>Field</th><th>Type</th></tr></thead>
                  <tbody>{data.fields.map((f) => <tr key={f.name}><td className="mono">{f.name}</td><td className="muted">{f.type ?? '—'}</td></tr>)}</tbody>
                </table>
              ) : <p className="muted">No schema recorded.</p>}
            </section>
            <section>
              <h3>Last runs of producing jobs</h3>
              {producers.length === 0 ? <p className="muted">No producing job in view.</p> : (
                <table className="table table-compact">
                  <thead><tr><th>Job</th><th>State</th><th>When</th></tr></thead>
                  <tbody>
                    {producers.map((p) => (
                      <tr key={p.id}><td>{p.name}</td><td><StateBadge state={p.data.latestRun?.state} />{p.data.latestRun?.id ? <> <RunLink id={p.data.latestRun.id} /></> : null}</td><td>{formatRelative(p.data.latestRun?.startedAt)}</td></tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
          </>
        ) : null}
        {sql ? <section><h3>SQL</h3><pre className="sql">{sql}</pre></section> : null}
        <section>
          <h3>Facets</h3>
          <JsonView value={(data.facets ?? {}) as Record<string, unknown>} />
        </section>
      </div>
    </aside>
  );
}
