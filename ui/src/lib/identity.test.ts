import { describe, expect, it } from 'vitest';
import type { CandidateGroup, IdentityRule } from '../api/identity';
import { canUndo, isBusy, mergePlan, reasonLabel, sortRules, stateText, suggestCanonical } from './identity';

const ds = (namespace: string, name: string) => ({ namespace, name, nodeId: `dataset:${namespace}:${name}` });
const group = (...datasets: ReturnType<typeof ds>[]): CandidateGroup => ({ id: 'g', datasets, reasons: [{ kind: 'scheme', detail: '' }] });
const rule = (over: Partial<IdentityRule>): IdentityRule => ({
  id: 'r', origin: 'console', alias: ds('a', 'x'), canonical: ds('b', 'y'), state: 'applied', progress: 1, error: null, ...over,
});

describe('suggestCanonical', () => {
  it('prefers the standard scheme over s3a/s3n/gcs and a name without a trailing slash', () => {
    expect(suggestCanonical(group(ds('s3a://lake', 'raw/orders'), ds('s3://lake', 'raw/orders')))?.namespace).toBe('s3://lake');
    expect(suggestCanonical(group(ds('gs://b', 't/'), ds('gcs://b', 't'), ds('gs://b', 't')))?.nodeId).toBe('dataset:gs://b:t');
  });
  it('prefers lower case, then keeps the first member', () => {
    expect(suggestCanonical(group(ds('hive', 'Sales.Orders'), ds('hive', 'sales.orders')))?.name).toBe('sales.orders');
    expect(suggestCanonical(group(ds('a', 'x'), ds('b', 'x')))?.namespace).toBe('a');
  });
});

describe('mergePlan', () => {
  it('merges every other member into the chosen one', () => {
    const g = group(ds('s3://l', 'o'), ds('s3a://l', 'o'), ds('s3n://l', 'o'));
    expect(mergePlan(g, 'dataset:s3://l:o')).toEqual([
      { alias: { namespace: 's3a://l', name: 'o' }, canonical: { namespace: 's3://l', name: 'o' } },
      { alias: { namespace: 's3n://l', name: 'o' }, canonical: { namespace: 's3://l', name: 'o' } },
    ]);
  });
  it('is empty for a canonical outside the group', () => {
    expect(mergePlan(group(ds('a', 'x'), ds('b', 'x')), 'dataset:c:x')).toEqual([]);
  });
});

describe('rule states', () => {
  it('reads the progress while applying or undoing, and the error of a retried run', () => {
    expect(stateText(rule({ state: 'applying', progress: 0.426 }))).toBe('applying 43%');
    expect(stateText(rule({ state: 'undoing', progress: 0 }))).toBe('undoing 0%');
    expect(stateText(rule({ state: 'pending', progress: 0, error: 'graph store down' }))).toBe('pending (retrying: graph store down)');
    expect(stateText(rule({ state: 'applied' }))).toBe('applied');
  });
  it('only console rules in force can be undone, and moving ones are busy', () => {
    expect(canUndo(rule({ state: 'applied' }))).toBe(true);
    expect(canUndo(rule({ state: 'undone' }))).toBe(false);
    expect(canUndo(rule({ origin: 'symlink', id: null }))).toBe(false);
    expect(isBusy(rule({ state: 'undoing' }))).toBe(true);
    expect(isBusy(rule({ state: 'undone' }))).toBe(false);
  });
  it('sorts moving rules first, then by origin, keeping the server order within', () => {
    const rules = [rule({ id: 'p', origin: 'plugin' }), rule({ id: 's', origin: 'symlink' }), rule({ id: 'c1' }),
      rule({ id: 'c2', state: 'applying', progress: 0.5 })];
    expect(sortRules(rules).map((r) => r.id)).toEqual(['c2', 'c1', 's', 'p']);
  });
});

describe('reasonLabel', () => {
  it('names known reasons and passes unknown ones through', () => {
    expect(reasonLabel('schema')).toBe('Same schema');
    expect(reasonLabel('new-kind')).toBe('new-kind');
  });
});

describe('the identity route', () => {
  it('round-trips /identity under a base path', async () => {
    const { formatRoute, parseRoute } = await import('./routes');
    expect(parseRoute('/p/identity', '', '/p/')).toEqual({ name: 'identity' });
    expect(formatRoute({ name: 'identity' }, '/p/')).toBe('/p/identity');
  });
});
