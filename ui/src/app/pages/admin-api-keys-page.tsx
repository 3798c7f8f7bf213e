// Admin › API keys: keys for producers and scripts (sent as `Authorization: Bearer <key>`). A new key is
// shown once, right after it is created; the server keeps only its hash. Revoking is immediate.
import { useState, type FormEvent } from 'react';
import { createApiKey, listApiKeys, revokeApiKey } from '../../api/api-keys';
import { errorMessage } from '../../api/client';
import { AdminLayout } from '../../components/admin/admin-tabs';
import { ConfirmDialog } from '../../components/common/confirm-dialog';
import { CopyBox } from '../../components/common/copy-box';
import { Empty, ErrorBox, Spinner } from '../../components/common/feedback';
import { Modal } from '../../components/common/modal';
import { useAsync } from '../../hooks/use-async';
import { parseNamespaces } from '../../lib/admin-forms';
import { formatDateTime, formatRelative } from '../../lib/format';
import { toast } from '../../store/toast-store';
import type { ApiKey, ApiKeyCreated, ApiKeyScope } from '../../types/auth';

const SCOPES: Array<[ApiKeyScope, string]> = [
  ['ingest', 'ingest: send OpenLineage events'],
  ['read', 'read: read lineage and the API'],
  ['admin', 'admin: everything an admin may do'],
];

function CreateKeyForm({ onCreated }: { onCreated(key: ApiKeyCreated): void }) {
  const [name, setName] = useState('');
  const [scope, setScope] = useState<ApiKeyScope>('ingest');
  const [namespaces, setNamespaces] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await createApiKey({ name: name.trim(), scope, namespaces: parseNamespaces(namespaces) });
      setName('');
      setNamespaces('');
      onCreated(created);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card admin-form" onSubmit={(e) => void submit(e)} aria-labelledby="create-key-title">
      <h2 id="create-key-title">Create an API key</h2>
      <div className="admin-form-fields">
        <div className="form-row">
          <label htmlFor="new-key-name">Name</label>
          <input id="new-key-name" value={name} onChange={(e) => setName(e.target.value)} required autoComplete="off" placeholder="airflow-prod" />
        </div>
        <div className="form-row">
          <label htmlFor="new-key-scope">Scope</label>
          <select id="new-key-scope" value={scope} onChange={(e) => setScope(e.target.value as ApiKeyScope)}>
            {SCOPES.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
          </select>
        </div>
        <div className="form-row admin-form-grow">
          <label htmlFor="new-key-namespaces">Namespaces</label>
          <input id="new-key-namespaces" value={namespaces} onChange={(e) => setNamespaces(e.target.value)} autoComplete="off"
                 placeholder="all namespaces" aria-describedby="new-key-namespaces-help" />
        </div>
        <button type="submit" className="btn btn-primary" disabled={busy}>{busy ? 'Creating…' : 'Create key'}</button>
      </div>
      <p id="new-key-namespaces-help" className="help small muted">Separate namespaces with commas or spaces. An ingest key limited to namespaces is refused events outside them; empty means all.</p>
      <div role="alert" className="error-text">{error}</div>
    </form>
  );
}

function NewKeyDialog({ created, onClose }: { created: ApiKeyCreated; onClose(): void }) {
  return (
    <Modal title={`API key “${created.name}” created`} open onClose={onClose} wide footer={
      <button type="button" className="btn btn-primary" onClick={onClose}>I have copied it</button>
    }>
      <p className="new-key-warning" data-testid="new-key-warning"><strong>Copy this key now: you will not see it again.</strong> LineageLens stores only a hash of it.</p>
      <CopyBox value={created.key} label="The new API key" />
      <p className="small muted">Send it as <code>Authorization: Bearer &lt;key&gt;</code> (OpenLineage clients: <code>transport.auth.type: api_key</code>).</p>
    </Modal>
  );
}

function keyState(k: ApiKey): { label: string; cls: string } {
  return k.revokedAt ? { label: 'revoked', cls: 'badge-failing' } : { label: 'active', cls: 'badge-ok' };
}

export function AdminApiKeysPage() {
  const list = useAsync((signal) => listApiKeys(signal), []);
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);

  return (
    <AdminLayout current="admin-api-keys" title="API keys" intro="Keys for producers and scripts, sent as Authorization: Bearer. Ingest keys send events, read keys read the API, admin keys do everything.">
      <CreateKeyForm onCreated={(k) => { setCreated(k); list.reload(); }} />
      {list.loading && !list.data ? <Spinner /> : null}
      {list.error ? <ErrorBox message={list.error} onRetry={list.reload} /> : null}
      {list.data && list.data.apiKeys.length === 0 ? <Empty title="No API keys yet">Create one above for each producer or script.</Empty> : null}
      {list.data && list.data.apiKeys.length > 0 ? (
        <table className="table" data-testid="api-key-list">
          <thead><tr><th>Name</th><th>Scope</th><th>Namespaces</th><th>Created</th><th>Last used</th><th>State</th><th><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {list.data.apiKeys.map((k) => {
              const state = keyState(k);
              return (
                <tr key={k.id} data-key-id={k.id} className={k.revokedAt ? 'is-revoked' : undefined}>
                  <td>{k.name}<div className="muted small mono">{k.id}</div></td>
                  <td>{k.scope}</td>
                  <td>{k.namespaces.length ? k.namespaces.join(', ') : <span className="muted">all</span>}</td>
                  <td title={formatDateTime(k.createdAt)}>{formatRelative(k.createdAt)}{k.createdBy ? <div className="muted small">by {k.createdBy}</div> : null}</td>
                  <td title={formatDateTime(k.lastUsedAt)}>{k.lastUsedAt ? formatRelative(k.lastUsedAt) : <span className="muted">never</span>}</td>
                  <td><span className={`badge ${state.cls}`} title={k.revokedAt ? `Revoked ${formatDateTime(k.revokedAt)}` : undefined}>{state.label}</span></td>
                  <td className="actions">
                    {k.revokedAt ? null : <button type="button" className="btn btn-small btn-danger" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>Revoke</button>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {created ? <NewKeyDialog created={created} onClose={() => setCreated(null)} /> : null}
      {revoking ? (
        <ConfirmDialog title="Revoke API key?" confirmLabel="Revoke key" onClose={() => setRevoking(null)} onConfirm={() => {
          const k = revoking;
          setRevoking(null);
          revokeApiKey(k.id).then(() => { toast.success(`Revoked ${k.name}`); list.reload(); }, (err: unknown) => toast.error(`Could not revoke ${k.name}: ${errorMessage(err)}`));
        }}>
          <p>Revoke <strong>{revoking.name}</strong> ({revoking.scope})? Everything using it is refused from now on. This cannot be undone.</p>
        </ConfirmDialog>
      ) : null}
    </AdminLayout>
  );
}
