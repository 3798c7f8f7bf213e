// Geometry of the job page's run-duration chart (d3's scales and line generator as math only): the component
// draws what this returns. Runs without a start time or duration are left out.
import { line, scaleLinear, scaleTime } from 'd3';
import type { Run, RunState } from '../types/api';

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
  yTicks: Array<{ y: number; value: number }>;
  xTicks: Array<{ x: number; date: Date; label: string }>;
}

export interface ChartBox {
  width: number;
  height: number;
  margin: { top: number; right: number; bottom: number; left: number };
}

export function durationChart(runs: readonly Run[], box: ChartBox): DurationChart {
  const usable = runs
    .filter((r): r is Run & { startedAt: string; durationMs: number } => Boolean(r.startedAt) && typeof r.durationMs === 'number')
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const { width, height, margin } = box;
  if (usable.length === 0) return { points: [], path: '', yTicks: [], xTicks: [] };
  const times = usable.map((r) => new Date(r.startedAt));
  let t0 = times[0]!.getTime();
  let t1 = times[times.length - 1]!.getTime();
  if (t0 === t1) {
    t0 -= 60_000;
    t1 += 60_000;
  }
  const x = scaleTime().domain([new Date(t0), new Date(t1)]).range([margin.left, width - margin.right]);
  const maxDuration = Math.max(...usable.map((r) => r.durationMs), 1);
  const y = scaleLinear().domain([0, maxDuration]).nice(4).range([height - margin.bottom, margin.top]);
  const points = usable.map((r, i) => ({
    id: r.id, x: x(times[i]!), y: y(r.durationMs), state: r.state, durationMs: r.durationMs, startedAt: r.startedAt,
  }));
  const path = line<ChartPoint>().x((p) => p.x).y((p) => p.y)(points) ?? '';
  return {
    points,
    path,
    yTicks: y.ticks(4).map((value) => ({ y: y(value), value })),
    xTicks: (() => {
      const count = Math.max(2, Math.floor(width / 140));
      const format = x.tickFormat(count);
      return x.ticks(count).map((date) => ({ x: x(date), date, label: format(date) }));
    })(),
  };
}
