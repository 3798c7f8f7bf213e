// The overview of a big graph, drawn on a <canvas> inside the React Flow canvas (lib/overview-draw.ts)
// while React Flow itself holds no nodes: React Flow keeps owning pan and zoom, this layer redraws on
// every viewport change (at most once per animation frame). While only panning (the zoom unchanged
// since the last frame) and the whole graph fits a bitmap of at most CACHE_MAX px a side, the graph
// is drawn once into that bitmap and each frame only copies it: panning the whole graph costs one
// drawImage. It takes no pointer events; the canvas component hit-tests clicks and hover on the pane
// (lib/overview.ts hitTest).
import { useStoreApi } from '@xyflow/react';
import { useEffect, useRef } from 'react';
import { drawOverview, labelsLegible, type DrawStats } from '../../lib/overview-draw';
import type { OverviewScene } from '../../lib/overview';

declare global {
  interface Window {
    /** What the overview drew last (bench/ui and the e2e tests read it). */
    __lineagelensOverview?: DrawStats & { frames: number };
  }
}

/** Largest side (device pixels) of the cached picture of the whole graph. */
const CACHE_MAX = 4096;
const CACHE_PAD = 4;

export function OverviewLayer({ scene }: { scene: OverviewScene }) {
  const store = useStoreApi();
  const canvasRef = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return undefined;
    let frame = 0;
    let frames = 0;
    let size = { width: 0, height: 0, dpr: 1 };
    let lastZoom = NaN;
    let cache: { canvas: HTMLCanvasElement; zoom: number; dpr: number; stats: DrawStats } | null = null;
    const { bounds } = scene;
    const cached = (zoom: number, dpr: number): typeof cache => {
      const w = Math.ceil(bounds.width * zoom * dpr) + 2 * CACHE_PAD;
      const h = Math.ceil(bounds.height * zoom * dpr) + 2 * CACHE_PAD;
      if (w > CACHE_MAX || h > CACHE_MAX) return null;
      if (cache && cache.zoom === zoom && cache.dpr === dpr) return cache;
      const picture = cache?.canvas ?? document.createElement('canvas');
      picture.width = w;
      picture.height = h;
      const pctx = picture.getContext('2d');
      if (!pctx) return null;
      const at = { x: CACHE_PAD / dpr - bounds.x * zoom, y: CACHE_PAD / dpr - bounds.y * zoom, zoom };
      const stats = drawOverview(pctx, scene, at, { width: w / dpr, height: h / dpr, dpr, maxLabels: 0 });
      cache = { canvas: picture, zoom, dpr, stats };
      return cache;
    };
    const draw = () => {
      frame = 0;
      const { transform, width, height } = store.getState();
      const dpr = Math.min(window.devicePixelRatio || 1, 2);
      if (size.width !== width || size.height !== height || size.dpr !== dpr) {
        size = { width, height, dpr };
        canvas.width = Math.round(width * dpr);
        canvas.height = Math.round(height * dpr);
        canvas.style.width = `${width}px`;
        canvas.style.height = `${height}px`;
      }
      const viewport = { x: transform[0], y: transform[1], zoom: transform[2] };
      // Only panning since the last frame: copy the cached picture (labels are drawn live instead,
      // so zoomed in far enough to read them the cache is not used).
      const picture = viewport.zoom === lastZoom && !labelsLegible(viewport.zoom) ? cached(viewport.zoom, dpr) : null;
      lastZoom = viewport.zoom;
      let stats: DrawStats;
      if (picture) {
        ctx.setTransform(1, 0, 0, 1, 0, 0);
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        ctx.drawImage(picture.canvas, Math.round((viewport.x + bounds.x * viewport.zoom) * dpr - CACHE_PAD), Math.round((viewport.y + bounds.y * viewport.zoom) * dpr - CACHE_PAD));
        stats = picture.stats;
      } else {
        stats = drawOverview(ctx, scene, viewport, { width, height, dpr });
      }
      frames += 1;
      window.__lineagelensOverview = { ...stats, frames };
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(draw);
    };
    draw();
    let last = store.getState();
    const unsubscribe = store.subscribe((state) => {
      if (state.transform !== last.transform || state.width !== last.width || state.height !== last.height) schedule();
      last = state;
    });
    return () => {
      unsubscribe();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [scene, store]);

  return <canvas ref={canvasRef} className="overview-canvas" data-testid="overview-canvas" aria-hidden="true" />;
}
