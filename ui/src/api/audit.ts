// The audit log of every write (admin only), newest first.
import type { AuditQuery, AuditResponse } from '../types/auth';
import { query, request } from './client';

export function listAudit(params: AuditQuery, signal?: AbortSignal): Promise<AuditResponse> {
  return request<AuditResponse>(`/audit${query({ ...params })}`, { signal });
}
