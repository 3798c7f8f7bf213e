// Alerts › Rules: what to watch and whom to tell. Editors create, edit (a form from the rule type's
// schema with a live preview), enable/disable and delete rules; viewers read them.
import { useState } from 'react';
import { deleteRule, listRules, listRuleTypes, updateRule } from '../../api/alerts';
import { listChannels } from '../../api/channels';
import { errorMessage } from '../../api/client';
import { AlertsLayout, SeverityBadge } from '../../components/alerts/alerts-layout';
import { RuleForm } from '../../components/alerts/rule-form';
import { ConfirmDialog } from '../../components/common/confirm-dialog';
import { Empty, ErrorBox, Spinner } from '../../components/common/feedback';
import { Link } from '../../components/common/link';
import { useAsync } from '../../hooks/use-async';
import { useCanEdit } from '../../hooks/use-can-edit';
import { paramsSummary, ruleTypeLabel, scopeSummary } from '../../lib/alerts-rules';
import { toast } from '../../store/toast-store';
import type { AlertRule } from '../../types/alerts';

export function AlertsRulesPage() {
  const canEdit = useCanEdit();
  const rules = useAsync((signal) => listRules({}, signal), []);
  const types = useAsync((signal) => listRuleTypes(signal), []);
  const channels = useAsync((signal) => listChannels({}, signal), []);
  const [editing, setEditing] = useState<AlertRule | 'new' | null>(null);
  const [deleting, setDeleting] = useState<AlertRule | null>(null);
  const channelNames = new Map((channels.data?.channels ?? []).map((c) => [c.id, c.name]));

  const toggle = async (rule: AlertRule) => {
    try {
      await updateRule(rule.id, { enabled: !rule.enabled });
      rules.reload();
    } catch (err) {
      toast.error(errorMessage(err));
    }
  };
  const remove = async (rule: AlertRule) => {
    setDeleting(null);
    try {
      await deleteRule(rule.id);
      toast.success(`Rule ${rule.name} deleted`);
      rules.reload();
    } catch (err) {
      toast.error(errorMessage(err));
    }
  };

  const ready = types.data && channels.data;
  return (
    <AlertsLayout current="alert-rules" title="Alert rules"
                  intro="Each rule watches jobs, datasets or sources (scoped by namespace, name patterns or owner) and opens an incident on the root cause when it fires."
                  actions={canEdit ? <button type="button" className="btn btn-primary" disabled={!ready} onClick={() => setEditing('new')}>New rule</button> : null}>
      {rules.loading && !rules.data ? <Spinner /> : rules.error ? <ErrorBox title="Could not load the rules" message={rules.error} onRetry={rules.reload} /> : (rules.data?.rules.length ?? 0) === 0 ? (
        <Empty title="No alert rules yet">{canEdit ? 'Create one: a job failing, a run too long, a missed deadline, a stale dataset…' : 'An editor can create them.'}</Empty>
      ) : (
        <table className="table" data-testid="rule-list">
          <thead><tr><th>Name</th><th>Type</th><th>Severity</th><th>Watches</th><th>Channels</th><th>Enabled</th>{canEdit ? <th><span className="sr-only">Actions</span></th> : null}</tr></thead>
          <tbody>
            {rules.data!.rules.map((r) => (
              <tr key={r.id} data-rule-id={r.id} className={r.enabled ? undefined : 'is-disabled'}>
                <td><strong>{r.name}</strong><div className="muted small"><Link to={{ name: 'incidents', search: 'state=all' }}>incidents</Link></div></td>
                <td>{ruleTypeLabel(r.type)}<div className="muted small">{paramsSummary(r.type, r.params)}</div></td>
                <td><SeverityBadge severity={r.severity} /></td>
                <td className="small">{scopeSummary(r.scope)}</td>
                <td className="small">{r.channelIds.length ? r.channelIds.map((c) => channelNames.get(c) ?? c.slice(0, 8)).join(', ') : <span className="muted">owners only</span>}</td>
                <td>
                  {canEdit ? (
                    <label className="switch-line"><input type="checkbox" checked={r.enabled} onChange={() => void toggle(r)} aria-label={`Enable ${r.name}`} /> {r.enabled ? 'on' : 'off'}</label>
                  ) : r.enabled ? 'on' : 'off'}
                </td>
                {canEdit ? (
                  <td className="row-actions">
                    <button type="button" className="btn btn-small" disabled={!ready} onClick={() => setEditing(r)}>Edit</button>
                    <button type="button" className="btn btn-small btn-ghost" onClick={() => setDeleting(r)}>Delete</button>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {types.error ? <p className="error-text">Rule types: {types.error}</p> : null}
      {editing && types.data && channels.data ? (
        <RuleForm types={types.data} channels={channels.data.channels} rule={editing === 'new' ? null : editing}
                  onClose={() => setEditing(null)}
                  onSaved={(saved) => {
                    setEditing(null);
                    toast.success(`Rule ${saved.name} saved`);
                    rules.reload();
                  }} />
      ) : null}
      {deleting ? (
        <ConfirmDialog title="Delete this rule?" confirmLabel="Delete rule" onClose={() => setDeleting(null)} onConfirm={() => void remove(deleting)}>
          <p>The rule <strong>{deleting.name}</strong> stops watching. Its incidents stay.</p>
        </ConfirmDialog>
      ) : null}
    </AlertsLayout>
  );
}
