// Search results with a filter by kind, and facets: the datasets and jobs matching the query counted by
// namespace, type, owner, last run state and tag (GET /browse/*?q=), each a link to the browse page
// narrowed to it.
import { search } from '../../api/search';
import { ErrorBox, KindBadge, Spinner } from '../../components/common/feedback';
import { Link } from '../../components/common/link';
import { resultRoute } from '../../components/common/search-box';
import { useAsync } from '../../hooks/use-async';
import { navigate, urlOf } from '../../hooks/use-route';
import { parseNodeId } from '../../lib/node-id';
import type { SearchFilter } from '../../types/api';
import { NameText } from '../../components/common/name-text';
import { browse } from '../../api/browse';
import { FACETS, parseBrowseState, serializeBrowseState, toggleFacet } from '../../lib/browse-url';

const FACET_LABEL = { namespace: 'Namespace', type: 'Type', owner: 'Owner', state: 'Last run', tag: 'Tag' } as const;

/** Facet counts of what matches `q`, per kind, as links into the browse pages. */
function SearchFacets({ q }: { q: string }) {
  const facets = useAsync(async (signal) => {
    const params = { q, filters: {}, sort: 'name', order: 'asc' as const, limit: 0, offset: 0 };
    const [datasets, jobs] = await Promise.all([browse('datasets', params, signal), browse('jobs', params, signal)]);
    return { datasets, jobs };
  }, [q]);
  if (!facets.data) return null;
  const base = parseBrowseState(new URLSearchParams({ q }).toString());
  return (
    <aside className="search-facets" aria-label="Refine" data-testid="search-facets">
      {(['datasets', 'jobs'] as const).map((kind) => {
        const r = facets.data![kind];
        if (r.totalCount === 0) return null;
        return (
          <section key={kind}>
            <h3><Link to={{ name: 'browse', kind, search: serializeBrowseState(base) }}>{r.totalCount} {kind}</Link></h3>
            {FACETS.map((f) => (r.facets[f] ?? []).filter((v) => v.value !== '(none)').length ? (
              <div key={f} className="facet-line">
                <span className="muted small">{FACET_LABEL[f]}</span>
                {(r.facets[f] ?? []).filter((v) => v.value !== '(none)').slice(0, 8).map((v) => (
                  <Link key={v.value} className="chip" to={{ name: 'browse', kind, search: serializeBrowseState(toggleFacet(base, f, v.value)) }}>
                    {f === 'state' ? v.value.toLowerCase() : v.value} <span className="facet-count">{v.count}</span>
                  </Link>
                ))}
              </div>
            ) : null)}
          </section>
        );
      })}
    </aside>
  );
}

const FILTERS: Array<[SearchFilter | '', string]> = [['', 'All'], ['dataset', 'Datasets'], ['job', 'Jobs'], ['field', 'Columns']];

export function SearchPage({ q, filter }: { q: string; filter: string }) {
  const f = (['dataset', 'job', 'field'].includes(filter) ? filter : '') as SearchFilter | '';
  const results = useAsync((signal) => (q ? search(q, f, 100, signal) : Promise.resolve({ results: [], totalCount: 0 })), [q, f]);
  return (
    <div className="page">
      <h1>Search{q ? <> for <q>{q}</q></> : null}</h1>
      <form className="search-form" role="search" onSubmit={(e) => {
        e.preventDefault();
        const value = new FormData(e.currentTarget).get('q');
        navigate(urlOf({ name: 'search', q: String(value ?? ''), filter: f }));
      }}>
        <input name="q" type="search" defaultValue={q} key={q} aria-label="Search" placeholder="Search datasets, jobs, columns…" />
        <button type="submit" className="btn btn-primary">Search</button>
      </form>
      <div className="tabs" role="tablist" aria-label="Filter results">
        {FILTERS.map(([value, label]) => (
          <button key={value} type="button" role="tab" aria-selected={f === value} className={`tab${f === value ? ' is-active' : ''}`}
                  onClick={() => navigate(urlOf({ name: 'search', q, filter: value }), { replace: true })}>{label}</button>
        ))}
      </div>
      {results.loading ? <Spinner label="Searching…" /> : null}
      {results.error ? <ErrorBox message={results.error} onRetry={results.reload} /> : null}
      {results.data && q ? (
        <>
          <p className="muted">{results.data.totalCount} result{results.data.totalCount === 1 ? '' : 's'}</p>
          <SearchFacets q={q} />
          <ul className="result-list">
            {results.data.results.map((r) => (
              <li key={r.id}>
                <KindBadge kind={r.type === 'DATASET' ? 'dataset' : r.type === 'JOB' ? 'job' : 'field'} />
                <Link to={resultRoute(r)} className="result-name"><NameText name={r.name} /></Link>
                <span className="muted">{r.namespace}{r.type === 'DATASET_FIELD' && r.datasetId ? ` / ${parseNodeId(r.datasetId, [r.namespace])?.name ?? ''}` : ''}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}
