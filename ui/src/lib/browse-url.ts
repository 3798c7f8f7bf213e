// The browse pages' state in the URL (/browse/datasets|jobs?q=&namespace=&owner=&sort=&order=&page=): parse,
// serialize (defaults left out) and toggle a facet value. Pure.
import type { BrowseFacet } from '../types/api';

export const FACETS: readonly BrowseFacet[] = ['namespace', 'type', 'owner', 'state', 'tag'];
export const SORTS = ['name', 'namespace', 'type', 'state', 'updatedAt', 'owner'] as const;
export type BrowseSort = (typeof SORTS)[number];
export const PAGE_SIZE = 50;

export interface BrowseState {
  q: string;
  filters: Record<BrowseFacet, string[]>;
  sort: BrowseSort;
  order: 'asc' | 'desc';
  page: number;
}

export function parseBrowseState(search: string): BrowseState {
  const p = new URLSearchParams(search);
  const sort = p.get('sort') as BrowseSort | null;
  const page = Number.parseInt(p.get('page') ?? '', 10);
  return {
    q: p.get('q') ?? '',
    filters: Object.fromEntries(FACETS.map((f) => [f, p.getAll(f)])) as Record<BrowseFacet, string[]>,
    sort: sort && (SORTS as readonly string[]).includes(sort) ? sort : 'name',
    order: p.get('order') === 'desc' ? 'desc' : 'asc',
    page: Number.isFinite(page) && page > 1 ? page : 1,
  };
}

export function serializeBrowseState(state: BrowseState): string {
  const p = new URLSearchParams();
  if (state.q) p.set('q', state.q);
  for (const f of FACETS) for (const v of state.filters[f]) p.append(f, v);
  if (state.sort !== 'name') p.set('sort', state.sort);
  if (state.order !== 'asc') p.set('order', state.order);
  if (state.page > 1) p.set('page', String(state.page));
  return p.toString();
}

/** Tick or untick one facet value; any filter change goes back to the first page. */
export function toggleFacet(state: BrowseState, facet: BrowseFacet, value: string): BrowseState {
  const current = state.filters[facet];
  const next = current.includes(value) ? current.filter((v) => v !== value) : [...current, value];
  return { ...state, filters: { ...state.filters, [facet]: next }, page: 1 };
}

/** Sort by a column: the same column again flips the order. */
export function sortBy(state: BrowseState, sort: BrowseSort): BrowseState {
  return { ...state, sort, order: state.sort === sort && state.order === 'asc' ? 'desc' : 'asc', page: 1 };
}
