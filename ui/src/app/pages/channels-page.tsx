// Alerts › Channels: where notifications go (Slack, Teams, e-mail, PagerDuty, a signed webhook, or a
// plugin's kind). Editors create and edit them (secrets write-only: "set" / "not set"), send a test
// message and see what came of it, and delete them; viewers read them (never a secret).
import { useState } from 'react';
import { deleteChannel, listChannels, listChannelTypes, testChannel } from '../../api/channels';
import { errorMessage } from '../../api/client';
import { AlertsLayout } from '../../components/alerts/alerts-layout';
import { ChannelForm } from '../../components/alerts/channel-form';
import { ConfirmDialog } from '../../components/common/confirm-dialog';
import { Empty, ErrorBox, Spinner } from '../../components/common/feedback';
import { useAsync } from '../../hooks/use-async';
import { useCanEdit } from '../../hooks/use-can-edit';
import { secretStates, testResultText } from '../../lib/alerts-channels';
import { toast } from '../../store/toast-store';
import type { Channel, ChannelTestResult } from '../../types/alerts';

type TestState = { busy: true } | { busy: false; result: ChannelTestResult };

export function ChannelsPage() {
  const canEdit = useCanEdit();
  const channels = useAsync((signal) => listChannels({}, signal), []);
  const types = useAsync((signal) => listChannelTypes(signal), []);
  const [editing, setEditing] = useState<Channel | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Channel | null>(null);
  const [tests, setTests] = useState<Record<string, TestState>>({});
  const typeOf = (kind: string) => types.data?.channelTypes.find((t) => t.kind === kind);

  const sendTest = async (c: Channel) => {
    setTests((t) => ({ ...t, [c.id]: { busy: true } }));
    let result: ChannelTestResult;
    try {
      result = await testChannel(c.id);
    } catch (err) {
      result = { ok: false, message: errorMessage(err), responseStatus: null };
    }
    setTests((t) => ({ ...t, [c.id]: { busy: false, result } }));
  };
  const remove = async (c: Channel) => {
    setDeleting(null);
    try {
      await deleteChannel(c.id);
      toast.success(`Channel ${c.name} deleted`);
      channels.reload();
    } catch (err) {
      toast.error(errorMessage(err));
    }
  };

  return (
    <AlertsLayout current="alert-channels" title="Notification channels"
                  intro="Where incidents are sent: a rule's channels, and every channel whose owners own the root or an impacted node."
                  actions={canEdit ? <button type="button" className="btn btn-primary" disabled={!types.data} onClick={() => setEditing('new')}>New channel</button> : null}>
      {channels.loading && !channels.data ? <Spinner /> : channels.error ? <ErrorBox title="Could not load the channels" message={channels.error} onRetry={channels.reload} /> : (channels.data?.channels.length ?? 0) === 0 ? (
        <Empty title="No channels yet">{canEdit ? 'Add Slack, Teams, e-mail, PagerDuty or a webhook.' : 'An editor can add them.'}</Empty>
      ) : (
        <table className="table" data-testid="channel-list">
          <thead><tr><th>Name</th><th>Kind</th><th>Settings</th><th>Secrets</th><th>Owners</th><th>Enabled</th>{canEdit ? <th><span className="sr-only">Actions</span></th> : null}</tr></thead>
          <tbody>
            {channels.data!.channels.map((c) => {
              const type = typeOf(c.kind);
              const test = tests[c.id];
              return (
                <tr key={c.id} data-channel-id={c.id} className={c.enabled ? undefined : 'is-disabled'}>
                  <td><strong>{c.name}</strong><div className="muted small">{c.rateLimitPerMinute}/min</div></td>
                  <td>{type?.label ?? c.kind}</td>
                  <td className="small mono channel-config">{Object.entries(c.config).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`).join('\n') || '—'}</td>
                  <td className="small">
                    {type ? secretStates(type, c).map((s) => (
                      <div key={s.key} className={`secret-state ${s.set ? 'is-set' : 'is-unset'}`}>{s.label}: <strong>{s.set ? 'set' : 'not set'}</strong></div>
                    )) : null}
                  </td>
                  <td className="small">{c.owners.length ? c.owners.join(', ') : <span className="muted">—</span>}</td>
                  <td>{c.enabled ? 'on' : 'off'}</td>
                  {canEdit ? (
                    <td className="row-actions">
                      <button type="button" className="btn btn-small" disabled={test?.busy === true} onClick={() => void sendTest(c)}>{test?.busy ? 'Sending…' : 'Send test'}</button>
                      <button type="button" className="btn btn-small" disabled={!type} onClick={() => setEditing(c)}>Edit</button>
                      <button type="button" className="btn btn-small btn-ghost" onClick={() => setDeleting(c)}>Delete</button>
                      {test && !test.busy ? (
                        <p className={`test-result ${test.result.ok ? 'is-ok' : 'is-failed'}`} role="status" data-testid="channel-test-result">{testResultText(test.result)}</p>
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {editing && types.data ? (
        <ChannelForm types={types.data.channelTypes} channel={editing === 'new' ? null : editing} onClose={() => setEditing(null)}
                     onSaved={(saved, dropped) => {
                       setEditing(null);
                       if (dropped.length) toast.info(`Channel ${saved.name} saved. It points elsewhere now, so its stored ${dropped.join(', ')} ${dropped.length === 1 ? 'was' : 'were'} dropped: enter ${dropped.length === 1 ? 'it' : 'them'} again.`);
                       else toast.success(`Channel ${saved.name} saved`);
                       channels.reload();
                     }} />
      ) : null}
      {deleting ? (
        <ConfirmDialog title="Delete this channel?" confirmLabel="Delete channel" onClose={() => setDeleting(null)} onConfirm={() => void remove(deleting)}>
          <p>The channel <strong>{deleting.name}</strong> is taken out of every rule. Its delivery log stays.</p>
        </ConfirmDialog>
      ) : null}
    </AlertsLayout>
  );
}
