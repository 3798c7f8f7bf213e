// Browse datasets or jobs (/browse/datasets, /browse/jobs): facets (namespace, type, owner, state, tag)
// with counts, a name filter, sortable columns and paging, all in the URL (lib/browse-url.ts), from
// GET /api/v1/browse/datasets|jobs.
import { useState } from 'react';
import { browse } from '../../api/browse';
import { ErrorBox, Spinner, StateBadge } from '../../components/common/feedback';
import { Link } from '../../components/common/link';
import { NameText } from '../../components/common/name-text';
import { RunLink } from '../../components/common/run-link';
import { useAsync } from '../../hooks/use-async';
import { navigate } from '../../hooks/use-route';
import { FACETS, PAGE_SIZE, parseBrowseState, serializeBrowseState, sortBy, toggleFacet, type BrowseSort, type BrowseState } from '../../lib/browse-url';
import { formatDateTime, formatDuration, formatRelative } from '../../lib/format';
import type { BrowseFacet, CatalogItem } from '../../types/api';

const FACET_LABEL: Record<BrowseFacet, string> = { namespace: 'Namespace', type: 'Type', owner: 'Owner', state: 'Last run', tag: 'Tag' };
const COLUMNS: Array<[BrowseSort, string]> = [['name', 'Name'], ['namespace', 'Namespace'], ['type', 'Type'], ['owner', 'Owners'], ['state', 'Last run'], ['updatedAt', 'Updated']];
const FACETS_SHOWN = 12;

function itemRoute(kind: 'datasets' | 'jobs', item: CatalogItem) {
  return kind === 'datasets' ? { name: 'dataset' as const, namespace: item.namespace, dataset: item.name } : { name: 'job' as const, namespace: item.namespace, job: item.name };
}

function FacetGroup({ facet, values, chosen, onToggle }: {
  facet: BrowseFacet; values: Array<{ value: string; count: number }>; chosen: readonly string[]; onToggle(v: string): void;
}) {
  const [all, setAll] = useState(false);
  if (values.length === 0) return null;
  // Ticked values come from the URL (at once), counts from the last answer.
  const listed = [...values, ...chosen.filter((c) => !values.some((v) => v.value === c)).map((value) => ({ value, count: 0 }))];
  const shown = all ? listed : listed.filter((v, i) => i < FACETS_SHOWN || chosen.includes(v.value));
  return (
    <fieldset className="facet" data-facet={facet}>
      <legend>{FACET_LABEL[facet]}</legend>
      {shown.map((v) => (
        <label key={v.value} className="check-inline facet-value">
          <input type="checkbox" checked={chosen.includes(v.value)} onChange={() => onToggle(v.value)} />
          <span className="facet-name">{facet === 'state' && v.value !== '(none)' ? v.value.toLowerCase() : v.value}</span>
          <span className="facet-count">{v.count}</span>
        </label>
      ))}
      {listed.length > shown.length ? <button type="button" className="link-btn small" onClick={() => setAll(true)}>{listed.length - shown.length} more…</button> : null}
    </fieldset>
  );
}

export function BrowsePage({ kind, search }: { kind: 'datasets' | 'jobs'; search: string }) {
  const state = parseBrowseState(search);
  const go = (next: BrowseState, k: 'datasets' | 'jobs' = kind) => navigate({ name: 'browse', kind: k, search: serializeBrowseState(next) });
  const result = useAsync((signal) => browse(kind, {
    q: state.q, filters: state.filters, sort: state.sort, order: state.order, limit: PAGE_SIZE, offset: (state.page - 1) * PAGE_SIZE,
  }, signal), [kind, search]);
  const [q, setQ] = useState(state.q);
  const pages = result.data ? Math.max(1, Math.ceil(result.data.totalCount / PAGE_SIZE)) : 1;
  const active = FACETS.reduce((n, f) => n + state.filters[f].length, 0);
  return (
    <div className="page browse-page" data-testid="browse-page">
      <header className="page-head page-head-plain">
        <div>
          <h1>Browse {kind}</h1>
          <div className="segmented" role="group" aria-label="What to browse">
            {(['datasets', 'jobs'] as const).map((k) => (
              <button key={k} type="button" className={kind === k ? 'is-active' : ''} aria-pressed={kind === k}
                      onClick={() => go({ ...state, filters: { ...state.filters, type: [], state: [] }, page: 1 }, k)}>{k === 'datasets' ? 'Datasets' : 'Jobs'}</button>
            ))}
          </div>
        </div>
      </header>
      <div className="browse-layout">
        <aside className="facets" aria-label="Facets">
          <form onSubmit={(e) => { e.preventDefault(); go({ ...state, q, page: 1 }); }}>
            <input type="search" aria-label={`Filter ${kind} by name`} placeholder="Name or namespace contains…" value={q} onChange={(e) => setQ(e.target.value)} />
          </form>
          {active ? <button type="button" className="link-btn small" onClick={() => go({ ...state, filters: Object.fromEntries(FACETS.map((f) => [f, []])) as unknown as BrowseState['filters'], page: 1 })}>Clear {active} filter{active === 1 ? '' : 's'}</button> : null}
          {result.data ? FACETS.map((f) => <FacetGroup key={f} facet={f} values={result.data!.facets[f] ?? []} chosen={state.filters[f]} onToggle={(v) => go(toggleFacet(state, f, v))} />) : null}
        </aside>
        <section className="browse-results">
          {result.loading && !result.data ? <Spinner /> : null}
          {result.error ? <ErrorBox title={`Could not load ${kind}`} message={result.error} onRetry={result.reload} /> : null}
          {result.data ? (
            <>
              <p className="muted" aria-live="polite" data-testid="browse-count">
                {result.data.totalCount.toLocaleString('en')} {kind}{state.q ? ` matching “${state.q}”` : ''}{pages > 1 ? ` · page ${Math.floor((result.data.offset ?? 0) / PAGE_SIZE) + 1} of ${pages}` : ''}
              </p>
              <table className="table" data-testid="browse-table" aria-busy={result.loading}>
                <thead>
                  <tr>
                    {COLUMNS.map(([key, label]) => (
                      <th key={key} aria-sort={state.sort === key ? (state.order === 'desc' ? 'descending' : 'ascending') : 'none'}>
                        <button type="button" className="th-sort" onClick={() => go(sortBy(state, key))}>{label}{state.sort === key ? (state.order === 'desc' ? ' ▾' : ' ▴') : ''}</button>
                      </th>
                    ))}
                    <th>Tags</th>
                  </tr>
                </thead>
                <tbody>
                  {result.data.items.map((item) => (
                    <tr key={item.id} data-item-id={item.id}>
                      <td><Link to={itemRoute(kind, item)} className="result-name"><NameText name={item.name} /></Link></td>
                      <td className="muted">{item.namespace}</td>
                      <td><span className="kind-badge">{item.type.toLowerCase()}</span></td>
                      <td>{item.owners.join(', ') || <span className="muted">—</span>}</td>
                      <td><StateBadge state={item.lastRunState} />{item.lastRunId ? <> <RunLink id={item.lastRunId} /></> : null}
                        {kind === 'jobs' && item.lastRunDurationMs !== null ? <span className="muted small"> {formatDuration(item.lastRunDurationMs)}</span> : null}</td>
                      <td title={formatDateTime(item.updatedAt)}>{formatRelative(item.updatedAt)}</td>
                      <td>{item.tags.map((t) => <span key={t} className="tag">{t}</span>)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {result.data.items.length === 0 ? <p className="muted">Nothing matches these filters.</p> : null}
              {pages > 1 ? (
                <nav className="pager" aria-label="Pages">
                  <button type="button" className="btn btn-small" disabled={state.page <= 1} onClick={() => go({ ...state, page: state.page - 1 })}>Previous</button>
                  <span className="muted">Page {state.page} of {pages}</span>
                  <button type="button" className="btn btn-small" disabled={state.page >= pages} onClick={() => go({ ...state, page: state.page + 1 })}>Next</button>
                </nav>
              ) : null}
            </>
          ) : null}
        </section>
      </div>
    </div>
  );
}
