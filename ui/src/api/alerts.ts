// Alert rules (`/alert-rules`), their types with the JSON Schema of their params (`/alert-rule-types`),
// the preview ("would have fired N times in the last 7 days") and the delivery log (`/notifications`).
import type {
  AlertRule, AlertRuleInput, NotificationStatus, NotificationsResponse, RulePreview, RulesResponse, RuleTypesResponse,
} from '../types/alerts';
import { query, request, seg } from './client';

export function listRuleTypes(signal?: AbortSignal): Promise<RuleTypesResponse> {
  return request<RuleTypesResponse>('/alert-rule-types', { signal });
}

export function listRules(params: { type?: string; limit?: number; offset?: number } = {}, signal?: AbortSignal): Promise<RulesResponse> {
  return request<RulesResponse>(`/alert-rules${query({ limit: 1000, ...params })}`, { signal });
}

export function getRule(id: string, signal?: AbortSignal): Promise<AlertRule> {
  return request<AlertRule>(`/alert-rules/${seg(id)}`, { signal });
}

export function createRule(input: AlertRuleInput): Promise<AlertRule> {
  return request<AlertRule>('/alert-rules', { method: 'POST', body: input });
}

export function updateRule(id: string, input: Partial<AlertRuleInput>): Promise<AlertRule> {
  return request<AlertRule>(`/alert-rules/${seg(id)}`, { method: 'PATCH', body: input });
}

export function deleteRule(id: string): Promise<void> {
  return request<void>(`/alert-rules/${seg(id)}`, { method: 'DELETE' });
}

/** How often a rule body would have fired over the stored runs of the last 7 days (opens nothing). */
export function previewRule(input: AlertRuleInput, signal?: AbortSignal): Promise<RulePreview> {
  return request<RulePreview>('/alert-rules/preview', { method: 'POST', body: input, signal });
}

export function listNotifications(params: { status?: NotificationStatus | ''; channelId?: string; incidentId?: number; limit?: number; offset?: number } = {},
  signal?: AbortSignal): Promise<NotificationsResponse> {
  return request<NotificationsResponse>(`/notifications${query({ limit: 100, ...params })}`, { signal });
}
