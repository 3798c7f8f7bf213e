// GET /api/v1/search, with a client-side fallback over the Marquez listings for receivers that do
// not have the search endpoint yet (404).
import type { SearchFilter, SearchResponse, SearchResult } from '../types/api';
import { datasetId, jobId } from '../lib/node-id';
import { isNotFound, query, request } from './client';
import { listDatasets, listNamespaceJobs, listNamespaces } from './marquez';

export async function search(q: string, filter?: SearchFilter | '', limit = 50, signal?: AbortSignal): Promise<SearchResponse> {
  try {
    return await request<SearchResponse>(`/search${query({ q, filter: filter || undefined, limit })}`, { signal });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    return fallbackSearch(q, filter, limit, signal);
  }
}

async function fallbackSearch(q: string, filter: SearchFilter | '' | undefined, limit: number, signal?: AbortSignal): Promise<SearchResponse> {
  const needle = q.trim().toLowerCase();
  const namespaces = await listNamespaces(signal);
  const results: SearchResult[] = [];
  await Promise.all(namespaces.map(async (ns) => {
    if (filter !== 'job') {
      for (const d of await listDatasets(ns.name, 1000, signal)) {
        if (filter !== 'field' && d.name.toLowerCase().includes(needle)) {
          results.push({ id: datasetId(d.namespace, d.name), type: 'DATASET', namespace: d.namespace, name: d.name });
        }
        if (filter === 'field' || !filter) {
          for (const f of d.fields ?? []) {
            if (f.name.toLowerCase().includes(needle)) {
              results.push({ id: `datasetField:${d.namespace}:${d.name}:${f.name}`, type: 'DATASET_FIELD', namespace: d.namespace,
                name: f.name, datasetId: datasetId(d.namespace, d.name) });
            }
          }
        }
      }
    }
    if (!filter || filter === 'job') {
      for (const j of await listNamespaceJobs(ns.name, 1000, signal)) {
        if (j.name.toLowerCase().includes(needle)) results.push({ id: jobId(j.namespace, j.name), type: 'JOB', namespace: j.namespace, name: j.name });
      }
    }
  }));
  const rank = (r: SearchResult) => (r.name.toLowerCase() === needle ? 0 : r.name.toLowerCase().startsWith(needle) ? 1 : 2);
  results.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  return { results: results.slice(0, limit), totalCount: results.length };
}
