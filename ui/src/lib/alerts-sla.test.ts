import { describe, expect, it } from 'vitest';
import type { SlaSummary } from '../types/alerts';
import { formatPercent, hasSla, slaTiles } from './alerts-sla';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const empty = { evaluations: 0, met: 0, missed: 0, onTimePercent: null };

describe('SLA tiles', () => {
  it('shows on-time percentages, the streak and the last miss', () => {
    const s: SlaSummary = {
      nodeId: 'job:airflow:orders_load',
      last7d: { evaluations: 7, met: 6, missed: 1, onTimePercent: 85.71 },
      last30d: { evaluations: 30, met: 29, missed: 1, onTimePercent: 96.67 },
      currentStreak: { met: true, count: 3 },
      lastMiss: { dueAt: '2026-03-07T07:00:00Z', ruleId: 'r1', kind: 'deadline', ruleName: 'orders by 7' },
      rules: [],
    };
    expect(hasSla(s)).toBe(true);
    expect(slaTiles(s, NOW).map((t) => [t.key, t.value, t.detail, t.tone])).toEqual([
      ['last7d', '85.7 %', '6 of 7 on time', 'bad'],
      ['last30d', '96.7 %', '29 of 30 on time', 'warn'],
      ['streak', '3 on time', 'in a row', 'ok'],
      ['lastMiss', '3 d ago', 'orders by 7 · deadline', 'warn'],
    ]);
  });

  it('says a missing streak and when nothing was evaluated', () => {
    const s: SlaSummary = { nodeId: 'd', last7d: empty, last30d: { evaluations: 2, met: 0, missed: 2, onTimePercent: 0 },
      currentStreak: { met: false, count: 2 }, lastMiss: { dueAt: '2026-03-01T00:00:00Z', ruleId: 'gone', kind: 'freshness', ruleName: null }, rules: [] };
    const tiles = slaTiles(s, NOW);
    expect(tiles[0]).toMatchObject({ value: '—', detail: 'nothing evaluated', tone: 'none' });
    expect(tiles[1]).toMatchObject({ value: '0 %', tone: 'bad' });
    expect(tiles[2]).toMatchObject({ value: '2 missed', tone: 'bad' });
    expect(tiles[3]).toMatchObject({ detail: 'freshness' });
    const none: SlaSummary = { nodeId: 'd', last7d: empty, last30d: empty, currentStreak: { met: null, count: 0 }, lastMiss: null, rules: [] };
    expect(hasSla(none)).toBe(false);
    expect(slaTiles(none, NOW).map((t) => t.value)).toEqual(['—', '—', '—', 'never']);
  });

  it('formats percentages', () => {
    expect(formatPercent(100)).toBe('100 %');
    expect(formatPercent(99.99)).toBe('100 %');
    expect(formatPercent(12.345)).toBe('12.3 %');
    expect(formatPercent(null)).toBe('—');
  });
});
