// Search results with a filter by kind.
import { search } from '../../api/search';
import { ErrorBox, KindBadge, Spinner } from '../../components/common/feedback';
import { Link } from '../../components/common/link';
import { resultRoute } from '../../components/common/search-box';
import { useAsync } from '../../hooks/use-async';
import { navigate, urlOf } from '../../hooks/use-route';
import { parseNodeId } from '../../lib/node-id';
import type { SearchFilter } from '../../types/api';

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
          <ul className="result-list">
            {results.data.results.map((r) => (
              <li key={r.id}>
                <KindBadge kind={r.type === 'DATASET' ? 'dataset' : r.type === 'JOB' ? 'job' : 'field'} />
                <Link to={resultRoute(r)} className="result-name">{r.name}</Link>
                <span className="muted">{r.namespace}{r.type === 'DATASET_FIELD' && r.datasetId ? ` / ${parseNodeId(r.datasetId, [r.namespace])?.name ?? ''}` : ''}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}
