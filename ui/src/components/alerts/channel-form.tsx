// Create or edit a notification channel: its kind's config as a form generated from the kind's schema
// (GET /channel-types). Secret fields are write-only: the form says whether one is stored ("set" /
// "not set") and never fills it in; left empty, an update keeps the stored value.
import { useMemo, useState, type FormEvent } from 'react';
import { createChannel, updateChannel } from '../../api/channels';
import { ApiError, errorMessage } from '../../api/client';
import { buildChannelInput, channelDraft, channelFields, droppedSecrets, isSecretField, secretStates, type ChannelDraft } from '../../lib/alerts-channels';
import type { Channel, ChannelType } from '../../types/alerts';
import { Modal } from '../common/modal';
import { Input } from '../dashboard/source-form';

function configErrors(err: unknown): Record<string, string> {
  if (!(err instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const e of err.errors) {
    const path = typeof e.path === 'string' ? e.path : '';
    const key = path.startsWith('config.') ? path.slice('config.'.length).split('.')[0]! : path;
    if (key) out[key] = typeof e.message === 'string' ? e.message : 'invalid';
  }
  return out;
}

export function ChannelForm({ types, channel, onSaved, onClose }: {
  types: ChannelType[]; channel: Channel | null; onSaved(channel: Channel, dropped: string[]): void; onClose(): void;
}) {
  const [kind, setKind] = useState(channel?.kind ?? types[0]?.kind ?? '');
  const type = types.find((t) => t.kind === kind);
  const [draft, setDraft] = useState<ChannelDraft | null>(() => (type ? channelDraft(type, channel) : null));
  const fields = useMemo(() => (type ? channelFields(type, channel) : []), [type, channel]);
  const secrets = useMemo(() => new Map((type ? secretStates(type, channel) : []).map((s) => [s.key, s])), [type, channel]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const pickKind = (next: string) => {
    const t = types.find((x) => x.kind === next);
    setKind(next);
    setDraft(t ? { ...channelDraft(t, null), name: draft?.name ?? '', owners: draft?.owners ?? '' } : null);
    setErrors({});
  };
  const set = (patch: Partial<ChannelDraft>) => setDraft((d) => (d ? { ...d, ...patch } : d));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!type || !draft) return;
    const built = buildChannelInput(type, draft, channel);
    setErrors(built.errors);
    if (!built.input) return;
    setBusy(true);
    setServerError(null);
    try {
      const saved = channel ? await updateChannel(channel.id, built.input) : await createChannel(built.input);
      onSaved(saved, channel ? droppedSecrets(channel, saved, built.input) : []);
    } catch (err) {
      setErrors(configErrors(err));
      setServerError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={channel ? `Edit channel ${channel.name}` : 'New channel'} open onClose={onClose} wide
           footer={<>
             <button type="button" className="btn" onClick={onClose}>Cancel</button>
             <button type="submit" form="channel-form" className="btn btn-primary" disabled={busy || !draft}>{busy ? 'Saving…' : channel ? 'Save channel' : 'Create channel'}</button>
           </>}>
      <form id="channel-form" className="form" onSubmit={(e) => void submit(e)} noValidate data-testid="channel-form">
        <div className="form-grid-2">
          <div className="form-row">
            <label htmlFor="channel-name">Name<span className="req" aria-hidden="true"> *</span></label>
            <input id="channel-name" value={draft?.name ?? ''} onChange={(e) => set({ name: e.target.value })} aria-invalid={Boolean(errors.name)} autoFocus autoComplete="off" />
            {errors.name ? <p className="error-text">{errors.name}</p> : null}
          </div>
          <div className="form-row">
            <label htmlFor="channel-kind">Kind</label>
            <select id="channel-kind" value={kind} onChange={(e) => pickKind(e.target.value)} disabled={Boolean(channel)}>
              {types.map((t) => <option key={t.kind} value={t.kind}>{t.label}</option>)}
            </select>
          </div>
        </div>
        {draft ? (
          <>
            <h3>Configuration</h3>
            {fields.map((f) => {
              const secret = isSecretField(f) ? secrets.get(f.key) : undefined;
              return (
                <div key={f.key} className={secret ? 'secret-field' : undefined}>
                  {secret ? (
                    <p className={`secret-state ${secret.set ? 'is-set' : 'is-unset'}`} data-testid={`secret-${f.key}`}>
                      {f.label}: <strong>{secret.set ? 'set' : 'not set'}</strong>
                      <span className="muted">{secret.set ? ' — leave empty to keep it, type a new value to replace it' : ''}</span>
                    </p>
                  ) : null}
                  <Input field={f} value={draft.values[f.key] ?? ''} error={errors[f.key]}
                         onChange={(v) => set({ values: { ...draft.values, [f.key]: v }, touched: draft.touched.includes(f.key) ? draft.touched : [...draft.touched, f.key] })} />
                </div>
              );
            })}
            <h3>Routing</h3>
            <div className="form-row">
              <label htmlFor="channel-owners">Owners</label>
              <textarea id="channel-owners" rows={2} value={draft.owners} onChange={(e) => set({ owners: e.target.value })} placeholder="team:analytics" aria-describedby="channel-owners-help" />
              <p className="help" id="channel-owners-help">Owner names (from ownership facets), one a line: incidents impacting what they own are sent here too.</p>
            </div>
            <div className="form-grid-2">
              <div className="form-row">
                <label htmlFor="channel-rate">Rate limit (per minute)</label>
                <input id="channel-rate" type="number" min={1} max={10000} value={draft.rateLimitPerMinute} onChange={(e) => set({ rateLimitPerMinute: e.target.value })}
                       aria-invalid={Boolean(errors.rateLimitPerMinute)} />
                {errors.rateLimitPerMinute ? <p className="error-text">{errors.rateLimitPerMinute}</p> : null}
              </div>
              <div className="form-row form-row-check">
                <label htmlFor="channel-enabled"><input id="channel-enabled" type="checkbox" checked={draft.enabled} onChange={(e) => set({ enabled: e.target.checked })} /> Enabled</label>
              </div>
            </div>
          </>
        ) : <p className="muted">No channel kinds are registered.</p>}
        {serverError ? <p className="error-text" role="alert">{serverError}</p> : null}
      </form>
    </Modal>
  );
}
