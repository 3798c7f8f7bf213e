// The identity console (`/identity/...`): likely duplicate datasets with their reasons, external sources,
// and merge rules (console merges applied in the background, symlink-learned aliases, naming plugins).
import { query, request, seg } from './client';

export type ReasonKind = 'scheme' | 'case' | 'nameTail' | 'schema';

export interface DatasetName {
  namespace: string;
  name: string;
  nodeId: string;
}

export interface CandidateGroup {
  id: string;
  datasets: DatasetName[];
  reasons: Array<{ kind: ReasonKind; detail: string }>;
}

export interface ExternalDataset extends DatasetName {
  firstSeen: string | null;
  lastSeen: string | null;
  readers: number;
}

export type RuleOrigin = 'console' | 'symlink' | 'plugin';
export type RuleState = 'pending' | 'applying' | 'applied' | 'undoing' | 'undone';

export interface IdentityRule {
  id: string | null;
  origin: RuleOrigin;
  alias: DatasetName | null;
  canonical: DatasetName | null;
  state: RuleState;
  progress: number;
  error: string | null;
  createdBy?: string;
  createdAt?: string | null;
  updatedAt?: string | null;
  plugin?: string;
  description?: string;
}

export function listCandidates(params: { limit?: number; reason?: ReasonKind[] } = {}, signal?: AbortSignal,
): Promise<{ groups: CandidateGroup[]; totalCount: number }> {
  return request(`/identity/candidates${query({ limit: params.limit ?? 1000, reason: params.reason })}`, { signal });
}

export function listExternal(params: { limit?: number } = {}, signal?: AbortSignal,
): Promise<{ datasets: ExternalDataset[]; totalCount: number }> {
  return request(`/identity/external${query({ limit: params.limit ?? 1000 })}`, { signal });
}

export function listRules(params: { limit?: number; origin?: RuleOrigin[] } = {}, signal?: AbortSignal,
): Promise<{ rules: IdentityRule[]; totalCount: number }> {
  return request(`/identity/merges${query({ limit: params.limit ?? 1000, origin: params.origin })}`, { signal });
}

export function createMerge(alias: { namespace: string; name: string }, canonical: { namespace: string; name: string },
): Promise<IdentityRule> {
  return request<IdentityRule>('/identity/merges', { method: 'POST', body: { alias, canonical } });
}

export function undoMerge(id: string): Promise<IdentityRule> {
  return request<IdentityRule>(`/identity/merges/${seg(id)}`, { method: 'DELETE' });
}
