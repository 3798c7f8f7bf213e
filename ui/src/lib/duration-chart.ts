// Geometry of the job page's run-duration chart (d3's scales and line generator as math only): the component
// draws what this returns. Runs without a start time or duration are left out. The left margin grows to
// fit the longest duration label, time labels at the edges are anchored inwards (never clipped) and
// labels that would overlap are dropped; with a single run (one start time) there is no time axis to
// draw — one point with its date as the caption.
import { line, scaleLinear, scaleTime } from 'd3';
import type { Run, RunState } from '../types/api';
import { formatDuration } from './format';

export interface ChartPoint {
  id: string;
  x: number;
  y: number;
  state: RunState;
  durationMs: number;
  startedAt: string;
}

export interface DurationChart {
  points: ChartPoint[];
  path: string;
  yTicks: Array<{ y: number; value: number; label: string }>;
  xTicks: Array<{ x: number; date: Date; label: string; anchor: 'start' | 'middle' | 'end' }>;
  /** The margins used (left grown to fit the duration labels). */
  margin: ChartBox['margin'];
  /** Every run started at the same time (one run): no time axis. */
  single: boolean;
  /** Reference lines (p50/p95 of the job) inside the chart. */
  refs: Array<{ y: number; value: number; label: string }>;
}

export interface ChartBox {
  width: number;
  height: number;
  margin: { top: number; right: number; bottom: number; left: number };
}

/** Approximate width in px of a label in the chart's 10.5 px font. */
export function labelWidth(text: string): number {
  return Math.ceil(text.length * 6.2);
}

export function durationChart(runs: readonly Run[], box: ChartBox, references: Record<string, number | null | undefined> = {}): DurationChart {
  const usable = runs
    .filter((r): r is Run & { startedAt: string; durationMs: number } => Boolean(r.startedAt) && typeof r.durationMs === 'number')
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const { width, height } = box;
  if (usable.length === 0) return { points: [], path: '', yTicks: [], xTicks: [], margin: box.margin, single: false, refs: [] };
  const refValues = Object.entries(references).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1]));
  const maxDuration = Math.max(...usable.map((r) => r.durationMs), ...refValues.map(([, v]) => v), 1);
  const yBase = scaleLinear().domain([0, maxDuration]).nice(4);
  const yTickValues = yBase.ticks(4);
  const widest = Math.max(...yTickValues.map((v) => labelWidth(formatDuration(v))));
  const margin = { ...box.margin, left: Math.max(box.margin.left, widest + 14) };
  const y = yBase.range([height - margin.bottom, margin.top]);
  const times = usable.map((r) => new Date(r.startedAt).getTime());
  const single = times[0] === times[times.length - 1];
  const x = single
    ? () => (margin.left + width - margin.right) / 2
    : scaleTime().domain([new Date(times[0]!), new Date(times[times.length - 1]!)]).range([margin.left, width - margin.right]);
  const points = usable.map((r, i) => ({
    id: r.id, x: x(new Date(times[i]!)), y: y(r.durationMs), state: r.state, durationMs: r.durationMs, startedAt: r.startedAt,
  }));
  const path = single ? '' : line<ChartPoint>().x((p) => p.x).y((p) => p.y)(points) ?? '';
  const xTicks: DurationChart['xTicks'] = [];
  if (!single) {
    const scale = scaleTime().domain([new Date(times[0]!), new Date(times[times.length - 1]!)]).range([margin.left, width - margin.right]);
    const count = Math.max(2, Math.floor((width - margin.left - margin.right) / 120));
    const format = scale.tickFormat(count);
    let rightmost = -Infinity;
    for (const date of scale.ticks(count)) {
      const at = scale(date);
      const label = format(date);
      const w = labelWidth(label);
      let anchor: 'start' | 'middle' | 'end' = 'middle';
      let left = at - w / 2;
      if (left < 2) {
        anchor = 'start';
        left = at;
      } else if (at + w / 2 > width - 2) {
        anchor = 'end';
        left = at - w;
      }
      if (left < rightmost + 8) continue; // would overlap the previous label
      rightmost = anchor === 'start' ? at + w : anchor === 'end' ? at : at + w / 2;
      xTicks.push({ x: at, date, label, anchor });
    }
  }
  return {
    points,
    path,
    yTicks: yTickValues.map((value) => ({ y: y(value), value, label: formatDuration(value) })),
    xTicks,
    margin,
    single,
    refs: mergeRefs(refValues.map(([label, value]) => ({ y: y(value), value, label }))),
  };
}

/** Reference lines closer than a label's height share one line and one label ("p50 = p95"). */
function mergeRefs(refs: Array<{ y: number; value: number; label: string }>): Array<{ y: number; value: number; label: string }> {
  const out: Array<{ y: number; value: number; label: string }> = [];
  for (const r of [...refs].sort((a, b) => a.y - b.y)) {
    const near = out.find((o) => Math.abs(o.y - r.y) < 12);
    if (near) near.label = `${near.label} = ${r.label}`;
    else out.push({ ...r });
  }
  return out;
}
