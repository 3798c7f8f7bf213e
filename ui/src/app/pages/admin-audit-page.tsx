// Admin › Audit log: every write (who, via what, what, when, answer), newest first, filtered by actor and
// action, paged. The filters and the page live in the URL (/admin/audit?actor=&action=&offset=).
import { useState, type FormEvent } from 'react';
import { listAudit } from '../../api/audit';
import { AdminLayout } from '../../components/admin/admin-tabs';
import { Empty, ErrorBox, Spinner } from '../../components/common/feedback';
import { useAsync } from '../../hooks/use-async';
import { navigate } from '../../hooks/use-route';
import { intParam, pageWindow } from '../../lib/admin-forms';
import { formatDateTime, formatRelative } from '../../lib/format';

export const AUDIT_PAGE_SIZE = 50;

function auditSearch(actor: string, action: string, offset: number): string {
  const p = new URLSearchParams();
  if (actor) p.set('actor', actor);
  if (action) p.set('action', action);
  if (offset > 0) p.set('offset', String(offset));
  return p.toString();
}

function statusClass(status: number | null): string {
  if (status === null) return 'badge-unknown';
  if (status >= 500) return 'badge-failing';
  if (status >= 400) return 'badge-aborted';
  return 'badge-ok';
}

export function AdminAuditPage({ search }: { search: string }) {
  const params = new URLSearchParams(search);
  const actor = params.get('actor') ?? '';
  const action = params.get('action') ?? '';
  const offset = intParam(params.get('offset'), 0);
  const [actorInput, setActorInput] = useState(actor);
  const [actionInput, setActionInput] = useState(action);
  const list = useAsync((signal) => listAudit({ limit: AUDIT_PAGE_SIZE, offset, actor, action }, signal), [actor, action, offset]);

  const go = (nextActor: string, nextAction: string, nextOffset: number) =>
    navigate({ name: 'admin-audit', search: auditSearch(nextActor, nextAction, nextOffset) });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    go(actorInput.trim(), actionInput.trim(), 0);
  };
  const page = list.data ? pageWindow(list.data.total, offset, AUDIT_PAGE_SIZE, list.data.entries.length) : null;

  return (
    <AdminLayout current="admin-audit" title="Audit log" intro="Every change made through the API: who made it, with which credential, what it was and how the server answered.">
      <form className="filter-bar" role="search" aria-label="Filter the audit log" onSubmit={submit}>
        <div className="form-row">
          <label htmlFor="audit-actor">Actor</label>
          <input id="audit-actor" value={actorInput} onChange={(e) => setActorInput(e.target.value)} placeholder="any" autoComplete="off" />
        </div>
        <div className="form-row">
          <label htmlFor="audit-action">Action</label>
          <input id="audit-action" value={actionInput} onChange={(e) => setActionInput(e.target.value)} placeholder="any" autoComplete="off"
                 aria-describedby="audit-action-help" />
        </div>
        <button type="submit" className="btn btn-primary">Filter</button>
        <p id="audit-action-help" className="small muted filter-help">The actor matches exactly; the action exactly, or as a prefix when it ends in “.” (<code>apikeys.</code>).</p>
        {actor || action ? <button type="button" className="btn" onClick={() => { setActorInput(''); setActionInput(''); go('', '', 0); }}>Clear</button> : null}
      </form>
      {list.loading && !list.data ? <Spinner /> : null}
      {list.error ? <ErrorBox message={list.error} onRetry={list.reload} /> : null}
      {list.data && list.data.entries.length === 0 ? <Empty title="No entries">{actor || action ? 'Nothing matches these filters.' : 'Nothing has been changed yet.'}</Empty> : null}
      {list.data && list.data.entries.length > 0 ? (
        <table className="table table-compact" data-testid="audit-list">
          <thead><tr><th>When</th><th>Actor</th><th>Action</th><th>Target</th><th>Request</th><th>Status</th></tr></thead>
          <tbody>
            {list.data.entries.map((e) => (
              <tr key={e.id}>
                <td title={formatDateTime(e.at)} className="nowrap">{formatRelative(e.at)}</td>
                <td>{e.actor ?? <span className="muted">anonymous</span>}{e.via ? <div className="muted small">{e.via}</div> : null}</td>
                <td className="mono">{e.action}</td>
                <td className="audit-target">{e.target ?? <span className="muted">—</span>}</td>
                <td className="mono small audit-path">{[e.method, e.path].filter(Boolean).join(' ') || '—'}</td>
                <td><span className={`badge ${statusClass(e.status)}`}>{e.status ?? '—'}</span></td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {page && page.total > 0 ? (
        <nav className="pager" aria-label="Audit log pages">
          <span className="muted" role="status">{page.from}–{page.to} of {page.total}</span>
          <button type="button" className="btn btn-small" disabled={page.prevOffset === null} onClick={() => page.prevOffset !== null && go(actor, action, page.prevOffset)}>Previous</button>
          <button type="button" className="btn btn-small" disabled={page.nextOffset === null} onClick={() => page.nextOffset !== null && go(actor, action, page.nextOffset)}>Next</button>
        </nav>
      ) : null}
    </AdminLayout>
  );
}
