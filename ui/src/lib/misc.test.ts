import { describe, expect, it } from 'vitest';
import { durationChart } from './duration-chart';
import { edgePath, toSvg } from './export-svg';
import { formatDuration, formatRelative, owners, pluralize, sqlOf } from './format';
import { diffSchemas } from './schema-diff';
import type { Run } from '../types/api';

describe('format', () => {
  it('formats durations', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(450)).toBe('450 ms');
    expect(formatDuration(4058)).toBe('4.1 s');
    expect(formatDuration(15999)).toBe('16 s');
    expect(formatDuration(125000)).toBe('2 min 5 s');
    expect(formatDuration(3 * 3600_000 + 60_000)).toBe('3 h 1 min');
  });

  it('formats relative times and counts', () => {
    const now = Date.parse('2024-01-02T00:00:00Z');
    expect(formatRelative('2024-01-01T23:59:30Z', now)).toBe('just now');
    expect(formatRelative('2024-01-01T22:00:00Z', now)).toBe('2 h ago');
    expect(pluralize(1, 'job')).toBe('1 job');
    expect(pluralize(1200, 'job')).toBe('1,200 jobs');
  });

  it('reads owners and SQL from facets', () => {
    expect(owners({ ownership: { owners: [{ name: 'team:data', type: 'TEAM' }, { nope: 1 }] } })).toEqual([{ name: 'team:data', type: 'TEAM' }]);
    expect(owners(undefined)).toEqual([]);
    expect(sqlOf({ sql: { query: 'select 1' } })).toBe('select 1');
    expect(sqlOf({})).toBeNull();
  });
});

describe('schema diff', () => {
  it('marks added, removed and retyped fields', () => {
    const diff = diffSchemas(
      [{ name: 'a', type: 'int' }, { name: 'b', type: 'string' }, { name: 'd', type: 'int' }],
      [{ name: 'a', type: 'int' }, { name: 'b', type: 'int' }, { name: 'c', type: 'int' }],
    );
    expect(diff.map((d) => `${d.name}:${d.change}`)).toEqual(['a:same', 'b:type-changed', 'd:added', 'c:removed']);
    expect(diffSchemas([{ name: 'a', type: null }], null)).toEqual([{ name: 'a', change: 'same', type: null }]);
  });
});

describe('duration chart', () => {
  const run = (id: string, startedAt: string | null, durationMs: number | null, state: Run['state'] = 'COMPLETED'): Run =>
    ({ id, state, startedAt, endedAt: null, durationMs });
  const box = { width: 400, height: 160, margin: { top: 10, right: 10, bottom: 20, left: 40 } };

  it('places runs in time order and skips incomplete ones', () => {
    const chart = durationChart([run('b', '2024-01-02T00:00:00Z', 2000), run('a', '2024-01-01T00:00:00Z', 1000), run('c', null, 5)], box);
    expect(chart.points.map((p) => p.id)).toEqual(['a', 'b']);
    expect(chart.points[0]!.x).toBe(40);
    expect(chart.points[1]!.x).toBe(390);
    expect(chart.points[1]!.y).toBeLessThan(chart.points[0]!.y);
    expect(chart.path.startsWith('M')).toBe(true);
    expect(chart.yTicks.length).toBeGreaterThan(1);
  });

  it('handles a single run and no runs', () => {
    expect(durationChart([run('a', '2024-01-01T00:00:00Z', 10)], box).points[0]!.x).toBeCloseTo(215);
    expect(durationChart([], box).points).toEqual([]);
  });
});

describe('SVG export', () => {
  it('draws nodes, observed and manual edges and escapes text', () => {
    const svg = toSvg(
      [{ id: 'a', kind: 'dataset', label: 'a<b>', x: 0, y: 0, width: 100, height: 40 }, { id: 'b', kind: 'job', label: 'j', x: 200, y: 0, width: 100, height: 40 }],
      [{ source: 'a', target: 'b', manual: true, label: 'manual' }, { source: 'a', target: 'zzz', manual: false }],
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('a&lt;b&gt;');
    expect(svg).toContain('stroke-dasharray');
    expect(svg.match(/<path d="M[-\d.]+,[-\d.]+ C/g)).toHaveLength(1);
    expect(svg).toContain('width="348"');
  });

  it('bends edges horizontally', () => {
    expect(edgePath(0, 0, 100, 50)).toBe('M0,0 C50,0 50,50 100,50');
  });
});
