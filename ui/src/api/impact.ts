// GET /lineage/impact: everything upstream or downstream of a node, one row each (JSON, or the CSV's URL).
// Without a depth the server walks as deep as it allows (MAX_DEPTH).
import type { ImpactResponse } from '../types/api';
import { query, request } from './client';
import { runtimeConfig } from '../lib/runtime-config';

export type ImpactDirection = 'downstream' | 'upstream';

export function getImpact(nodeId: string, direction: ImpactDirection, depth?: number, signal?: AbortSignal): Promise<ImpactResponse> {
  return request<ImpactResponse>(`/lineage/impact${query({ nodeId, direction, depth })}`, { signal });
}

/** The CSV export's URL (same origin: the session cookie goes with the download). */
export function impactCsvUrl(nodeId: string, direction: ImpactDirection, depth?: number): string {
  return `${runtimeConfig().apiBase}/lineage/impact${query({ nodeId, direction, depth, format: 'csv' })}`;
}
