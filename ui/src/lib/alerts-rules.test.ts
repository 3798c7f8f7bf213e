import { describe, expect, it } from 'vitest';
import type { AlertRule, RuleTypesResponse } from '../types/alerts';
import { buildRuleInput, changeType, paramsSummary, previewText, ruleDraft, scopeFields, scopeSummary, serverFieldErrors } from './alerts-rules';

// What GET /alert-rule-types answers (receiver/api/alert_rules.py), trimmed to three types.
const TYPES: RuleTypesResponse = {
  ruleTypes: [
    { type: 'job_failed', subject: 'job', timeDriven: false, paramsSchema: { type: 'object', properties: {}, required: [] } },
    { type: 'run_duration', subject: 'job', timeDriven: false, paramsSchema: { type: 'object', required: [], properties: {
      maxSeconds: { type: 'number', minimum: 0 }, p95Factor: { type: 'number', minimum: 0 },
      lastRuns: { type: 'integer', minimum: 2, maximum: 1000 }, minRuns: { type: 'integer', minimum: 1, maximum: 1000 } } } },
    { type: 'freshness', subject: 'dataset', timeDriven: true, paramsSchema: { type: 'object', required: ['maxAgeMinutes'], properties: {
      maxAgeMinutes: { type: 'number', minimum: 0 } } } },
    { type: 'source_unhealthy', subject: 'source', timeDriven: true, paramsSchema: { type: 'object', required: [], properties: {
      checks: { type: 'integer', minimum: 1, maximum: 100 } } } },
  ],
  scopeSchema: { type: 'object', required: [], properties: Object.fromEntries(['namespaces', 'jobs', 'datasets', 'sources', 'owners']
    .map((k) => [k, { type: 'array', items: { type: 'string' } }])) },
  severities: ['critical', 'error', 'warning', 'info'],
};

describe('rule form', () => {
  it('shows only the scope keys that apply to what the rule watches', () => {
    expect(scopeFields(TYPES.scopeSchema, 'job').map((f) => f.key)).toEqual(['namespaces', 'jobs', 'owners']);
    expect(scopeFields(TYPES.scopeSchema, 'dataset').map((f) => f.key)).toEqual(['namespaces', 'datasets', 'owners']);
    expect(scopeFields(TYPES.scopeSchema, 'source').map((f) => f.key)).toEqual(['sources', 'owners']);
    expect(scopeFields(TYPES.scopeSchema, 'job').every((f) => f.widget === 'list' && !f.required)).toBe(true);
  });

  it('builds a rule body from a draft: params typed by the schema, scope lists split per line', () => {
    let draft = ruleDraft(TYPES.ruleTypes, TYPES.scopeSchema);
    expect(draft.type).toBe('job_failed');
    draft = changeType({ ...draft, name: ' slow orders ', scope: { ...draft.scope, jobs: 'orders_*\nrefunds' } }, TYPES.ruleTypes, TYPES.scopeSchema, 'run_duration');
    draft = { ...draft, params: { ...draft.params, maxSeconds: '600', lastRuns: '20' }, channelIds: ['c1'] };
    const { input, errors } = buildRuleInput(draft, TYPES.ruleTypes, TYPES.scopeSchema);
    expect(errors).toEqual({});
    expect(input).toEqual({
      name: 'slow orders', type: 'run_duration', severity: 'error', enabled: true, channelIds: ['c1'],
      params: { maxSeconds: 600, lastRuns: 20 }, scope: { namespaces: [], jobs: ['orders_*', 'refunds'], owners: [] },
    });
  });

  it('keeps the scope patterns that still apply when the type changes, and drops the others', () => {
    const draft = { ...ruleDraft(TYPES.ruleTypes, TYPES.scopeSchema), scope: { namespaces: 'airflow', jobs: 'etl_*', owners: 'team:a' } };
    const toDataset = changeType(draft, TYPES.ruleTypes, TYPES.scopeSchema, 'freshness');
    expect(toDataset.scope).toEqual({ namespaces: 'airflow', datasets: '', owners: 'team:a' });
    expect(toDataset.params).toEqual({ maxAgeMinutes: '' });
    const toSource = changeType(draft, TYPES.ruleTypes, TYPES.scopeSchema, 'source_unhealthy');
    expect(buildRuleInput({ ...toSource, name: 'x' }, TYPES.ruleTypes, TYPES.scopeSchema).input?.scope).toEqual({ sources: [], owners: ['team:a'] });
  });

  it('refuses a draft without a name or with params out of the schema', () => {
    const draft = changeType(ruleDraft(TYPES.ruleTypes, TYPES.scopeSchema), TYPES.ruleTypes, TYPES.scopeSchema, 'freshness');
    expect(buildRuleInput(draft, TYPES.ruleTypes, TYPES.scopeSchema)).toEqual({
      input: null, errors: { name: 'Name is required', 'params.maxAgeMinutes': 'Max Age Minutes is required' },
    });
    const bad = { ...draft, name: 'n', params: { maxAgeMinutes: '-5' } };
    expect(buildRuleInput(bad, TYPES.ruleTypes, TYPES.scopeSchema).errors).toEqual({ 'params.maxAgeMinutes': 'Max Age Minutes must be at least 0' });
  });

  it('fills the form from a stored rule', () => {
    const rule: AlertRule = {
      id: 'r1', name: 'stale mart', type: 'freshness', enabled: false, severity: 'warning', channelIds: ['c2'], createdAt: null, updatedAt: null,
      scope: { namespaces: ['pg'], jobs: [], datasets: ['mart.*', 'x'], sources: [], owners: [] }, params: { maxAgeMinutes: 90 },
    };
    const draft = ruleDraft(TYPES.ruleTypes, TYPES.scopeSchema, rule);
    expect(draft).toMatchObject({ name: 'stale mart', type: 'freshness', severity: 'warning', enabled: false, channelIds: ['c2'],
      params: { maxAgeMinutes: '90' }, scope: { namespaces: 'pg', datasets: 'mart.*\nx', owners: '' } });
    expect(buildRuleInput(draft, TYPES.ruleTypes, TYPES.scopeSchema).input?.params).toEqual({ maxAgeMinutes: 90 });
  });

  it('maps the server errors onto the form fields', () => {
    expect(serverFieldErrors([
      { path: 'params.maxSeconds', message: 'give maxSeconds, p95Factor or both' },
      { path: 'scope.jobs.0', message: 'Shorter than minimum length 1.' },
      { path: 'channelIds', message: "no channel 'x'" },
      { path: 'name', message: 'Missing data for required field.' },
    ])).toEqual({
      'params.maxSeconds': 'give maxSeconds, p95Factor or both', 'scope.jobs': 'Shorter than minimum length 1.',
      channelIds: "no channel 'x'", name: 'Missing data for required field.',
    });
  });
});

describe('rule summaries', () => {
  it('says what a rule watches and how', () => {
    expect(scopeSummary({ namespaces: ['airflow'], jobs: ['orders_*', 'x'], owners: [] })).toBe('namespaces airflow · jobs orders_*, x');
    expect(scopeSummary({})).toBe('everything');
    expect(paramsSummary('run_duration', { maxSeconds: 600, p95Factor: 2, lastRuns: 20 })).toBe('over 600 s or over 2 × p95 of the last 20 runs');
    expect(paramsSummary('deadline', { cron: '0 7 * * *', timezone: 'Europe/Paris' })).toBe('0 7 * * * (Europe/Paris)');
    expect(paramsSummary('job_failed', {})).toBe('');
  });

  it('words the preview', () => {
    const base = { days: 7, from: '', to: '', firings: [] };
    expect(previewText({ ...base, wouldFire: 4, nodes: 2 }, 'job')).toBe('Would have fired 4 times in the last 7 days (on 2 jobs)');
    expect(previewText({ ...base, wouldFire: 1, nodes: 1 }, 'dataset')).toBe('Would have fired once in the last 7 days (on 1 dataset)');
    expect(previewText({ ...base, wouldFire: 0, nodes: 0 }, 'job')).toBe('Would not have fired in the last 7 days');
  });
});
