// Dashboards: optimistic concurrency with ETag / If-Match; a stale PUT answers 409 with the current
// version in `errors[0].currentVersion`.
import type { Dashboard, DashboardExport, DashboardsResponse } from '../types/api';
import type { DashboardDoc } from '../lib/dashboard-doc';
import { ApiError, request, requestFull, seg } from './client';

export function listDashboards(signal?: AbortSignal): Promise<DashboardsResponse> {
  return request<DashboardsResponse>('/dashboards', { signal });
}

export function getDashboard(id: string, signal?: AbortSignal): Promise<Dashboard> {
  return request<Dashboard>(`/dashboards/${seg(id)}`, { signal });
}

export function createDashboard(input: Partial<DashboardDoc> & { name: string }): Promise<Dashboard> {
  return request<Dashboard>('/dashboards', { method: 'POST', body: input });
}

export const etag = (version: number) => `"${version}"`;

export async function saveDashboard(id: string, version: number, doc: DashboardDoc): Promise<Dashboard> {
  const { data } = await requestFull<Dashboard>(`/dashboards/${seg(id)}`, {
    method: 'PUT', body: doc, headers: { 'If-Match': etag(version) },
  });
  return data;
}

export function deleteDashboard(id: string): Promise<void> {
  return request<void>(`/dashboards/${seg(id)}`, { method: 'DELETE' });
}

export function exportDashboard(id: string): Promise<DashboardExport> {
  return request<DashboardExport>(`/dashboards/${seg(id)}/export`);
}

export function importDashboard(document: unknown): Promise<Dashboard> {
  return request<Dashboard>('/dashboards/import', { method: 'POST', body: document });
}

/** The server's current version from a 409 conflict, if it said. */
export function conflictVersion(err: unknown): number | null {
  if (!(err instanceof ApiError) || err.status !== 409) return null;
  for (const e of err.errors) if (typeof e.currentVersion === 'number') return e.currentVersion;
  return -1;
}
