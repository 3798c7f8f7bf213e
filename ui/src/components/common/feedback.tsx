import type { ReactNode } from 'react';
import type { RunState } from '../../types/api';

export function Spinner({ label = 'Loading…' }: { label?: string }) {
  return <div className="spinner" role="status"><span className="spinner-ring" aria-hidden="true" />{label}</div>;
}

export function ErrorBox({ title = 'Something went wrong', message, onRetry }: { title?: string; message: string; onRetry?: () => void }) {
  return (
    <div className="error-box" role="alert">
      <strong>{title}</strong>
      <p>{message}</p>
      {onRetry ? <button type="button" className="btn" onClick={onRetry}>Try again</button> : null}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return <div className="empty"><strong>{title}</strong>{children ? <div>{children}</div> : null}</div>;
}

const STATE_CLASS: Record<RunState, string> = {
  COMPLETED: 'ok', FAILED: 'failing', RUNNING: 'running', ABORTED: 'aborted', NEW: 'new',
};

export function StateBadge({ state }: { state: RunState | null | undefined }) {
  if (!state) return <span className="badge badge-unknown">no runs</span>;
  return <span className={`badge badge-${STATE_CLASS[state] ?? 'unknown'}`}>{state.toLowerCase()}</span>;
}

export function KindBadge({ kind }: { kind: 'dataset' | 'job' | 'field' | 'source' }) {
  return <span className={`kind-badge kind-badge-${kind}`}>{kind}</span>;
}
