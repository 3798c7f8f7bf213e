// Create or edit an alert rule: name, type, severity, the type's params and the scope as forms generated
// from the schemas of GET /alert-rule-types, the channels to notify — and, while the form is filled in,
// "preview: would have fired N times in the last 7 days" from POST /alert-rules/preview.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { createRule, previewRule, updateRule } from '../../api/alerts';
import { ApiError, errorMessage } from '../../api/client';
import {
  buildRuleInput, changeType, paramFields, previewText, RULE_TYPE_INFO, ruleDraft, ruleTypeLabel, scopeFields, serverFieldErrors, SEVERITIES,
  type RuleDraft,
} from '../../lib/alerts-rules';
import { formatDateTime } from '../../lib/format';
import type { AlertRule, Channel, RulePreview, RuleType, RuleTypesResponse, Severity } from '../../types/alerts';
import { Modal } from '../common/modal';
import { Input } from '../dashboard/source-form';

const PREVIEW_DELAY_MS = 600;

function Preview({ state, subject }: { state: { preview: RulePreview | null; error: string | null; busy: boolean }; subject: string }) {
  if (state.error) return <p className="error-text" data-testid="rule-preview">Preview: {state.error}</p>;
  if (!state.preview) return <p className="muted" data-testid="rule-preview">{state.busy ? 'Preview: counting…' : 'Preview: fill in the rule to see how often it would have fired.'}</p>;
  const p = state.preview;
  return (
    <div className="rule-preview" data-testid="rule-preview" data-would-fire={p.wouldFire} aria-busy={state.busy}>
      <strong>Preview: {previewText(p, subject as 'job')}</strong>
      {p.firings.length > 0 ? (
        <ul className="rule-preview-list">
          {p.firings.slice(-5).reverse().map((f) => <li key={`${f.nodeId}@${f.at}`}><span className="muted nowrap">{formatDateTime(f.at)}</span> {f.title}</li>)}
        </ul>
      ) : null}
    </div>
  );
}

export function RuleForm({ types, channels, rule, onSaved, onClose }: {
  types: RuleTypesResponse; channels: Channel[]; rule: AlertRule | null; onSaved(rule: AlertRule): void; onClose(): void;
}) {
  const [draft, setDraft] = useState<RuleDraft>(() => ruleDraft(types.ruleTypes, types.scopeSchema, rule));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<{ preview: RulePreview | null; error: string | null; busy: boolean }>({ preview: null, error: null, busy: false });
  const info = types.ruleTypes.find((t) => t.type === draft.type) ?? types.ruleTypes[0];
  const pFields = useMemo(() => (info ? paramFields(info) : []), [info]);
  const sFields = useMemo(() => scopeFields(types.scopeSchema, info?.subject ?? 'job'), [types.scopeSchema, info]);
  const built = useMemo(() => buildRuleInput({ ...draft, name: draft.name || 'preview' }, types.ruleTypes, types.scopeSchema), [draft, types]);
  const previewKey = built.input ? JSON.stringify({ ...built.input, name: 'preview', channelIds: [] }) : '';

  // Preview what is typed, a moment after the last change (the previous request is cancelled).
  useEffect(() => {
    if (!previewKey) {
      setPreview({ preview: null, error: null, busy: false });
      return undefined;
    }
    const controller = new AbortController();
    setPreview((p) => ({ ...p, busy: true }));
    const timer = setTimeout(() => {
      previewRule(JSON.parse(previewKey) as Parameters<typeof previewRule>[0], controller.signal).then(
        (result) => setPreview({ preview: result, error: null, busy: false }),
        (err: unknown) => {
          if (controller.signal.aborted) return;
          setPreview({ preview: null, error: errorMessage(err), busy: false });
        },
      );
    }, PREVIEW_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [previewKey]);

  const set = (patch: Partial<RuleDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const result = buildRuleInput(draft, types.ruleTypes, types.scopeSchema);
    setErrors(result.errors);
    if (!result.input) return;
    setBusy(true);
    setServerError(null);
    try {
      onSaved(rule ? await updateRule(rule.id, result.input) : await createRule(result.input));
    } catch (err) {
      if (err instanceof ApiError && err.errors.length) setErrors(serverFieldErrors(err.errors));
      setServerError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={rule ? `Edit rule ${rule.name}` : 'New alert rule'} open onClose={onClose} wide
           footer={<>
             <button type="button" className="btn" onClick={onClose}>Cancel</button>
             <button type="submit" form="rule-form" className="btn btn-primary" disabled={busy}>{busy ? 'Saving…' : rule ? 'Save rule' : 'Create rule'}</button>
           </>}>
      <form id="rule-form" className="form" onSubmit={(e) => void submit(e)} noValidate data-testid="rule-form">
        <div className="form-row">
          <label htmlFor="rule-name">Name<span className="req" aria-hidden="true"> *</span></label>
          <input id="rule-name" value={draft.name} onChange={(e) => set({ name: e.target.value })} aria-invalid={Boolean(errors.name)} autoFocus autoComplete="off" />
          {errors.name ? <p className="error-text">{errors.name}</p> : null}
        </div>
        <div className="form-grid-2">
          <div className="form-row">
            <label htmlFor="rule-type">Type</label>
            <select id="rule-type" value={draft.type} onChange={(e) => setDraft((d) => changeType(d, types.ruleTypes, types.scopeSchema, e.target.value as RuleType))}
                    aria-describedby="rule-type-help">
              {types.ruleTypes.map((t) => <option key={t.type} value={t.type}>{ruleTypeLabel(t.type)} ({t.subject})</option>)}
            </select>
            <p className="help" id="rule-type-help">{RULE_TYPE_INFO[draft.type]?.help}{info?.timeDriven ? ' Checked on a schedule.' : ' Checked as events arrive.'}</p>
          </div>
          <div className="form-row">
            <label htmlFor="rule-severity">Severity</label>
            <select id="rule-severity" value={draft.severity} onChange={(e) => set({ severity: e.target.value as Severity })}>
              {(types.severities.length ? types.severities : SEVERITIES).map((s) => <option key={s} value={s}>{s}</option>)}
            </select>
          </div>
        </div>
        <div className="form-row form-row-check">
          <label htmlFor="rule-enabled"><input id="rule-enabled" type="checkbox" checked={draft.enabled} onChange={(e) => set({ enabled: e.target.checked })} /> Enabled</label>
        </div>
        {pFields.length > 0 ? <h3>Parameters</h3> : null}
        {pFields.map((f) => (
          <Input key={`p-${f.key}`} field={f} value={draft.params[f.key] ?? ''} error={errors[`params.${f.key}`]}
                 onChange={(v) => setDraft((d) => ({ ...d, params: { ...d.params, [f.key]: v } }))} />
        ))}
        {errors.params ? <p className="error-text">{errors.params}</p> : null}
        <h3>Scope</h3>
        {sFields.map((f) => (
          <Input key={`s-${f.key}`} field={f} value={draft.scope[f.key] ?? ''} error={errors[`scope.${f.key}`]}
                 onChange={(v) => setDraft((d) => ({ ...d, scope: { ...d.scope, [f.key]: v } }))} />
        ))}
        <fieldset className="form-row rule-channels">
          <legend>Notify these channels</legend>
          {channels.length === 0 ? <p className="muted">No channels yet (owners’ channels are told anyway).</p> : channels.map((c) => (
            <label key={c.id} className="check-line">
              <input type="checkbox" checked={draft.channelIds.includes(c.id)}
                     onChange={(e) => set({ channelIds: e.target.checked ? [...draft.channelIds, c.id] : draft.channelIds.filter((x) => x !== c.id) })} />
              {' '}{c.name} <span className="muted">{c.kind}{c.enabled ? '' : ' · disabled'}</span>
            </label>
          ))}
          {errors.channelIds ? <p className="error-text">{errors.channelIds}</p> : null}
        </fieldset>
        <Preview state={preview} subject={info?.subject ?? 'node'} />
        {serverError ? <p className="error-text" role="alert">{serverError}</p> : null}
      </form>
    </Modal>
  );
}
