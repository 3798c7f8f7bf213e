// Alerts, channels, incidents, the delivery log and SLAs as the API sends them (receiver/api/{alert_rules,
// channels,incidents,notifications,sla}.py and receiver/alerts/*; docs/alerts.md).
import type { JsonSchema } from './api';

export type RuleType =
  | 'job_failed' | 'run_duration' | 'deadline' | 'freshness' | 'source_unhealthy' | 'schema_change' | 'dq_assertion' | 'row_count';
export type RuleSubject = 'job' | 'dataset' | 'source';
export type Severity = 'critical' | 'error' | 'warning' | 'info';
export type IncidentState = 'open' | 'acknowledged' | 'resolved';

export interface RuleScope {
  namespaces: string[];
  jobs: string[];
  datasets: string[];
  sources: string[];
  owners: string[];
}

export interface AlertRule {
  id: string;
  name: string;
  type: RuleType;
  enabled: boolean;
  severity: Severity;
  scope: RuleScope;
  params: Record<string, unknown>;
  channelIds: string[];
  createdAt: string | null;
  updatedAt: string | null;
}

/** What POST/PUT /alert-rules and /alert-rules/preview take. */
export interface AlertRuleInput {
  name: string;
  type: RuleType;
  enabled: boolean;
  severity: Severity;
  scope: Partial<RuleScope>;
  params: Record<string, unknown>;
  channelIds: string[];
}

export interface RulesResponse {
  rules: AlertRule[];
  totalCount: number;
}

export interface RuleTypeInfo {
  type: RuleType;
  subject: RuleSubject;
  timeDriven: boolean;
  paramsSchema: JsonSchema;
}

export interface RuleTypesResponse {
  ruleTypes: RuleTypeInfo[];
  scopeSchema: JsonSchema;
  severities: Severity[];
}

export interface PreviewFiring {
  nodeId: string;
  at: string;
  title: string;
}

export interface RulePreview {
  wouldFire: number;
  days: number;
  from: string;
  to: string;
  nodes: number;
  /** The latest firings (at most 50). */
  firings: PreviewFiring[];
}

export interface Channel {
  id: string;
  name: string;
  kind: string;
  /** Config without its secret fields. */
  config: Record<string, unknown>;
  /** The secret fields that have a stored value. */
  secretsSet: string[];
  owners: string[];
  enabled: boolean;
  rateLimitPerMinute: number;
  createdAt: string | null;
  updatedAt: string | null;
}

export interface ChannelInput {
  name: string;
  kind?: string;
  config: Record<string, unknown>;
  owners: string[];
  enabled: boolean;
  rateLimitPerMinute: number;
}

export interface ChannelsResponse {
  channels: Channel[];
  totalCount: number;
}

export interface ChannelType {
  kind: string;
  label: string;
  configSchema: JsonSchema;
  secretFields: string[];
}

export interface ChannelTypesResponse {
  channelTypes: ChannelType[];
}

export interface ChannelTestResult {
  ok: boolean;
  message: string;
  responseStatus: number | null;
}

export interface IncidentSummary {
  id: number;
  ruleId: string;
  ruleType: RuleType;
  rootNodeId: string;
  state: IncidentState;
  severity: Severity;
  title: string;
  occurrences: number;
  attachedCount: number;
  impactedCount: number;
  owners: string[];
  openedAt: string | null;
  updatedAt: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
}

export interface ImpactedNode {
  id: string;
  namespace: string;
  name: string;
  owners: string[];
}

export interface ImpactedDashboard {
  id: string;
  name: string;
  nodeIds: string[];
}

export interface IncidentImpact {
  datasets: ImpactedNode[];
  jobs: ImpactedNode[];
  dashboards: ImpactedDashboard[];
  nodeIds: string[];
  depth: number | null;
  truncated: boolean;
  owners: string[];
  rootOwners: string[];
}

export interface AttachedFiring {
  nodeId: string;
  ruleId: string;
  ruleType: RuleType;
  title: string;
  at: string | null;
}

export interface TimelineEntry {
  at: string | null;
  kind: string;
  nodeId: string | null;
  ruleId: string | null;
  message: string;
}

export interface Incident extends IncidentSummary {
  ruleName: string | null;
  text: string;
  facts: Record<string, unknown>;
  attached: AttachedFiring[];
  impact: IncidentImpact;
  timeline: TimelineEntry[];
}

export interface IncidentsResponse {
  incidents: IncidentSummary[];
  totalCount: number;
}

export type NotificationStatus = 'pending' | 'delivered' | 'failed';

export interface NotificationEntry {
  id: number;
  incidentId: number | null;
  event: string;
  channelId: string;
  status: NotificationStatus;
  attempts: number;
  lastError: string | null;
  responseStatus: number | null;
  createdAt: string | null;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  deliveredAt: string | null;
  title: string | null;
}

export interface NotificationsResponse {
  notifications: NotificationEntry[];
  totalCount: number;
}

export interface SlaWindow {
  evaluations: number;
  met: number;
  missed: number;
  /** null: nothing evaluated in the window. */
  onTimePercent: number | null;
}

export interface SlaRuleSummary {
  ruleId: string;
  ruleName: string | null;
  kind: string | null;
  last7d: SlaWindow;
  last30d: SlaWindow;
}

export interface SlaSummary {
  nodeId: string;
  last7d: SlaWindow;
  last30d: SlaWindow;
  currentStreak: { met: boolean | null; count: number };
  lastMiss: { dueAt: string | null; ruleId: string; kind: string | null; ruleName: string | null } | null;
  rules: SlaRuleSummary[];
}

/** The payload of `alert.opened` / `alert.updated` / `alert.resolved` on the live streams. */
export interface AlertLiveEvent {
  type: 'alert.opened' | 'alert.updated' | 'alert.resolved';
  incidentId: number;
  rootNodeId: string;
  state: IncidentState;
  title: string;
  severity: Severity;
  impactedNodeIds: string[];
}
