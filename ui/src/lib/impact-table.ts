// The impact table's filter and sort (pure): rows from GET /lineage/impact narrowed by a text query (name,
// namespace, field, owner), a kind and a run state, sorted by any column.
import type { ImpactRow } from '../types/api';

export type ImpactSortKey = 'degree' | 'kind' | 'namespace' | 'name' | 'lastRunState' | 'owners' | 'updatedAt';

export interface ImpactFilter {
  q: string;
  kind: string;
  state: string;
}

export function filterImpactRows(rows: readonly ImpactRow[], filter: ImpactFilter): ImpactRow[] {
  const q = filter.q.trim().toLowerCase();
  return rows.filter((r) => {
    if (filter.kind && r.kind !== filter.kind) return false;
    if (filter.state && (r.lastRunState ?? 'NONE') !== filter.state) return false;
    if (!q) return true;
    return [r.name, r.namespace, r.field ?? '', ...r.owners].some((s) => s.toLowerCase().includes(q));
  });
}

const valueOf = (r: ImpactRow, key: ImpactSortKey): string | number => {
  switch (key) {
    case 'degree':
      return r.degree;
    case 'owners':
      return (r.owners[0] ?? '').toLowerCase();
    case 'updatedAt':
      return r.updatedAt ? Date.parse(r.updatedAt) : 0;
    case 'lastRunState':
      return r.lastRunState ?? '';
    case 'name':
      return `${r.name}\u0000${r.field ?? ''}`.toLowerCase();
    default:
      return r[key].toLowerCase();
  }
};

/** Sorted copy; ties keep degree then name order. */
export function sortImpactRows(rows: readonly ImpactRow[], key: ImpactSortKey, descending: boolean): ImpactRow[] {
  const sign = descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = valueOf(a, key);
    const y = valueOf(b, key);
    const c = x < y ? -1 : x > y ? 1 : 0;
    return c !== 0 ? sign * c : a.degree - b.degree || a.name.localeCompare(b.name);
  });
}

/** The states present in the rows, for the state filter ('NONE' for never run). */
export function statesOf(rows: readonly ImpactRow[]): string[] {
  return [...new Set(rows.map((r) => r.lastRunState ?? 'NONE'))].sort();
}
