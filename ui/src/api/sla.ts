// SLA tracking of a job or dataset (`/sla?nodeId=`), from its deadline and freshness rule evaluations.
import type { SlaSummary } from '../types/alerts';
import { query, request } from './client';

export function getSla(nodeId: string, signal?: AbortSignal): Promise<SlaSummary> {
  return request<SlaSummary>(`/sla${query({ nodeId })}`, { signal });
}
