// The alert-rule form as data: its fields come from the rule type's params schema and the scope schema
// (`GET /alert-rule-types`, rendered with lib/json-schema-form.ts), narrowed to what the type watches;
// a draft becomes the body of POST /alert-rules (and of the preview); the server's field errors map
// back onto the form. Plus the one-line summaries the rule list shows. Pure.
import type { JsonSchema } from '../types/api';
import type { AlertRule, AlertRuleInput, RulePreview, RuleScope, RuleSubject, RuleType, RuleTypeInfo, Severity } from '../types/alerts';
import { buildConfig, formFields, initialValues, type FormField } from './json-schema-form';

export const RULE_TYPE_INFO: Record<RuleType, { label: string; help: string }> = {
  job_failed: { label: 'Job failed', help: 'A run ends FAIL or ABORT. Resolves when the job’s next run completes.' },
  run_duration: { label: 'Run too long', help: 'A run takes longer than a fixed time, or than a factor × the p95 of its last runs.' },
  deadline: { label: 'Missed deadline', help: 'No run completed between two times of a cron schedule (in a time zone).' },
  freshness: { label: 'Dataset not fresh', help: 'No completed run wrote the dataset within the window (from the runs that write it; the data is never polled).' },
  source_unhealthy: { label: 'Source unhealthy', help: 'A source’s last N health checks all failed.' },
  schema_change: { label: 'Breaking schema change', help: 'A new dataset version removed a column or changed its type.' },
  dq_assertion: { label: 'Failed data-quality assertion', help: 'A run reports a failed assertion in the dataQualityAssertions facet.' },
  row_count: { label: 'Row count dropped', help: 'The output row count falls below a percentage of its median over the last runs.' },
};

export const SEVERITIES: readonly Severity[] = ['critical', 'error', 'warning', 'info'];

export const ruleTypeLabel = (type: string): string => RULE_TYPE_INFO[type as RuleType]?.label ?? type;

/** The scope keys that mean something for a rule watching `subject` (namespaces do not apply to sources). */
export function scopeKeysFor(subject: RuleSubject): Array<keyof RuleScope> {
  if (subject === 'source') return ['sources', 'owners'];
  return ['namespaces', subject === 'job' ? 'jobs' : 'datasets', 'owners'];
}

const SCOPE_HELP: Record<keyof RuleScope, string> = {
  namespaces: 'Glob patterns on the namespace (airflow, postgres://prod:*). Empty: any.',
  jobs: 'Glob patterns on job names (orders_*). Empty: any.',
  datasets: 'Glob patterns on dataset names (mart.*). Empty: any.',
  sources: 'Glob patterns on source names. Empty: any.',
  owners: 'Owner names from the ownership facet (team:analytics); any one matches. Empty: any owner or none.',
};

/** Scope fields for a subject, from the scope schema (string lists: one pattern a line). */
export function scopeFields(scopeSchema: JsonSchema, subject: RuleSubject): FormField[] {
  const keys = scopeKeysFor(subject);
  return formFields(scopeSchema)
    .filter((f) => (keys as string[]).includes(f.key))
    .sort((a, b) => keys.indexOf(a.key as keyof RuleScope) - keys.indexOf(b.key as keyof RuleScope))
    .map((f) => ({ ...f, required: false, description: f.description ?? SCOPE_HELP[f.key as keyof RuleScope] }));
}

export const paramFields = (info: RuleTypeInfo): FormField[] => formFields(info.paramsSchema);

export interface RuleDraft {
  name: string;
  type: RuleType;
  severity: Severity;
  enabled: boolean;
  params: Record<string, string | boolean>;
  scope: Record<string, string | boolean>;
  channelIds: string[];
}

export function ruleDraft(types: readonly RuleTypeInfo[], scopeSchema: JsonSchema, rule?: AlertRule | null): RuleDraft {
  const info = (rule && types.find((t) => t.type === rule.type)) ?? types[0];
  const type = info?.type ?? 'job_failed';
  return {
    name: rule?.name ?? '',
    type,
    severity: rule?.severity ?? 'error',
    enabled: rule?.enabled ?? true,
    params: info ? initialValues(paramFields(info), rule?.params ?? {}) : {},
    scope: initialValues(scopeFields(scopeSchema, info?.subject ?? 'job'), (rule?.scope ?? {}) as Record<string, unknown>),
    channelIds: rule?.channelIds ?? [],
  };
}

/** Switch the draft to another type: its params start over (they differ per type), the scope keeps the
 * patterns that still apply. */
export function changeType(draft: RuleDraft, types: readonly RuleTypeInfo[], scopeSchema: JsonSchema, type: RuleType): RuleDraft {
  const info = types.find((t) => t.type === type);
  if (!info) return draft;
  const scope = initialValues(scopeFields(scopeSchema, info.subject), {});
  for (const key of Object.keys(scope)) if (key in draft.scope) scope[key] = draft.scope[key]!;
  return { ...draft, type, params: initialValues(paramFields(info), {}), scope };
}

export interface RuleBuild {
  input: AlertRuleInput | null;
  /** Form errors by field: `name`, `params.<key>`, `scope.<key>`. */
  errors: Record<string, string>;
}

export function buildRuleInput(draft: RuleDraft, types: readonly RuleTypeInfo[], scopeSchema: JsonSchema): RuleBuild {
  const info = types.find((t) => t.type === draft.type);
  const errors: Record<string, string> = {};
  if (!draft.name.trim()) errors.name = 'Name is required';
  if (!info) return { input: null, errors: { ...errors, type: `Unknown rule type ${draft.type}` } };
  const params = buildConfig(paramFields(info), draft.params);
  const scopeBuilt = buildConfig(scopeFields(scopeSchema, info.subject), draft.scope);
  for (const [k, v] of Object.entries(params.errors)) errors[`params.${k}`] = v;
  for (const [k, v] of Object.entries(scopeBuilt.errors)) errors[`scope.${k}`] = v;
  if (Object.keys(errors).length > 0) return { input: null, errors };
  const scope: Partial<RuleScope> = {};
  for (const key of scopeKeysFor(info.subject)) scope[key] = (scopeBuilt.config[key] as string[] | undefined) ?? [];
  return {
    input: { name: draft.name.trim(), type: info.type, severity: draft.severity, enabled: draft.enabled, scope, params: params.config, channelIds: [...draft.channelIds] },
    errors,
  };
}

/** The server's `errors[]` (`{path, message}`: `name`, `params.maxSeconds`, `scope.jobs.0`) as form errors. */
export function serverFieldErrors(errors: ReadonlyArray<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors) {
    const path = typeof e.path === 'string' ? e.path : '';
    const message = typeof e.message === 'string' ? e.message : 'invalid';
    const parts = path.split('.');
    const key = parts[0] === 'params' || parts[0] === 'scope' ? parts.slice(0, 2).join('.') : parts[0] === 'channelIds' ? 'channelIds' : parts[0] || '$';
    out[key] = out[key] ? `${out[key]}; ${message}` : message;
  }
  return out;
}

const list = (xs: readonly string[]) => xs.join(', ');

/** "namespaces airflow · jobs orders_* · owners team:a", or "everything". */
export function scopeSummary(scope: Partial<RuleScope>): string {
  const parts = (['namespaces', 'jobs', 'datasets', 'sources', 'owners'] as const)
    .filter((k) => (scope[k]?.length ?? 0) > 0)
    .map((k) => `${k} ${list(scope[k]!)}`);
  return parts.length ? parts.join(' · ') : 'everything';
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The params in words: "over 600 s or 2 × p95 of the last 20 runs". */
export function paramsSummary(type: RuleType, params: Record<string, unknown>): string {
  switch (type) {
    case 'run_duration': {
      const parts: string[] = [];
      if (num(params.maxSeconds) !== null) parts.push(`over ${num(params.maxSeconds)} s`);
      if (num(params.p95Factor) !== null) parts.push(`over ${num(params.p95Factor)} × p95 of the last ${num(params.lastRuns) ?? 20} runs`);
      return parts.join(' or ');
    }
    case 'deadline':
      return `${String(params.cron ?? '')} (${String(params.timezone ?? 'UTC')})`;
    case 'freshness':
      return num(params.maxAgeMinutes) !== null ? `older than ${num(params.maxAgeMinutes)} min` : '';
    case 'source_unhealthy':
      return `${num(params.checks) ?? 3} failed checks in a row`;
    case 'row_count':
      return `below ${num(params.minPercent) ?? '?'} % of the median of the last ${num(params.lastRuns) ?? 10} runs`;
    default:
      return '';
  }
}

/** "Would have fired 4 times in the last 7 days (on 2 jobs)". */
export function previewText(preview: RulePreview, subject: RuleSubject): string {
  const times = preview.wouldFire === 1 ? 'once' : `${preview.wouldFire.toLocaleString('en-US')} times`;
  const head = preview.wouldFire === 0 ? `Would not have fired in the last ${preview.days} days` : `Would have fired ${times} in the last ${preview.days} days`;
  if (preview.wouldFire === 0) return head;
  return `${head} (on ${preview.nodes} ${subject}${preview.nodes === 1 ? '' : 's'})`;
}
