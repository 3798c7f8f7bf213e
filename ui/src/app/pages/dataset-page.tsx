// A dataset: schema with version history (and what changed), a schema diff between any two versions or
// instants, upstream/downstream summary, facets.
import { useState } from 'react';
import { getSchemaDiff } from '../../api/lineage';
import { getDataset, getDatasetVersions } from '../../api/marquez';
import { ErrorBox, Spinner } from '../../components/common/feedback';
import { JsonView } from '../../components/common/json-view';
import { Link } from '../../components/common/link';
import { KindIcon } from '../../components/nodes/kind-icon';
import { useAsync } from '../../hooks/use-async';
import { formatDateTime, formatRelative, owners } from '../../lib/format';
import { formatUtc, fromUtcInput, toUtcInput } from '../../lib/lineage-time';
import { defaultExplorerState, serializeExplorerState } from '../../lib/lineage-url';
import { datasetId } from '../../lib/node-id';
import { diffSchemas } from '../../lib/schema-diff';
import type { DatasetVersion } from '../../types/api';
import { LineageSummary } from './lineage-summary';
import { NameText } from '../../components/common/name-text';
import { RunLink } from '../../components/common/run-link';
import { SlaTiles } from '../../components/alerts/sla-tiles';
import '../../components/explorer/time-bar.css';

function VersionHistory({ versions }: { versions: DatasetVersion[] }) {
  const [index, setIndex] = useState(0);
  const current = versions[index];
  if (!current) return <p className="muted">No versions recorded.</p>;
  const previous = versions[index + 1] ?? null;
  const diff = diffSchemas(current.fields ?? [], previous?.fields ?? null);
  return (
    <div className="versions">
      <ol className="version-list" aria-label="Versions">
        {versions.map((v, i) => (
          <li key={v.version}>
            <button type="button" className={`version-item${i === index ? ' is-active' : ''}`} aria-pressed={i === index} onClick={() => setIndex(i)}>
              <span className="mono">{v.version.slice(0, 8)}</span>
              <span className="muted">{formatRelative(v.createdAt)}</span>
              {i === 0 ? <span className="badge badge-ok">current</span> : null}
            </button>
          </li>
        ))}
      </ol>
      <div className="version-detail">
        <p className="muted">
          Version <span className="mono">{current.version}</span> · created {formatDateTime(current.createdAt)}
          {current.createdByRun ? <> by run <RunLink id={current.createdByRun.id} /></> : null}
          {previous ? <> · compared with <span className="mono">{previous.version.slice(0, 8)}</span></> : ' · first version'}
        </p>
        <table className="table">
          <thead><tr><th>Field</th><th>Type</th><th>Change</th></tr></thead>
          <tbody>
            {diff.map((f) => (
              <tr key={f.name} className={`change-${f.change}`}>
                <td className="mono">{f.name}</td>
                <td>{f.change === 'type-changed' ? <><s className="muted">{f.previousType}</s> {f.type}</> : f.type ?? '—'}</td>
                <td>{f.change === 'same' ? <span className="muted">—</span> : <span className={`badge badge-change-${f.change}`}>{f.change.replace('-', ' ')}</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

type SchemaPick = { version: string } | { at: string };

function PickSide({ label, pick, versions, onPick }: { label: string; pick: SchemaPick | null; versions: DatasetVersion[]; onPick(p: SchemaPick | null): void }) {
  const value = !pick ? '' : 'version' in pick ? pick.version : 'at';
  return (
    <span className="diff-side">
      <select aria-label={`Schema ${label}`} value={value}
              onChange={(e) => onPick(e.target.value === 'at' ? { at: new Date().toISOString() } : e.target.value ? { version: e.target.value } : null)}>
        <option value="">{label}…</option>
        {versions.map((v) => <option key={v.version} value={v.version}>{v.version.slice(0, 8)} · {formatUtc(v.createdAt ?? '')}</option>)}
        <option value="at">the version in force at an instant…</option>
      </select>
      {pick && 'at' in pick ? (
        <input type="datetime-local" step={1} aria-label={`Schema ${label} instant (UTC)`} value={toUtcInput(pick.at)}
               onChange={(e) => { const at = fromUtcInput(e.target.value); onPick(at ? { at } : null); }} />
      ) : null}
    </span>
  );
}

/** Any two versions (or the versions in force at two instants) compared by the server's schema diff. */
function SchemaDiffPanel({ nodeId, versions }: { nodeId: string; versions: DatasetVersion[] }) {
  const [from, setFrom] = useState<SchemaPick | null>(versions[1] ? { version: versions[1].version } : null);
  const [to, setTo] = useState<SchemaPick | null>(versions[0] ? { version: versions[0].version } : null);
  const key = from && to ? JSON.stringify([nodeId, from, to]) : '';
  const result = useAsync((signal) => (from && to ? getSchemaDiff(nodeId, from, to, signal) : Promise.resolve(null)), [key]);
  const d = result.data;
  const side = (s: { version: string | null; createdAt: string | null }) => (s.version ? `${s.version.slice(0, 8)} (${formatDateTime(s.createdAt)})` : 'no version yet');
  return (
    <div className="schema-diff" data-testid="schema-diff">
      <div className="time-row">
        <PickSide label="From" pick={from} versions={versions} onPick={setFrom} />
        <span aria-hidden="true">→</span>
        <PickSide label="To" pick={to} versions={versions} onPick={setTo} />
      </div>
      {!from || !to ? <p className="muted">Pick two versions, or two instants, to compare.</p>
        : result.loading ? <Spinner />
          : result.error ? <p className="error-text">{result.error}</p>
            : d ? (
              <>
                <p className="muted" data-testid="schema-diff-summary">
                  {side(d.from)} → {side(d.to)}: {d.added.length} added · {d.removed.length} removed · {d.retyped.length} retyped
                </p>
                {d.added.length + d.removed.length + d.retyped.length ? (
                  <table className="table">
                    <thead><tr><th>Field</th><th>Change</th><th>Type</th></tr></thead>
                    <tbody>
                      {d.added.map((f) => <tr key={`a${f.name}`} className="change-added" data-change="added"><td className="mono">{f.name}</td><td><span className="badge badge-change-added">added</span></td><td>{f.type ?? '—'}</td></tr>)}
                      {d.removed.map((f) => <tr key={`r${f.name}`} className="change-removed" data-change="removed"><td className="mono">{f.name}</td><td><span className="badge badge-change-removed">removed</span></td><td>{f.type ?? '—'}</td></tr>)}
                      {d.retyped.map((f) => <tr key={`t${f.name}`} className="change-type-changed" data-change="retyped"><td className="mono">{f.name}</td><td><span className="badge badge-change-type-changed">retyped</span></td><td><s className="muted">{f.from ?? '—'}</s> {f.to ?? '—'}</td></tr>)}
                    </tbody>
                  </table>
                ) : <p className="muted">Same columns and types.</p>}
              </>
            ) : null}
    </div>
  );
}

export function DatasetPage({ namespace, name }: { namespace: string; name: string }) {
  const dataset = useAsync((signal) => getDataset(namespace, name, signal), [namespace, name]);
  const versions = useAsync((signal) => getDatasetVersions(namespace, name, 50, signal), [namespace, name]);
  const id = datasetId(namespace, name);
  if (dataset.loading) return <div className="page"><Spinner /></div>;
  if (dataset.error || !dataset.data) return <div className="page"><ErrorBox title="Could not load the dataset" message={dataset.error ?? 'not found'} onRetry={dataset.reload} /></div>;
  const d = dataset.data;
  const who = owners(d.facets);
  return (
    <div className="page">
      <header className="page-head">
        <span className="page-icon kind-dataset"><KindIcon kind="dataset" size={22} /></span>
        <div>
          <span className="eyebrow">Dataset · {d.namespace}</span>
          <h1><NameText name={d.name} /></h1>
          {d.description ? <p>{d.description}</p> : null}
        </div>
        <div className="page-actions">
          <Link className="btn btn-primary" to={{ name: 'lineage', search: serializeExplorerState(defaultExplorerState(id)) }}>Explore lineage</Link>
          <Link className="btn" to={{ name: 'lineage', search: serializeExplorerState({ ...defaultExplorerState(id), view: 'column' }) }}>Column lineage</Link>
        </div>
      </header>
      <dl className="props props-row">
        <div><dt>Type</dt><dd>{d.type ?? '—'}</dd></div>
        <div><dt>Source</dt><dd>{d.sourceName ?? '—'}</dd></div>
        <div><dt>Updated</dt><dd title={formatDateTime(d.updatedAt)}>{formatRelative(d.updatedAt)}</dd></div>
        <div><dt>Fields</dt><dd>{d.fields.length}</dd></div>
        <div><dt>Owners</dt><dd>{who.length ? who.map((o) => o.name).join(', ') : '—'}</dd></div>
        {d.lastLifecycleState ? <div><dt>Lifecycle</dt><dd>{d.lastLifecycleState.toLowerCase()}</dd></div> : null}
      </dl>
      <section className="card" aria-labelledby="sla-title">
        <h2 id="sla-title">SLA</h2>
        <SlaTiles nodeId={id} kind="dataset" />
      </section>
      <section className="card">
        <h2>Schema and versions</h2>
        {versions.loading ? <Spinner /> : versions.error ? <p className="error-text">{versions.error}</p> : <VersionHistory versions={versions.data ?? []} />}
      </section>
      <section className="card" aria-labelledby="schema-diff-title">
        <h2 id="schema-diff-title">Compare schemas</h2>
        {versions.data ? <SchemaDiffPanel key={id} nodeId={id} versions={versions.data} /> : null}
      </section>
      <section className="card">
        <h2>Lineage</h2>
        <LineageSummary nodeId={id} />
      </section>
      <section className="card">
        <h2>Facets</h2>
        <JsonView value={d.facets ?? {}} />
      </section>
    </div>
  );
}
