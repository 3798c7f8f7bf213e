// The run page and the durations behind the health overlay's "late".
import type { JobDurations, RunDetail } from '../types/api';
import { query, request, seg } from './client';

export function getRun(runId: string, signal?: AbortSignal): Promise<RunDetail> {
  return request<RunDetail>(`/runs/${seg(runId)}`, { signal });
}

export async function getDurations(jobIds: readonly string[], signal?: AbortSignal): Promise<Record<string, JobDurations>> {
  if (jobIds.length === 0) return {};
  return (await request<{ jobs: Record<string, JobDurations> }>(`/runs/durations${query({ jobId: jobIds.slice(0, 500) })}`, { signal })).jobs;
}
