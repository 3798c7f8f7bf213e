import type { ColumnLineageResponse, LineageResponse, PathResponse } from '../types/api';
import { query, request } from './client';

export type FlowDirection = 'both' | 'up' | 'down';

export function getLineage(nodeId: string, depth: number, direction: FlowDirection = 'both', signal?: AbortSignal): Promise<LineageResponse> {
  const path = direction === 'both' ? '/lineage' : direction === 'up' ? '/lineage/upstream' : '/lineage/downstream';
  return request<LineageResponse>(`${path}${query({ nodeId, depth })}`, { signal });
}

export function getColumnLineage(nodeId: string, depth: number, withDownstream = true, signal?: AbortSignal): Promise<ColumnLineageResponse> {
  return request<ColumnLineageResponse>(`/column-lineage${query({ nodeId, depth, withDownstream })}`, { signal });
}

export function getPath(from: string, to: string, signal?: AbortSignal): Promise<PathResponse> {
  return request<PathResponse>(`/lineage/path${query({ from, to })}`, { signal });
}
