import { describe, expect, it } from 'vitest';
import type { ImpactRow } from '../types/api';
import { filterImpactRows, sortImpactRows, statesOf } from './impact-table';

const row = (id: string, degree: number, extra: Partial<ImpactRow> = {}): ImpactRow => ({
  id, degree, kind: 'DATASET', type: 'DATASET', namespace: 'ns', name: id, field: null, datasetId: null, lastRunState: 'COMPLETED',
  lastRunId: null, owners: [], updatedAt: null, ...extra,
});
const rows = [
  row('orders', 2, { owners: ['alice'], updatedAt: '2024-05-02T00:00:00Z' }),
  row('load', 1, { kind: 'JOB', lastRunState: 'FAILED', owners: ['team:etl'] }),
  row('report', 4, { lastRunState: null, namespace: 'bq', updatedAt: '2024-05-01T00:00:00Z' }),
];

describe('impact table', () => {
  it('filters by text (also owners), kind and state', () => {
    expect(filterImpactRows(rows, { q: 'ALICE', kind: '', state: '' }).map((r) => r.id)).toEqual(['orders']);
    expect(filterImpactRows(rows, { q: '', kind: 'JOB', state: '' }).map((r) => r.id)).toEqual(['load']);
    expect(filterImpactRows(rows, { q: '', kind: '', state: 'NONE' }).map((r) => r.id)).toEqual(['report']);
    expect(filterImpactRows(rows, { q: 'bq', kind: '', state: '' }).map((r) => r.id)).toEqual(['report']);
  });

  it('sorts by any column, both ways', () => {
    expect(sortImpactRows(rows, 'degree', false).map((r) => r.id)).toEqual(['load', 'orders', 'report']);
    expect(sortImpactRows(rows, 'degree', true).map((r) => r.id)).toEqual(['report', 'orders', 'load']);
    expect(sortImpactRows(rows, 'name', false).map((r) => r.id)).toEqual(['load', 'orders', 'report']);
    expect(sortImpactRows(rows, 'updatedAt', true).map((r) => r.id)).toEqual(['orders', 'report', 'load']);
    expect(sortImpactRows(rows, 'lastRunState', false).map((r) => r.id)).toEqual(['report', 'orders', 'load']);
    expect(statesOf(rows)).toEqual(['COMPLETED', 'FAILED', 'NONE']);
  });
});
