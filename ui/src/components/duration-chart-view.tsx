// Run durations over time (job page): geometry from lib/duration-chart.ts, drawn with React SVG.
import { useLayoutEffect, useRef, useState } from 'react';
import { durationChart } from '../lib/duration-chart';
import { formatDateTime, formatDuration } from '../lib/format';
import type { Run } from '../types/api';

const HEIGHT = 180;
const MARGIN = { top: 12, right: 16, bottom: 28, left: 56 };

export function DurationChartView({ runs }: { runs: Run[] }) {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(640);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => entry && setWidth(Math.max(280, entry.contentRect.width)));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const chart = durationChart(runs, { width, height: HEIGHT, margin: MARGIN });
  return (
    <div ref={ref} className="duration-chart" data-testid="duration-chart">
      {chart.points.length === 0 ? <p className="muted">No finished runs to chart.</p> : (
        <svg width={width} height={HEIGHT} role="img" aria-label={`Run durations over time, ${chart.points.length} runs`}>
          {chart.yTicks.map((t) => (
            <g key={t.value}>
              <line x1={MARGIN.left} x2={width - MARGIN.right} y1={t.y} y2={t.y} className="chart-grid" />
              <text x={MARGIN.left - 8} y={t.y + 4} textAnchor="end" className="chart-tick">{formatDuration(t.value)}</text>
            </g>
          ))}
          {chart.xTicks.map((t) => (
            <text key={t.date.toISOString()} x={t.x} y={HEIGHT - 8} textAnchor="middle" className="chart-tick">
              {t.label}
            </text>
          ))}
          <path d={chart.path} className="chart-line" />
          {chart.points.map((p) => (
            <circle key={p.id} cx={p.x} cy={p.y} r={4.5} className={`chart-point state-${p.state.toLowerCase()}`}>
              <title>{`${p.state.toLowerCase()} · ${formatDuration(p.durationMs)} · ${formatDateTime(p.startedAt)}`}</title>
            </circle>
          ))}
        </svg>
      )}
    </div>
  );
}
