import type { SaveState } from '../../store/dashboard-store';

const TEXT: Record<SaveState, string> = {
  saved: 'All changes saved', dirty: 'Unsaved changes', saving: 'Saving…', conflict: 'Conflict: changed elsewhere', error: 'Save failed',
};

export function SaveIndicator({ state, error, onRetry }: { state: SaveState; error: string | null; onRetry(): void }) {
  return (
    <span className={`save-indicator save-${state}`} role="status" aria-live="polite" data-testid="save-state" data-state={state} title={error ?? undefined}>
      <span className="save-dot" aria-hidden="true" />
      {TEXT[state]}
      {state === 'error' ? <button type="button" className="link-btn" onClick={onRetry}>Retry</button> : null}
    </span>
  );
}
