// A dataset: schema with version history (and what changed), upstream/downstream summary, facets.
import { useState } from 'react';
import { getDataset, getDatasetVersions } from '../../api/marquez';
import { ErrorBox, Spinner } from '../../components/common/feedback';
import { JsonView } from '../../components/common/json-view';
import { Link } from '../../components/common/link';
import { KindIcon } from '../../components/nodes/kind-icon';
import { useAsync } from '../../hooks/use-async';
import { formatDateTime, formatRelative, owners } from '../../lib/format';
import { defaultExplorerState, serializeExplorerState } from '../../lib/lineage-url';
import { datasetId } from '../../lib/node-id';
import { diffSchemas } from '../../lib/schema-diff';
import type { DatasetVersion } from '../../types/api';
import { LineageSummary } from './lineage-summary';
import { NameText } from '../../components/common/name-text';
import { RunLink } from '../../components/common/run-link';
import { SlaTiles } from '../../components/alerts/sla-tiles';

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
