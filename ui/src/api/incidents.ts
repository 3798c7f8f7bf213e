// Incidents (`/incidents`): list and filter, detail (impact, owners, attached firings, timeline),
// acknowledge and resolve (editor).
import type { Incident, IncidentsResponse, Severity } from '../types/alerts';
import { query, request } from './client';

export type IncidentFilter = 'open' | 'acknowledged' | 'resolved' | 'active' | '';

export function listIncidents(params: { state?: IncidentFilter; nodeId?: string; ruleId?: string; severity?: Severity | ''; limit?: number; offset?: number } = {},
  signal?: AbortSignal): Promise<IncidentsResponse> {
  return request<IncidentsResponse>(`/incidents${query({ limit: 100, ...params })}`, { signal });
}

export function getIncident(id: number, signal?: AbortSignal): Promise<Incident> {
  return request<Incident>(`/incidents/${id}`, { signal });
}

export function acknowledgeIncident(id: number): Promise<Incident> {
  return request<Incident>(`/incidents/${id}/ack`, { method: 'POST' });
}

export function resolveIncident(id: number): Promise<Incident> {
  return request<Incident>(`/incidents/${id}/resolve`, { method: 'POST' });
}
