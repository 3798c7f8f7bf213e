// Impact analysis of one node (explorer side panel): everything downstream or upstream of it from
// GET /lineage/impact, filterable and sortable, exported as CSV (the server's, so scripts get the same).
import { useMemo, useState } from 'react';
import { getImpact, impactCsvUrl, type ImpactDirection } from '../../api/impact';
import { useAsync } from '../../hooks/use-async';
import { formatDateTime, formatRelative } from '../../lib/format';
import { filterImpactRows, sortImpactRows, statesOf, type ImpactSortKey } from '../../lib/impact-table';
import { parseNodeId, shortName } from '../../lib/node-id';
import { StateBadge } from '../common/feedback';
import { NameText } from '../common/name-text';
import { RunLink } from '../common/run-link';

const COLUMNS: Array<[ImpactSortKey, string]> = [
  ['degree', 'Hops'], ['kind', 'Type'], ['namespace', 'Namespace'], ['name', 'Name'], ['lastRunState', 'Last run'], ['owners', 'Owners'], ['updatedAt', 'Updated'],
];
const KIND_LABEL: Record<string, string> = { DATASET: 'dataset', JOB: 'job', DATASET_FIELD: 'column' };

export function ImpactPanel({ nodeId, direction, depth, known, onDirection, onClose, onPick }: {
  nodeId: string; direction: ImpactDirection; depth?: number; known: readonly string[];
  onDirection(d: ImpactDirection): void; onClose(): void; onPick?(id: string): void;
}) {
  const result = useAsync((signal) => getImpact(nodeId, direction, depth, signal), [nodeId, direction, depth]);
  const [q, setQ] = useState('');
  const [kind, setKind] = useState('');
  const [state, setState] = useState('');
  const [sort, setSort] = useState<{ key: ImpactSortKey; desc: boolean }>({ key: 'degree', desc: false });
  const rows = useMemo(() => result.data?.rows ?? [], [result.data]);
  const shown = useMemo(() => sortImpactRows(filterImpactRows(rows, { q, kind, state }), sort.key, sort.desc), [rows, q, kind, state, sort]);
  const title = shortName(parseNodeId(nodeId, known)?.name ?? nodeId);
  const kinds = [...new Set(rows.map((r) => r.kind))].sort();
  return (
    <section className="impact-panel" aria-label="Impact analysis" data-testid="impact-panel">
      <header>
        <h3>Impact of {title}</h3>
        <button type="button" className="icon-btn" aria-label="Close impact analysis" onClick={onClose}>×</button>
      </header>
      <div className="impact-controls">
        <div className="segmented" role="group" aria-label="Direction">
          {(['downstream', 'upstream'] as const).map((d) => (
            <button key={d} type="button" className={direction === d ? 'is-active' : ''} aria-pressed={direction === d} onClick={() => onDirection(d)}>{d === 'downstream' ? 'Downstream' : 'Upstream'}</button>
          ))}
        </div>
        <a className="btn btn-small" href={impactCsvUrl(nodeId, direction, depth)} download data-testid="impact-csv">Export CSV</a>
      </div>
      <div className="impact-controls">
        <input type="search" placeholder="Filter by name, namespace, owner" aria-label="Filter impact rows" value={q} onChange={(e) => setQ(e.target.value)} />
        <select aria-label="Type" value={kind} onChange={(e) => setKind(e.target.value)}>
          <option value="">All types</option>
          {kinds.map((k) => <option key={k} value={k}>{KIND_LABEL[k] ?? k}</option>)}
        </select>
        <select aria-label="Last run state" value={state} onChange={(e) => setState(e.target.value)}>
          <option value="">Any state</option>
          {statesOf(rows).map((s) => <option key={s} value={s}>{s === 'NONE' ? 'never run' : s.toLowerCase()}</option>)}
        </select>
      </div>
      {result.loading ? <p className="muted">Walking the lineage…</p> : null}
      {result.error ? <p className="error-text">{result.error}</p> : null}
      {result.data ? (
        <>
          <p className="muted small" aria-live="polite" data-testid="impact-count">
            {shown.length === rows.length ? `${rows.length} ${direction} node${rows.length === 1 ? '' : 's'}` : `${shown.length} of ${rows.length} shown`}
            {` within ${result.data.depth} hops`}{result.data.truncated ? ' · truncated at the server\'s node cap' : ''}
          </p>
          <div className="impact-table-wrap">
            <table className="table table-compact impact-table">
              <thead>
                <tr>
                  {COLUMNS.map(([key, label]) => (
                    <th key={key} aria-sort={sort.key === key ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
                      <button type="button" className="th-sort" onClick={() => setSort((s) => ({ key, desc: s.key === key ? !s.desc : false }))}>
                        {label}{sort.key === key ? (sort.desc ? ' ▾' : ' ▴') : ''}
                      </button>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {shown.map((r) => (
                  <tr key={r.id} data-row-id={r.id}>
                    <td className="num">{r.degree}</td>
                    <td>{KIND_LABEL[r.kind] ?? r.kind}</td>
                    <td className="muted">{r.namespace}</td>
                    <td>
                      {onPick && r.kind !== 'DATASET_FIELD' ? <button type="button" className="link-btn" onClick={() => onPick(r.id)}><NameText name={r.name} /></button> : <NameText name={r.name} />}
                      {r.field ? <span className="mono">.{r.field}</span> : null}
                    </td>
                    <td><StateBadge state={r.lastRunState} />{r.lastRunId ? <> <RunLink id={r.lastRunId} /></> : null}</td>
                    <td>{r.owners.join(', ') || <span className="muted">—</span>}</td>
                    <td title={formatDateTime(r.updatedAt)}>{formatRelative(r.updatedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </section>
  );
}
