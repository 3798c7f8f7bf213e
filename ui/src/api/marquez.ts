// Marquez-compatible reads: namespaces, datasets, jobs, runs.
import type { Dataset, DatasetVersion, Job, Namespace, Run } from '../types/api';
import { query, request, seg } from './client';

export async function listNamespaces(signal?: AbortSignal): Promise<Namespace[]> {
  return (await request<{ namespaces: Namespace[] }>('/namespaces', { signal })).namespaces;
}

export function getDataset(namespace: string, name: string, signal?: AbortSignal): Promise<Dataset> {
  return request<Dataset>(`/namespaces/${seg(namespace)}/datasets/${seg(name)}`, { signal });
}

export async function listDatasets(namespace: string, limit = 500, signal?: AbortSignal): Promise<Dataset[]> {
  return (await request<{ datasets: Dataset[] }>(`/namespaces/${seg(namespace)}/datasets${query({ limit })}`, { signal })).datasets;
}

export async function getDatasetVersions(namespace: string, name: string, limit = 50, signal?: AbortSignal): Promise<DatasetVersion[]> {
  return (await request<{ versions: DatasetVersion[] }>(`/namespaces/${seg(namespace)}/datasets/${seg(name)}/versions${query({ limit })}`, { signal })).versions;
}

export function getJob(namespace: string, name: string, signal?: AbortSignal): Promise<Job> {
  return request<Job>(`/namespaces/${seg(namespace)}/jobs/${seg(name)}`, { signal });
}

export async function listNamespaceJobs(namespace: string, limit = 500, signal?: AbortSignal): Promise<Job[]> {
  return (await request<{ jobs: Job[] }>(`/namespaces/${seg(namespace)}/jobs${query({ limit })}`, { signal })).jobs;
}

/** Every job of a namespace, a page of `pageSize` at a time, at most `maxPages` pages (and whether that cut
 * the list). */
export async function allNamespaceJobs(namespace: string, signal?: AbortSignal, pageSize = 1000, maxPages = 5): Promise<{ jobs: Job[]; truncated: boolean }> {
  const jobs: Job[] = [];
  for (let page = 0; page < maxPages; page++) {
    const batch = (await request<{ jobs: Job[] }>(`/namespaces/${seg(namespace)}/jobs${query({ limit: pageSize, offset: page * pageSize })}`, { signal })).jobs;
    jobs.push(...batch);
    if (batch.length < pageSize) return { jobs, truncated: false };
  }
  return { jobs, truncated: true };
}

export async function listJobs(limit = 100, offset = 0, signal?: AbortSignal): Promise<{ jobs: Job[]; totalCount: number }> {
  return request<{ jobs: Job[]; totalCount: number }>(`/jobs${query({ limit, offset })}`, { signal });
}

export async function listRuns(namespace: string, job: string, limit = 50, signal?: AbortSignal): Promise<Run[]> {
  return (await request<{ runs: Run[] }>(`/namespaces/${seg(namespace)}/jobs/${seg(job)}/runs${query({ limit })}`, { signal })).runs;
}
