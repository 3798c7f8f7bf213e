// SLA tiles of a job or dataset from `GET /sla?nodeId=`: on-time % over 7 and 30 days, the current
// streak and the last miss, in words. Pure.
import type { SlaSummary, SlaWindow } from '../types/alerts';
import { formatRelative } from './format';

export interface SlaTile {
  key: 'last7d' | 'last30d' | 'streak' | 'lastMiss';
  label: string;
  value: string;
  detail: string;
  /** For colour: good, bad, or nothing to say. */
  tone: 'ok' | 'bad' | 'warn' | 'none';
}

export function formatPercent(p: number | null): string {
  if (p === null || !Number.isFinite(p)) return '—';
  return `${p >= 99.95 || Number.isInteger(p) ? Math.round(p) : p.toFixed(1)} %`;
}

function windowTile(key: 'last7d' | 'last30d', label: string, w: SlaWindow): SlaTile {
  if (w.evaluations === 0 || w.onTimePercent === null) return { key, label, value: '—', detail: 'nothing evaluated', tone: 'none' };
  const tone = w.onTimePercent >= 99.95 ? 'ok' : w.onTimePercent >= 90 ? 'warn' : 'bad';
  return { key, label, value: formatPercent(w.onTimePercent), detail: `${w.met} of ${w.evaluations} on time`, tone };
}

/** Whether any deadline or freshness rule has evaluated the node in the last 30 days. */
export const hasSla = (s: SlaSummary): boolean => s.last30d.evaluations > 0 || s.lastMiss !== null;

export function slaTiles(s: SlaSummary, now: number = Date.now()): SlaTile[] {
  const streak = s.currentStreak;
  const streakTile: SlaTile = streak.met === null || streak.count === 0
    ? { key: 'streak', label: 'Current streak', value: '—', detail: 'no evaluations', tone: 'none' }
    : { key: 'streak', label: 'Current streak', value: `${streak.count} ${streak.met ? 'on time' : 'missed'}`,
        detail: 'in a row', tone: streak.met ? 'ok' : 'bad' };
  const miss = s.lastMiss;
  const missTile: SlaTile = miss?.dueAt
    ? { key: 'lastMiss', label: 'Last miss', value: formatRelative(miss.dueAt, now), detail: [miss.ruleName, miss.kind].filter(Boolean).join(' · ') || 'rule deleted', tone: 'warn' }
    : { key: 'lastMiss', label: 'Last miss', value: 'never', detail: 'in the stored evaluations', tone: hasSla(s) ? 'ok' : 'none' };
  return [windowTile('last7d', 'On time, 7 days', s.last7d), windowTile('last30d', 'On time, 30 days', s.last30d), streakTile, missTile];
}
