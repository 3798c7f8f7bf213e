import { describe, expect, it } from 'vitest';
import { durationChart } from './duration-chart';
import { nameBreaks } from './name-breaks';
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
    expect(chart.points[0]!.x).toBe(chart.margin.left);
    expect(chart.points[1]!.x).toBe(390);
    expect(chart.points[1]!.y).toBeLessThan(chart.points[0]!.y);
    expect(chart.path.startsWith('M')).toBe(true);
    expect(chart.yTicks.length).toBeGreaterThan(1);
  });

  it('draws no time axis for a single run, and nothing for none', () => {
    const one = durationChart([run('a', '2024-01-01T00:00:00Z', 10)], box);
    expect(one.single).toBe(true);
    expect(one.xTicks).toEqual([]);
    expect(one.path).toBe('');
    expect(one.points[0]!.x).toBeCloseTo((one.margin.left + 390) / 2);
    expect(durationChart([], box).points).toEqual([]);
  });

  it('grows the left margin to fit the duration labels and keeps time labels inside', () => {
    const long = durationChart([run('a', '2024-01-01T00:00:00Z', 95 * 60_000), run('b', '2024-01-03T00:00:00Z', 125 * 60_000)], box);
    const widest = Math.max(...long.yTicks.map((t) => t.label.length)) * 6.2;
    expect(long.margin.left).toBeGreaterThanOrEqual(widest + 8);
    for (const t of long.xTicks) {
      const w = t.label.length * 6.2;
      const left = t.anchor === 'start' ? t.x : t.anchor === 'end' ? t.x - w : t.x - w / 2;
      expect(left).toBeGreaterThanOrEqual(0);
      expect(left + w).toBeLessThanOrEqual(box.width);
    }
    const refs = durationChart([run('a', '2024-01-01T00:00:00Z', 1000), run('b', '2024-01-02T00:00:00Z', 2000)], box, { p95: 5000 });
    expect(refs.refs[0]!.label).toBe('p95');
    expect(refs.refs[0]!.y).toBeGreaterThanOrEqual(box.margin.top);
    const same = durationChart([run('a', '2024-01-01T00:00:00Z', 1000), run('b', '2024-01-02T00:00:00Z', 2000)], box, { p50: 1500, p95: 1500 });
    expect(same.refs.map((r) => r.label)).toEqual(['p50 = p95']);
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

describe('name breaks', () => {
  it('cuts after separators only, and joins back to the name', () => {
    expect(nameBreaks('gcs_hook.download_to_data')).toEqual(['gcs_', 'hook.', 'download_', 'to_', 'data']);
    expect(nameBreaks('s3://bucket/path')).toEqual(['s3://', 'bucket/', 'path']);
    expect(nameBreaks('plain')).toEqual(['plain']);
    expect(nameBreaks('')).toEqual([]);
    const name = 'warehouse.daily__refresh.customer-orders';
    expect(nameBreaks(name).join('')).toBe(name);
  });
});
