// GET /browse/datasets|jobs: faceted, sorted, paged catalog lists.
import type { BrowseFacet, BrowseResponse, CatalogItem, FacetValue } from '../types/api';
import { query, request } from './client';

export interface BrowseParams {
  q?: string;
  filters: Partial<Record<BrowseFacet, string[]>>;
  sort: string;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

export async function browse(kind: 'datasets' | 'jobs', params: BrowseParams, signal?: AbortSignal): Promise<BrowseResponse> {
  const body = await request<{ datasets?: CatalogItem[]; jobs?: CatalogItem[]; totalCount: number; facets: Record<BrowseFacet, FacetValue[]> }>(
    `/browse/${kind}${query({ q: params.q, sort: params.sort, order: params.order, limit: params.limit, offset: params.offset, ...params.filters })}`,
    { signal });
  return { items: body[kind] ?? [], totalCount: body.totalCount, facets: body.facets, offset: params.offset };
}
