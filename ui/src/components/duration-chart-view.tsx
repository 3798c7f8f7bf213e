// Run durations over time (job and run pages): geometry from lib/duration-chart.ts, drawn with React SVG.
// With one run there is no time axis: the point and its date. p50/p95 of the job can be drawn as
// reference lines, and the current run ringed.
import { useLayoutEffect, useRef, useState } from 'react';
import { durationChart } from '../lib/duration-chart';
import { formatDateTime, formatDuration } from '../lib/format';
import type { Run } from '../types/api';

const HEIGHT = 180;
const MARGIN = { top: 12, right: 16, bottom: 28, left: 40 };

export function DurationChartView({ runs, references, current, onPick }: {
  runs: Run[]; references?: Record<string, number | null | undefined>; current?: string | null; onPick?(runId: string): void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(640);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => entry && setWidth(Math.max(280, entry.contentRect.width)));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const chart = durationChart(runs, { width, height: HEIGHT, margin: MARGIN }, references);
  const m = chart.margin;
  return (
    <div ref={ref} className="duration-chart" data-testid="duration-chart">
      {chart.points.length === 0 ? <p className="muted">No finished runs to chart.</p> : (
        <svg width={width} height={HEIGHT} role="img" aria-label={`Run durations over time, ${chart.points.length} runs`}>
          {chart.yTicks.map((t) => (
            <g key={t.value}>
              <line x1={m.left} x2={width - m.right} y1={t.y} y2={t.y} className="chart-grid" />
              <text x={m.left - 8} y={t.y + 4} textAnchor="end" className="chart-tick">{t.label}</text>
            </g>
          ))}
          {chart.refs.map((r) => (
            <g key={r.label} className="chart-ref" data-testid={`chart-ref-${r.label}`}>
              <line x1={m.left} x2={width - m.right} y1={r.y} y2={r.y} />
              <text x={width - m.right - 4} y={r.y - 4} textAnchor="end" className="chart-tick">{`${r.label} ${formatDuration(r.value)}`}</text>
            </g>
          ))}
          {chart.xTicks.map((t) => (
            <text key={t.date.toISOString()} x={t.x} y={HEIGHT - 8} textAnchor={t.anchor} className="chart-tick">
              {t.label}
            </text>
          ))}
          {chart.single && chart.points[0] ? (
            <text x={chart.points[0].x} y={HEIGHT - 8} textAnchor="middle" className="chart-tick" data-testid="chart-single">
              {`only run · ${formatDateTime(chart.points[0].startedAt)}`}
            </text>
          ) : null}
          {chart.path ? <path d={chart.path} className="chart-line" /> : null}
          {chart.points.map((p) => (
            <circle key={p.id} cx={p.x} cy={p.y} r={p.id === current ? 7 : 4.5}
                    className={`chart-point state-${p.state.toLowerCase()}${p.id === current ? ' is-current' : ''}${onPick ? ' is-clickable' : ''}`}
                    onClick={onPick ? () => onPick(p.id) : undefined}>
              <title>{`${p.state.toLowerCase()} · ${formatDuration(p.durationMs)} · ${formatDateTime(p.startedAt)}`}</title>
            </circle>
          ))}
        </svg>
      )}
    </div>
  );
}
