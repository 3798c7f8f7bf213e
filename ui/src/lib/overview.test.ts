import { describe, expect, it } from 'vitest';
import {
  buildScene, countVisible, EDGE_HIGHLIGHTED, EDGE_MANUAL, FLAG_ROOT, FLAG_SELECTED, hitTest, OVERVIEW_ENTER_VISIBLE, OVERVIEW_MIN_NODES,
  visibleRect, wantOverview, zoomLevel,
} from './overview';
import { drawOverview, labelsLegible, type Ctx2D } from './overview-draw';
import type { LineageFlowEdge, LineageFlowNode } from '../types/flow';

function node(id: string, x: number, y: number, extra: Partial<LineageFlowNode['data']> = {}, selected = false): LineageFlowNode {
  const kind = id.startsWith('job:') ? 'job' : 'dataset';
  return { id, type: kind, position: { x, y }, width: 248, height: 62, selected,
    data: { kind, label: id.split(':').pop()!, title: id, namespace: 'ns', ...extra } };
}

const edge = (source: string, target: string, data: Partial<LineageFlowEdge['data']> = {}): LineageFlowEdge =>
  ({ id: `${source}>${target}`, source, target, type: 'lineage', data: { manual: false, ...data } });

/** A context that records what was drawn. */
function recorder() {
  const calls: Record<string, number> = {};
  const texts: string[] = [];
  const fills: string[] = [];
  const count = (name: string) => () => { calls[name] = (calls[name] ?? 0) + 1; };
  const ctx: Record<string, unknown> = {
    setTransform: count('setTransform'), clearRect: count('clearRect'), beginPath: count('beginPath'), moveTo: count('moveTo'),
    lineTo: count('lineTo'), bezierCurveTo: count('bezierCurveTo'), rect: count('rect'), stroke: count('stroke'), save: count('save'),
    restore: count('restore'),
    fill() { calls.fill = (calls.fill ?? 0) + 1; fills.push(String(ctx.fillStyle)); },
    fillText(text: string) { texts.push(text); },
    fillStyle: '', strokeStyle: '', lineWidth: 1, globalAlpha: 1, font: '', textBaseline: 'alphabetic',
  };
  return { ctx: ctx as unknown as Ctx2D, calls, texts, fills };
}

describe('overview scene', () => {
  const nodes = [node('dataset:ns:a', 0, 0, { root: true }), node('job:ns:j', 400, 0, { status: 'failing', live: true }, true), node('dataset:ns:b', 800, 100)];
  const edges = [edge('dataset:ns:a', 'job:ns:j'), edge('job:ns:j', 'dataset:ns:b', { highlighted: true, manual: true }), edge('dataset:ns:a', 'dataset:ns:gone')];
  const scene = buildScene(nodes, edges);

  it('packs boxes, colours, flags and edge end points', () => {
    expect(scene.count).toBe(3);
    expect(Array.from(scene.rects.slice(4, 8))).toEqual([400, 0, 248, 62]);
    expect(scene.paint).toEqual(['dataset', 'failing', 'dataset']);
    expect(scene.flags[0]! & FLAG_ROOT).toBeTruthy();
    expect(scene.flags[1]! & FLAG_SELECTED).toBeTruthy();
    // the edge to a node that is not drawn is left out; ends at the right and left middles of the cards
    expect(scene.edgeCount).toBe(2);
    expect(Array.from(scene.edgePoints.slice(0, 4))).toEqual([248, 31, 400, 31]);
    expect(scene.edgeFlags[1]).toBe(EDGE_MANUAL | EDGE_HIGHLIGHTED);
    expect(scene.bounds).toEqual({ x: 0, y: 0, width: 1048, height: 162 });
    expect(scene.titles[0]).toBe('ns / dataset:ns:a');
  });

  it('hit-tests and counts what a viewport shows', () => {
    expect(scene.ids[hitTest(scene, 410, 30)]).toBe('job:ns:j');
    expect(hitTest(scene, 300, 30)).toBe(-1);
    expect(hitTest(scene, 252, 30, 5)).toBe(0);
    // 1000×500 px at zoom 0.5 from the origin shows flow x 0..2000: everything
    expect(countVisible(scene, visibleRect({ x: 0, y: 0, zoom: 0.5 }, 1000, 500))).toBe(3);
    // 300×300 px at zoom 1 shifted left by 350: only the job (x 400..648) and nothing else
    expect(countVisible(scene, visibleRect({ x: -350, y: 0, zoom: 1 }, 300, 300))).toBe(1);
  });

  it('draws edges, one fill per colour, outlines and labels only when legible', () => {
    const near = recorder();
    const stats = drawOverview(near.ctx, scene, { x: 0, y: 0, zoom: 0.5 }, { width: 1000, height: 500 });
    expect(stats).toEqual({ nodes: 3, edges: 2, labels: 3 });
    expect(near.calls.bezierCurveTo).toBe(2);
    expect(near.calls.rect).toBe(3 + 2); // boxes + the root and selection outlines
    expect(near.fills).toContain('#dc2626'); // the failed job is red
    expect(near.texts).toContain('a');
    const far = recorder();
    const farStats = drawOverview(far.ctx, scene, { x: 0, y: 0, zoom: 0.05 }, { width: 1000, height: 500 });
    expect(farStats.labels).toBe(0);
    expect(far.calls.bezierCurveTo ?? 0).toBe(0); // straight lines when curves would not show
    expect(far.calls.lineTo).toBe(2);
    expect(labelsLegible(0.05)).toBe(false);
    const away = recorder();
    expect(drawOverview(away.ctx, scene, { x: 5000, y: 0, zoom: 1 }, { width: 500, height: 500 })).toEqual({ nodes: 0, edges: 0, labels: 0 });
  });
});

describe('when the overview takes over', () => {
  it('never for small graphs', () => {
    expect(wantOverview(false, { zoom: 0.05, visible: 200, total: OVERVIEW_MIN_NODES - 1 })).toBe(false);
  });

  it('zoomed out or with too many cards on screen, with hysteresis', () => {
    const total = 5000;
    expect(wantOverview(false, { zoom: 0.9, visible: 20, total })).toBe(false);
    expect(wantOverview(false, { zoom: 0.3, visible: 150, total })).toBe(true);
    expect(wantOverview(false, { zoom: 0.5, visible: OVERVIEW_ENTER_VISIBLE + 1, total })).toBe(true);
    // between the thresholds the current mode stays
    expect(wantOverview(true, { zoom: 0.38, visible: 150, total })).toBe(true);
    expect(wantOverview(false, { zoom: 0.38, visible: 150, total })).toBe(false);
    expect(wantOverview(true, { zoom: 0.5, visible: 150, total })).toBe(false);
  });

  it('semantic zoom levels of the cards', () => {
    expect([zoomLevel(1), zoomLevel(0.5), zoomLevel(0.2)]).toEqual(['near', 'mid', 'far']);
  });
});
