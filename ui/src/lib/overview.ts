// The overview of a big graph: the same nodes and edges the canvas would hand to React Flow, packed
// into typed arrays so a 2D canvas can draw thousands of them per frame (lib/overview-draw.ts), with
// hit testing and a count of what is on screen. Also the rule for when the explorer shows the
// overview instead of React Flow's DOM cards (zoomed out, or too many cards on screen). Pure.
import type { LineageFlowEdge, LineageFlowNode } from '../types/flow';
import type { NodeKind, NodeStatus } from '../types/graph';
import { NODE_HEIGHT, NODE_WIDTH } from './node-size';

/** Node flags (bits of OverviewScene.flags). */
export const FLAG_ROOT = 1;
export const FLAG_SELECTED = 2;
export const FLAG_HIGHLIGHTED = 4;
export const FLAG_DIMMED = 8;
/** Edge flags (bits of OverviewScene.edgeFlags). */
export const EDGE_MANUAL = 1;
export const EDGE_HIGHLIGHTED = 2;
export const EDGE_DIMMED = 4;

/** Fill colours: one per node kind, and live statuses that win over the kind's colour. */
export type PaintKey = NodeKind | 'group' | 'failing' | 'running' | 'aborted' | 'stale';

export interface OverviewScene {
  count: number;
  ids: string[];
  /** x, y, width, height per node (flow coordinates). */
  rects: Float32Array;
  paint: PaintKey[];
  flags: Uint8Array;
  /** Short names (cut to fit when drawn). */
  labels: string[];
  /** Full names (hover text). */
  titles: string[];
  edgeCount: number;
  /** Source point (right side), target point (left side) per edge: sx, sy, tx, ty. */
  edgePoints: Float32Array;
  edgeFlags: Uint8Array;
  bounds: { x: number; y: number; width: number; height: number };
}

function paintOf(kind: NodeKind | string, status: NodeStatus | undefined, live: boolean): PaintKey {
  if (live && (status === 'failing' || status === 'running' || status === 'aborted' || status === 'stale')) return status;
  if (!live && status === 'failing') return 'failing';
  return kind === 'job' || kind === 'source' || kind === 'group' ? kind : 'dataset';
}

export function buildScene(nodes: readonly LineageFlowNode[], edges: readonly LineageFlowEdge[]): OverviewScene {
  const count = nodes.length;
  const rects = new Float32Array(count * 4);
  const flags = new Uint8Array(count);
  const ids: string[] = new Array<string>(count);
  const paint: PaintKey[] = new Array<PaintKey>(count);
  const labels: string[] = new Array<string>(count);
  const titles: string[] = new Array<string>(count);
  const index = new Map<string, number>();
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  nodes.forEach((n, i) => {
    const w = n.width ?? NODE_WIDTH;
    const h = n.height ?? NODE_HEIGHT;
    rects[i * 4] = n.position.x;
    rects[i * 4 + 1] = n.position.y;
    rects[i * 4 + 2] = w;
    rects[i * 4 + 3] = h;
    minX = Math.min(minX, n.position.x);
    minY = Math.min(minY, n.position.y);
    maxX = Math.max(maxX, n.position.x + w);
    maxY = Math.max(maxY, n.position.y + h);
    ids[i] = n.id;
    index.set(n.id, i);
    paint[i] = paintOf(n.type ?? n.data.kind, n.data.status, Boolean(n.data.live));
    labels[i] = n.data.label;
    titles[i] = n.data.namespace ? `${n.data.namespace} / ${n.data.title}` : n.data.title;
    flags[i] = (n.data.root ? FLAG_ROOT : 0) | (n.selected ? FLAG_SELECTED : 0) | (n.data.highlighted ? FLAG_HIGHLIGHTED : 0)
      | (n.data.dimmed ? FLAG_DIMMED : 0);
  });
  const edgePoints = new Float32Array(edges.length * 4);
  const edgeFlags = new Uint8Array(edges.length);
  let edgeCount = 0;
  for (const e of edges) {
    const s = index.get(e.source);
    const t = index.get(e.target);
    if (s === undefined || t === undefined) continue;
    const k = edgeCount * 4;
    edgePoints[k] = rects[s * 4]! + rects[s * 4 + 2]!;
    edgePoints[k + 1] = rects[s * 4 + 1]! + Math.min(rects[s * 4 + 3]!, NODE_HEIGHT) / 2;
    edgePoints[k + 2] = rects[t * 4]!;
    edgePoints[k + 3] = rects[t * 4 + 1]! + Math.min(rects[t * 4 + 3]!, NODE_HEIGHT) / 2;
    edgeFlags[edgeCount] = (e.data?.manual ? EDGE_MANUAL : 0) | (e.data?.highlighted ? EDGE_HIGHLIGHTED : 0) | (e.data?.dimmed ? EDGE_DIMMED : 0);
    edgeCount += 1;
  }
  const bounds = count === 0 ? { x: 0, y: 0, width: 0, height: 0 } : { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
  return { count, ids, rects, paint, flags, labels, titles, edgeCount, edgePoints, edgeFlags, bounds };
}

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

/** The flow-coordinate rectangle a viewport of `width`×`height` screen pixels shows. */
export function visibleRect(viewport: Viewport, width: number, height: number) {
  return { x: -viewport.x / viewport.zoom, y: -viewport.y / viewport.zoom, width: width / viewport.zoom, height: height / viewport.zoom };
}

/** How many nodes of the scene are (at least partly) inside the flow rectangle. */
export function countVisible(scene: OverviewScene, rect: { x: number; y: number; width: number; height: number }): number {
  const x1 = rect.x + rect.width;
  const y1 = rect.y + rect.height;
  const r = scene.rects;
  let n = 0;
  for (let i = 0; i < scene.count; i++) {
    const x = r[i * 4]!;
    const y = r[i * 4 + 1]!;
    if (x < x1 && y < y1 && x + r[i * 4 + 2]! > rect.x && y + r[i * 4 + 3]! > rect.y) n += 1;
  }
  return n;
}

/** The node under a flow-coordinate point (the last drawn wins), with `slop` flow units of tolerance. */
export function hitTest(scene: OverviewScene, x: number, y: number, slop = 0): number {
  const r = scene.rects;
  for (let i = scene.count - 1; i >= 0; i--) {
    const nx = r[i * 4]!;
    const ny = r[i * 4 + 1]!;
    if (x >= nx - slop && x <= nx + r[i * 4 + 2]! + slop && y >= ny - slop && y <= ny + r[i * 4 + 3]! + slop) return i;
  }
  return -1;
}

/** Graphs below this many nodes never switch to the overview: React Flow draws them at any zoom. */
export const OVERVIEW_MIN_NODES = 300;
/** Below this zoom (cards under ~85 px wide, text under 4.5 px) the overview takes over… */
export const OVERVIEW_ENTER_ZOOM = 0.35;
/** …or when more than this many cards would be on screen (each one is DOM React Flow must move). */
export const OVERVIEW_ENTER_VISIBLE = 250;
/** Back to cards only above this zoom and under this many cards on screen (hysteresis: no flicker at
 * the threshold). */
export const OVERVIEW_EXIT_ZOOM = 0.42;
export const OVERVIEW_EXIT_VISIBLE = 200;

/** Whether the canvas should draw the overview, given where it is now (`current`). */
export function wantOverview(current: boolean, state: { zoom: number; visible: number; total: number }): boolean {
  if (state.total < OVERVIEW_MIN_NODES) return false;
  if (current) return state.zoom < OVERVIEW_EXIT_ZOOM || state.visible > OVERVIEW_EXIT_VISIBLE;
  return state.zoom < OVERVIEW_ENTER_ZOOM || state.visible > OVERVIEW_ENTER_VISIBLE;
}

/** Semantic zoom of the DOM cards: what a card shows at a zoom level (styles.css `zoom-*`). */
export type ZoomLevel = 'near' | 'mid' | 'far';

export function zoomLevel(zoom: number): ZoomLevel {
  return zoom >= 0.7 ? 'near' : zoom >= 0.4 ? 'mid' : 'far';
}
