import type { Source, SourceInput, SourcesResponse, SourceTestResult } from '../types/api';
import { query, request, seg } from './client';

export function listSources(params: { kind?: string; q?: string } = {}, signal?: AbortSignal): Promise<SourcesResponse> {
  return request<SourcesResponse>(`/sources${query(params)}`, { signal });
}

export function getSource(id: string, signal?: AbortSignal): Promise<Source> {
  return request<Source>(`/sources/${seg(id)}`, { signal });
}

export function createSource(input: SourceInput): Promise<Source> {
  return request<Source>('/sources', { method: 'POST', body: input });
}

export function updateSource(id: string, input: SourceInput): Promise<Source> {
  return request<Source>(`/sources/${seg(id)}`, { method: 'PUT', body: input });
}

export function deleteSource(id: string): Promise<void> {
  return request<void>(`/sources/${seg(id)}`, { method: 'DELETE' });
}

export function testSource(id: string): Promise<SourceTestResult> {
  return request<SourceTestResult>(`/sources/${seg(id)}/test`, { method: 'POST' });
}
