// API keys for producers and scripts (admin only). The key itself is in the create answer only.
import type { ApiKeyCreated, ApiKeyInput, ApiKeysResponse } from '../types/auth';
import { request, seg } from './client';

export function listApiKeys(signal?: AbortSignal): Promise<ApiKeysResponse> {
  return request<ApiKeysResponse>('/api-keys', { signal });
}

export function createApiKey(input: ApiKeyInput): Promise<ApiKeyCreated> {
  return request<ApiKeyCreated>('/api-keys', { method: 'POST', body: input });
}

export function revokeApiKey(id: string): Promise<void> {
  return request<void>(`/api-keys/${seg(id)}`, { method: 'DELETE' });
}
