// A source's health badge from two reports: the live stream's last `source.health` and the source's
// own status (the REST answer, refreshed after a connection test). The newer check wins, so a failed
// "Test connection" turns the badge unhealthy at once instead of staying "unknown" until a reload.
import type { Source } from '../types/api';
import type { NodeLive, SourceLive } from './live-messages';

const HEALTH = { ok: 'healthy', failing: 'unhealthy', unknown: 'unknown' } as const;

export function sourceLiveOf(source: Source): SourceLive {
  return {
    kind: 'source', health: HEALTH[source.status?.state ?? 'unknown'], checkedAt: source.status?.checkedAt ?? null,
    latencyMs: source.status?.latencyMs ?? null, message: source.status?.message ?? null,
  };
}

const time = (iso: string | null | undefined) => (iso ? new Date(iso).getTime() : Number.NEGATIVE_INFINITY);

/** The newer of the stream's report and the source's status (the stream's when they tie or neither has
 * a check time); undefined when there is neither. */
export function latestSourceLive(live: NodeLive | undefined, source: Source | undefined): NodeLive | undefined {
  if (!source || (live && live.kind !== 'source')) return live;
  const fromSource = sourceLiveOf(source);
  if (!live) return fromSource.checkedAt ? fromSource : undefined;
  return time(fromSource.checkedAt) > time(live.checkedAt) ? fromSource : live;
}
