// Draw an overview scene (lib/overview.ts) on a 2D canvas at a viewport: edges first (one path per
// style: normal, manual, highlighted, dimmed), then node boxes batched by colour, then outlines for the
// root, selection and highlights, then labels when they are legible and few. Everything is drawn in
// flow coordinates under one transform, and anything off screen is skipped, so a frame costs a few
// batched fills and strokes however the user pans. Takes a context-like object so tests can record.
import {
  EDGE_DIMMED, EDGE_HIGHLIGHTED, EDGE_MANUAL, FLAG_DIMMED, FLAG_HIGHLIGHTED, FLAG_ROOT, FLAG_SELECTED,
  type OverviewScene, type PaintKey, type Viewport,
} from './overview';
import { middleEllipsis } from './labels';
import { NODE_HEIGHT, NODE_WIDTH } from './node-size';

export type Ctx2D = Pick<CanvasRenderingContext2D,
  'setTransform' | 'clearRect' | 'beginPath' | 'moveTo' | 'lineTo' | 'bezierCurveTo' | 'rect' | 'fill' | 'stroke' | 'fillText'
  | 'save' | 'restore'> & {
  fillStyle: CanvasRenderingContext2D['fillStyle'];
  strokeStyle: CanvasRenderingContext2D['strokeStyle'];
  lineWidth: number;
  globalAlpha: number;
  font: string;
  textBaseline: CanvasTextBaseline;
};

export const PAINT: Record<PaintKey, { fill: string; stroke: string }> = {
  dataset: { fill: '#3b82f6', stroke: '#1d4ed8' },
  job: { fill: '#8b5cf6', stroke: '#6d28d9' },
  source: { fill: '#14b8a6', stroke: '#0f766e' },
  group: { fill: '#cbd5e1', stroke: '#475569' },
  failing: { fill: '#dc2626', stroke: '#991b1b' },
  running: { fill: '#2563eb', stroke: '#1e3a8a' },
  aborted: { fill: '#d97706', stroke: '#92400e' },
  stale: { fill: '#94a3b8', stroke: '#64748b' },
};

const EDGE = '#94a3b8';
const EDGE_MANUAL_COLOR = '#db2777';
const HIGHLIGHT = '#d97706';

export interface DrawOptions {
  width: number;
  height: number;
  /** Device pixel ratio. */
  dpr?: number;
  /** Draw labels when at most this many nodes are on screen and the text would be legible. */
  maxLabels?: number;
}

export interface DrawStats {
  nodes: number;
  edges: number;
  labels: number;
}

/** How many characters of a label fit a box at this zoom (11 px text). */
export function labelChars(zoom: number): number {
  return Math.floor((NODE_WIDTH * zoom - 20) / 6.4);
}

/** Whether labels are drawn at this zoom (boxes hold at least 6 characters). */
export function labelsLegible(zoom: number): boolean {
  return labelChars(zoom) >= 6;
}

/** Draw the scene; returns what was drawn (for tests and the bench). */
export function drawOverview(ctx: Ctx2D, scene: OverviewScene, viewport: Viewport, options: DrawOptions): DrawStats {
  const dpr = options.dpr ?? 1;
  const { zoom } = viewport;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, options.width, options.height);
  ctx.setTransform(dpr * zoom, 0, 0, dpr * zoom, dpr * viewport.x, dpr * viewport.y);
  const x0 = -viewport.x / zoom;
  const y0 = -viewport.y / zoom;
  const x1 = x0 + options.width / zoom;
  const y1 = y0 + options.height / zoom;
  const px = 1 / zoom; // one screen pixel in flow units

  // ---- Edges: bezier curves like React Flow's when there is room to see the curve, lines below.
  const curved = zoom >= 0.12;
  let edges = 0;
  const styles: Array<[number, number, string, number, number]> = [
    // [mask, wanted bits, colour, width in screen px, alpha]
    [EDGE_MANUAL | EDGE_HIGHLIGHTED | EDGE_DIMMED, 0, EDGE, 1, 0.8],
    [EDGE_HIGHLIGHTED | EDGE_DIMMED, EDGE_DIMMED, EDGE, 1, 0.2],
    [EDGE_MANUAL | EDGE_HIGHLIGHTED | EDGE_DIMMED, EDGE_MANUAL, EDGE_MANUAL_COLOR, 1.5, 0.9],
    [EDGE_HIGHLIGHTED, EDGE_HIGHLIGHTED, HIGHLIGHT, 2.5, 1],
  ];
  const p = scene.edgePoints;
  for (const [mask, wanted, colour, widthPx, alpha] of styles) {
    ctx.beginPath();
    let any = false;
    for (let i = 0; i < scene.edgeCount; i++) {
      if ((scene.edgeFlags[i]! & mask) !== wanted) continue;
      const sx = p[i * 4]!;
      const sy = p[i * 4 + 1]!;
      const tx = p[i * 4 + 2]!;
      const ty = p[i * 4 + 3]!;
      if (Math.max(sx, tx) < x0 || Math.min(sx, tx) > x1 || Math.max(sy, ty) < y0 || Math.min(sy, ty) > y1) continue;
      ctx.moveTo(sx, sy);
      if (curved) {
        const dx = Math.max(Math.abs(tx - sx) / 2, 25);
        ctx.bezierCurveTo(sx + dx, sy, tx - dx, ty, tx, ty);
      } else {
        ctx.lineTo(tx, ty);
      }
      any = true;
      edges += 1;
    }
    if (!any) continue;
    ctx.globalAlpha = alpha;
    ctx.strokeStyle = colour;
    ctx.lineWidth = widthPx * px;
    ctx.stroke();
  }
  ctx.globalAlpha = 1;

  // ---- Nodes: one path per colour (and a dimmed pass).
  const r = scene.rects;
  const visible: number[] = [];
  for (let i = 0; i < scene.count; i++) {
    const x = r[i * 4]!;
    const y = r[i * 4 + 1]!;
    if (x > x1 || y > y1 || x + r[i * 4 + 2]! < x0 || y + r[i * 4 + 3]! < y0) continue;
    visible.push(i);
  }
  const byPaint = new Map<string, number[]>();
  for (const i of visible) {
    const key = `${scene.paint[i]!}${scene.flags[i]! & FLAG_DIMMED ? ':dim' : ''}`;
    let list = byPaint.get(key);
    if (!list) byPaint.set(key, (list = []));
    list.push(i);
  }
  // Keep a visible gap between neighbours however far out: boxes shrink by up to a screen pixel.
  const inset = Math.min(px * 0.5, 8);
  for (const [key, list] of byPaint) {
    const [paintKey, dim] = key.split(':') as [PaintKey, string | undefined];
    ctx.beginPath();
    for (const i of list) ctx.rect(r[i * 4]! + inset, r[i * 4 + 1]! + inset, Math.max(px, r[i * 4 + 2]! - 2 * inset), Math.max(px, r[i * 4 + 3]! - 2 * inset));
    ctx.globalAlpha = dim ? 0.3 : 1;
    ctx.fillStyle = PAINT[paintKey].fill;
    ctx.fill();
  }
  ctx.globalAlpha = 1;

  // ---- Outlines: highlighted (amber), selected (dark), root (blue ring).
  const outline = (flag: number, colour: string, widthPx: number) => {
    ctx.beginPath();
    let any = false;
    for (const i of visible) {
      if (!(scene.flags[i]! & flag)) continue;
      const grow = widthPx * px;
      ctx.rect(r[i * 4]! - grow, r[i * 4 + 1]! - grow, r[i * 4 + 2]! + 2 * grow, r[i * 4 + 3]! + 2 * grow);
      any = true;
    }
    if (!any) return;
    ctx.strokeStyle = colour;
    ctx.lineWidth = widthPx * px;
    ctx.stroke();
  };
  outline(FLAG_HIGHLIGHTED, HIGHLIGHT, 2.5);
  outline(FLAG_ROOT, '#1d4ed8', 3);
  outline(FLAG_SELECTED, '#0f172a', 2);

  // ---- Labels: 11 px on screen, cut in the middle to the box's width, when boxes are wide enough to
  // hold a few characters and there are few enough to stay fast.
  let labels = 0;
  const maxLabels = options.maxLabels ?? 400;
  const chars = labelChars(zoom);
  if (labelsLegible(zoom) && visible.length <= maxLabels) {
    ctx.font = `600 ${11 * px}px system-ui, sans-serif`;
    ctx.textBaseline = 'middle';
    ctx.fillStyle = '#ffffff';
    for (const i of visible) {
      ctx.globalAlpha = scene.flags[i]! & FLAG_DIMMED ? 0.5 : 1;
      ctx.fillText(middleEllipsis(scene.labels[i]!, chars), r[i * 4]! + 10 * px, r[i * 4 + 1]! + Math.min(r[i * 4 + 3]!, NODE_HEIGHT) / 2);
      labels += 1;
    }
    ctx.globalAlpha = 1;
  }
  return { nodes: visible.length, edges, labels };
}
