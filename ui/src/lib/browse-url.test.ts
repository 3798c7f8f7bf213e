import { describe, expect, it } from 'vitest';
import { parseBrowseState, serializeBrowseState, sortBy, toggleFacet } from './browse-url';

describe('browse URL state', () => {
  it('round-trips and leaves defaults out', () => {
    const state = parseBrowseState('q=ord&namespace=pg&namespace=gs%3A%2F%2Fb&owner=alice&sort=updatedAt&order=desc&page=3');
    expect(state.filters.namespace).toEqual(['pg', 'gs://b']);
    expect(state.page).toBe(3);
    expect(parseBrowseState(serializeBrowseState(state))).toEqual(state);
    expect(serializeBrowseState(parseBrowseState(''))).toBe('');
    expect(parseBrowseState('sort=password&page=-2')).toMatchObject({ sort: 'name', page: 1 });
  });

  it('toggles facet values back to page one and flips the sort order', () => {
    const s = parseBrowseState('page=4&state=FAILED');
    expect(toggleFacet(s, 'state', 'FAILED')).toMatchObject({ page: 1, filters: { state: [] } });
    expect(toggleFacet(s, 'state', 'COMPLETED').filters.state).toEqual(['FAILED', 'COMPLETED']);
    const sorted = sortBy(s, 'name');
    expect(sorted.order).toBe('desc');
    expect(sortBy(sorted, 'name').order).toBe('asc');
    expect(sortBy(sorted, 'type').order).toBe('asc');
  });
});
