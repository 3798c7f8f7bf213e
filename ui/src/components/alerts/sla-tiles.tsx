// SLA tiles of a job or dataset (GET /sla?nodeId=): on-time % over 7 and 30 days, current streak, last
// miss — from its deadline and freshness rules. Without such a rule it says so (and where to add one).
import { getSla } from '../../api/sla';
import { useAsync } from '../../hooks/use-async';
import { hasSla, slaTiles } from '../../lib/alerts-sla';
import { Link } from '../common/link';

export function SlaTiles({ nodeId, kind, compact = false }: { nodeId: string; kind: 'job' | 'dataset'; compact?: boolean }) {
  const sla = useAsync((signal) => getSla(nodeId, signal), [nodeId]);
  if (sla.loading && !sla.data) return <p className="muted small">Loading SLA…</p>;
  if (sla.error || !sla.data) return <p className="muted small">SLA unavailable{sla.error ? `: ${sla.error}` : ''}</p>;
  if (!hasSla(sla.data)) {
    return (
      <p className="muted small" data-testid="sla-none">
        No {kind === 'job' ? 'deadline' : 'freshness'} rule has checked this {kind} in the last 30 days.
        {compact ? null : <> <Link to={{ name: 'alert-rules' }}>Add one</Link> to track its SLA.</>}
      </p>
    );
  }
  return (
    <div className={`sla-tiles${compact ? ' sla-tiles-compact' : ''}`} data-testid="sla-tiles">
      {slaTiles(sla.data).map((t) => (
        <div key={t.key} className={`sla-tile sla-${t.tone}`} data-testid={`sla-${t.key}`}>
          <span className="sla-label">{t.label}</span>
          <strong className="sla-value">{t.value}</strong>
          <span className="sla-detail">{t.detail}</span>
        </div>
      ))}
    </div>
  );
}
