// Identity: one node per real table. Likely duplicates grouped with their reasons and a "merge into" action
// (editors), every identity rule with its origin, state and progress (console merges can be undone), and the
// external sources (datasets no job writes). Merges and undos run in the background: the page polls while one
// is moving.
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../../api/client';
import { createMerge, listCandidates, listExternal, listRules, undoMerge } from '../../api/identity';
import type { CandidateGroup, DatasetName, IdentityRule } from '../../api/identity';
import { ConfirmDialog } from '../../components/common/confirm-dialog';
import { Empty, ErrorBox, Spinner } from '../../components/common/feedback';
import { Link } from '../../components/common/link';
import { Modal } from '../../components/common/modal';
import { useAsync } from '../../hooks/use-async';
import { useCanEdit } from '../../hooks/use-can-edit';
import { formatDateTime, formatRelative } from '../../lib/format';
import { canUndo, isBusy, mergePlan, ORIGIN_LABELS, reasonLabel, sortRules, stateText, suggestCanonical } from '../../lib/identity';
import { toast } from '../../store/toast-store';

const POLL_MS = 1500;

function DatasetLink({ d }: { d: DatasetName }) {
  return (
    <Link to={{ name: 'dataset', namespace: d.namespace, dataset: d.name }} title={d.nodeId}>
      <span className="muted">{d.namespace}</span> <strong>{d.name}</strong>
    </Link>
  );
}

function MergeDialog({ group, onClose, onDone }: { group: CandidateGroup; onClose(): void; onDone(): void }) {
  const [canonical, setCanonical] = useState(suggestCanonical(group)?.nodeId ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const plan = mergePlan(group, canonical);
  const submit = async () => {
    setBusy(true);
    setError(null);
    const failed: string[] = [];
    for (const step of plan) {
      try {
        await createMerge(step.alias, step.canonical);
      } catch (err) {
        failed.push(`${step.alias.namespace} ${step.alias.name}: ${errorMessage(err)}`);
      }
    }
    setBusy(false);
    if (failed.length) {
      setError(failed.join('\n'));
      if (failed.length < plan.length) onDone();
      return;
    }
    toast.success(`${plan.length} merge${plan.length === 1 ? '' : 's'} stored; applying in the background`);
    onDone();
    onClose();
  };
  return (
    <Modal title="Merge into one dataset" open onClose={onClose} footer={<>
      <button type="button" className="btn" onClick={onClose}>Cancel</button>
      <button type="submit" form="identity-merge-form" className="btn btn-primary" disabled={busy || plan.length === 0}>{busy ? 'Merging…' : 'Merge'}</button>
    </>}>
      <form id="identity-merge-form" className="form" data-testid="identity-merge-form" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <fieldset>
          <legend>Merge into (the canonical name)</legend>
          {group.datasets.map((d) => (
            <div key={d.nodeId} className="form-row">
              <label>
                <input type="radio" name="canonical" value={d.nodeId} checked={canonical === d.nodeId} onChange={() => setCanonical(d.nodeId)} />{' '}
                <span className="mono small">{d.namespace} {d.name}</span>
              </label>
            </div>
          ))}
        </fieldset>
        <p className="muted small">
          The other {plan.length === 1 ? 'name becomes an alias' : `${plan.length} names become aliases`}: their nodes fold into the
          canonical one while the event log is re-projected in the background. Undo splits them again.
        </p>
        {error ? <p className="error-text" style={{ whiteSpace: 'pre-line' }}>{error}</p> : null}
      </form>
    </Modal>
  );
}

function CandidatesSection({ canEdit, settled, onMerged }: { canEdit: boolean; settled: number; onMerged(): void }) {
  const candidates = useAsync((signal) => listCandidates({}, signal), [settled]);
  const [merging, setMerging] = useState<CandidateGroup | null>(null);
  return (
    <section className="card" data-testid="identity-candidates">
      <h2>Likely duplicates</h2>
      {candidates.loading && !candidates.data ? <Spinner /> : candidates.error ? <ErrorBox title="Could not load the candidates" message={candidates.error} onRetry={candidates.reload} /> : (candidates.data?.groups.length ?? 0) === 0 ? (
        <Empty title="No likely duplicates">Every dataset has a name of its own.</Empty>
      ) : (
        <table className="table">
          <thead><tr><th>Datasets</th><th>Why</th>{canEdit ? <th><span className="sr-only">Actions</span></th> : null}</tr></thead>
          <tbody>
            {candidates.data!.groups.map((g) => (
              <tr key={g.id} data-group-id={g.id}>
                <td>{g.datasets.map((d) => <div key={d.nodeId}><DatasetLink d={d} /></div>)}</td>
                <td>{g.reasons.map((r) => <div key={r.kind}><span className="chip">{reasonLabel(r.kind)}</span> <span className="muted small">{r.detail}</span></div>)}</td>
                {canEdit ? <td className="row-actions"><button type="button" className="btn btn-small" onClick={() => setMerging(g)}>Merge into…</button></td> : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {merging ? <MergeDialog group={merging} onClose={() => setMerging(null)} onDone={() => { candidates.reload(); onMerged(); }} /> : null}
    </section>
  );
}

function RulesSection({ canEdit, version, onSettled }: { canEdit: boolean; version: number; onSettled(): void }) {
  const rules = useAsync((signal) => listRules({}, signal), [version]);
  const [undoing, setUndoing] = useState<IdentityRule | null>(null);
  const moving = rules.data?.rules.some(isBusy) ?? false;
  const { reload } = rules;
  useEffect(() => {
    if (!moving) return undefined;
    const timer = window.setTimeout(reload, POLL_MS);
    return () => window.clearTimeout(timer);
  }, [moving, rules.data, reload]);
  // When the last moving rule settles, the datasets changed: the candidates and external sources are read again.
  // A write of this page counts as moving too: the background run may be over before the list is read again.
  const wasMoving = useRef(false);
  useEffect(() => {
    if (version > 0) wasMoving.current = true;
  }, [version]);
  useEffect(() => {
    if (!rules.data) return;
    if (wasMoving.current && !moving) onSettled();
    wasMoving.current = moving;
  }, [moving, rules.data, onSettled]);
  const undo = async (rule: IdentityRule) => {
    setUndoing(null);
    try {
      await undoMerge(rule.id!);
      toast.success('Undo stored; splitting the names in the background');
      wasMoving.current = true;
      reload();
    } catch (err) {
      toast.error(errorMessage(err));
    }
  };
  return (
    <section className="card" data-testid="identity-rules">
      <h2>Identity rules</h2>
      {rules.loading && !rules.data ? <Spinner /> : rules.error ? <ErrorBox title="Could not load the rules" message={rules.error} onRetry={reload} /> : (rules.data?.rules.length ?? 0) === 0 ? (
        <Empty title="No identity rules">Merge two names above, or send symlinks facets.</Empty>
      ) : (
        <table className="table">
          <thead><tr><th>Origin</th><th>Alias</th><th>Canonical</th><th>State</th><th>By</th>{canEdit ? <th><span className="sr-only">Actions</span></th> : null}</tr></thead>
          <tbody>
            {sortRules(rules.data!.rules).map((r, i) => (
              <tr key={r.id ?? `${r.origin}-${i}`} data-rule-id={r.id ?? undefined} data-origin={r.origin} className={r.state === 'undone' ? 'is-disabled' : undefined}>
                <td><span className="chip">{ORIGIN_LABELS[r.origin]}</span>{r.plugin ? <div className="mono small">{r.plugin}</div> : null}</td>
                {r.origin === 'plugin' ? (
                  <td colSpan={2} className="muted small">{r.description || 'Naming rules in code, applied at ingest.'}</td>
                ) : (<>
                  <td>{r.alias ? <DatasetLink d={r.alias} /> : '—'}</td>
                  <td>{r.canonical ? <DatasetLink d={r.canonical} /> : '—'}</td>
                </>)}
                <td data-testid="rule-state">
                  {stateText(r)}
                  {r.state === 'applying' || r.state === 'undoing' ? <div><progress max={1} value={r.progress} aria-label="Progress" /></div> : null}
                </td>
                <td className="small">{r.createdBy ? <span title={formatDateTime(r.createdAt)}>{r.createdBy}, {formatRelative(r.createdAt)}</span> : <span className="muted">—</span>}</td>
                {canEdit ? <td className="row-actions">{canUndo(r) ? <button type="button" className="btn btn-small" onClick={() => setUndoing(r)}>Undo</button> : null}</td> : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {undoing ? (
        <ConfirmDialog title="Undo this merge?" confirmLabel="Undo merge" onClose={() => setUndoing(null)} onConfirm={() => void undo(undoing)}>
          <p><strong>{undoing.alias?.namespace} {undoing.alias?.name}</strong> becomes a dataset of its own again; the event log is re-projected in the background.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

function ExternalSection({ settled }: { settled: number }) {
  const external = useAsync((signal) => listExternal({}, signal), [settled]);
  return (
    <section className="card" data-testid="identity-external">
      <h2>External sources</h2>
      <p className="muted small">Datasets no job writes: data that comes from outside the observed pipelines.</p>
      {external.loading && !external.data ? <Spinner /> : external.error ? <ErrorBox title="Could not load the external sources" message={external.error} onRetry={external.reload} /> : (external.data?.datasets.length ?? 0) === 0 ? (
        <Empty title="No external sources">Every dataset is written by a job.</Empty>
      ) : (
        <table className="table">
          <thead><tr><th>Dataset</th><th>Read by</th><th>Last seen</th></tr></thead>
          <tbody>
            {external.data!.datasets.map((d) => (
              <tr key={d.nodeId}>
                <td><DatasetLink d={d} /></td>
                <td>{d.readers} {d.readers === 1 ? 'job' : 'jobs'}</td>
                <td title={formatDateTime(d.lastSeen)}>{formatRelative(d.lastSeen)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {external.data && external.data.totalCount > external.data.datasets.length ? (
        <p className="muted small">Showing {external.data.datasets.length} of {external.data.totalCount}.</p>
      ) : null}
    </section>
  );
}

export function IdentityPage() {
  const canEdit = useCanEdit();
  const [version, setVersion] = useState(0);
  const [settled, setSettled] = useState(0);
  const onSettled = useCallback(() => setSettled((v) => v + 1), []);
  return (
    <div className="page" data-testid="identity-page">
      <header className="page-head page-head-plain">
        <div>
          <h1>Identity</h1>
          <p className="muted">One node per real table: names that probably mean the same dataset, the rules that fold them together, and the sources nobody produces.</p>
        </div>
      </header>
      {canEdit ? null : <p className="muted small read-only-note">You can view identity rules; merging needs the editor role.</p>}
      <CandidatesSection canEdit={canEdit} settled={settled} onMerged={() => setVersion((v) => v + 1)} />
      <RulesSection canEdit={canEdit} version={version} onSettled={onSettled} />
      <ExternalSection settled={settled} />
    </div>
  );
}
