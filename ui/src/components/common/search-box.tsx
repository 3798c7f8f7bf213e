// The global search field with suggestions (datasets, jobs, fields) as an ARIA combobox.
import { useEffect, useId, useRef, useState } from 'react';
import { search } from '../../api/search';
import type { SearchResult } from '../../types/api';
import { parseNodeId, shortName } from '../../lib/node-id';
import { navigate, urlOf } from '../../hooks/use-route';
import { serializeExplorerState, defaultExplorerState } from '../../lib/lineage-url';
import { KindBadge } from './feedback';

export function resultRoute(r: SearchResult): string {
  if (r.type === 'DATASET') return urlOf({ name: 'dataset', namespace: r.namespace, dataset: r.name });
  if (r.type === 'JOB') return urlOf({ name: 'job', namespace: r.namespace, job: r.name });
  const datasetId = r.datasetId ?? r.id;
  const parsed = parseNodeId(datasetId, [r.namespace]);
  return urlOf({ name: 'lineage', search: serializeExplorerState({ ...defaultExplorerState(datasetId), view: 'column',
    field: parsed ? `${datasetId}::${r.name}` : null }) });
}

export function SearchBox({ placeholder = 'Search datasets, jobs, columns…', autoFocus = false, onPick, className = '' }: {
  placeholder?: string; autoFocus?: boolean; onPick?: (r: SearchResult) => void; className?: string;
}) {
  const [q, setQ] = useState('');
  const [results, setResults] = useState<SearchResult[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const listId = useId();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    if (timer.current) clearTimeout(timer.current);
    if (q.trim().length < 1) {
      setResults([]);
      return;
    }
    const controller = new AbortController();
    timer.current = setTimeout(() => {
      search(q.trim(), '', 12, controller.signal).then((r) => {
        setResults(r.results);
        setActive(-1);
      }, () => setResults([]));
    }, 180);
    return () => controller.abort();
  }, [q]);

  const pick = (r: SearchResult) => {
    setOpen(false);
    setQ('');
    if (onPick) onPick(r);
    else navigate(resultRoute(r));
  };

  return (
    <div className={`search-box ${className}`}>
      <input
        type="search" role="combobox" aria-expanded={open && results.length > 0} aria-controls={listId} aria-autocomplete="list"
        aria-activedescendant={active >= 0 ? `${listId}-${active}` : undefined} aria-label="Search"
        placeholder={placeholder} value={q} autoFocus={autoFocus}
        onChange={(e) => { setQ(e.target.value); setOpen(true); }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') { e.preventDefault(); setActive((a) => Math.min(results.length - 1, a + 1)); setOpen(true); }
          else if (e.key === 'ArrowUp') { e.preventDefault(); setActive((a) => Math.max(-1, a - 1)); }
          else if (e.key === 'Escape') setOpen(false);
          else if (e.key === 'Enter') {
            e.preventDefault();
            const r = results[active];
            if (r) pick(r);
            else if (q.trim() && !onPick) { setOpen(false); navigate(urlOf({ name: 'search', q: q.trim(), filter: '' })); }
          }
        }}
      />
      {open && results.length > 0 ? (
        <ul className="search-suggestions" role="listbox" id={listId}>
          {results.map((r, i) => (
            <li key={r.id} id={`${listId}-${i}`} role="option" aria-selected={i === active} className={i === active ? 'is-active' : ''}
                onMouseDown={(e) => { e.preventDefault(); pick(r); }} onMouseEnter={() => setActive(i)}>
              <KindBadge kind={r.type === 'DATASET' ? 'dataset' : r.type === 'JOB' ? 'job' : 'field'} />
              <span className="suggestion-name">{r.type === 'DATASET_FIELD' ? r.name : shortName(r.name)}</span>
              <span className="suggestion-ns">{r.type === 'DATASET_FIELD' ? `${r.namespace} / ${parseNodeId(r.datasetId ?? '', [r.namespace])?.name ?? ''}` : `${r.namespace}${shortName(r.name) !== r.name ? ` / ${r.name}` : ''}`}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
