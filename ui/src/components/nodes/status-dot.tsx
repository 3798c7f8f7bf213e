import type { NodeStatus } from '../../types/graph';
export const STATUS_LABEL: Record<NodeStatus, string> = {
  ok: 'Healthy', running: 'Running', failing: 'Failing', unknown: 'Unknown', new: 'New', aborted: 'Aborted', stale: 'Not live', late: 'Late',
};

/** A coloured dot with an accessible label: where a node shows its live status. */
export function StatusDot({ status, text }: { status?: NodeStatus | undefined; text?: string | undefined }) {
  if (!status) return null;
  const label = text ? `${STATUS_LABEL[status]}: ${text}` : STATUS_LABEL[status];
  return <span className={`status-dot status-${status}`} role="img" aria-label={label} title={label} />;
}
