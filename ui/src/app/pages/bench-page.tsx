// /__bench?nodes=5000&edges=10000&engine=auto|elk|layered&visible=1|0&renderer=flow|explorer — the
// big-graph benchmark page driven by bench/ui/run.mjs: a synthetic lineage graph laid out and rendered
// with the explorer's own code (layout, flow elements, node registry), with timings and a scripted pan
// exposed on window.__lineagelensBench. `renderer=explorer` renders it with the explorer's canvas
// component itself (components/explorer/lineage-canvas.tsx: visible-only cards near, the canvas
// overview zoomed out); `flow` with a bare React Flow. Loaded lazily; not linked from the UI.
import { ReactFlow, ReactFlowProvider, useReactFlow, MiniMap, Background, BackgroundVariant } from '@xyflow/react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { CanvasInner } from '../../components/explorer/lineage-canvas';
import { edgeTypes, nodeTypes } from '../../components/nodes/registry';
import { createElk } from '../../lib/elk-instance';
import { graphLayoutInput, toFlowElements } from '../../lib/flow-elements';
import { computeLayout, type LayoutEngine } from '../../lib/layout';
import { syntheticLineage } from '../../lib/synthetic-graph';
import type { LineageFlowEdge, LineageFlowNode } from '../../types/flow';
import { KIND_COLORS } from '../../lib/export-svg';
import type { NodeKind } from '../../types/graph';

interface BenchResult {
  nodes: number;
  edges: number;
  engine: string;
  generateMs: number;
  layoutMs: number;
  elementsMs: number;
  firstPaintMs: number;
  interactiveMs: number;
  renderedNodes: number;
  renderedEdges: number;
  renderer: string;
}

interface PanResult { frames: number; meanMs: number; p95Ms: number; maxMs: number; fps: number; renderedNodes: number; renderedEdges: number; overview: boolean; overviewNodes: number }

declare global {
  interface Window {
    __lineagelensBench?: {
      result: BenchResult | null;
      error: string | null;
      pan(frames: number, zoom: number): Promise<PanResult>;
      fit(): Promise<number>;
      panFit(frames: number): Promise<PanResult>;
    };
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const nextFrame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve));

function Bench({ params }: { params: URLSearchParams }) {
  const flow = useReactFlow<LineageFlowNode, LineageFlowEdge>();
  const [elements, setElements] = useState<{ nodes: LineageFlowNode[]; edges: LineageFlowEdge[] } | null>(null);
  const timing = useRef<Partial<BenchResult>>({});
  const start = useRef(performance.now());
  const n = Number(params.get('nodes') ?? 5000);
  const m = Number(params.get('edges') ?? 10000);
  const engine = (params.get('engine') ?? 'auto') as LayoutEngine;
  const visibleOnly = params.get('visible') !== '0';
  const renderer = params.get('renderer') === 'explorer' ? 'explorer' : 'flow';
  const rootId = useRef('');
  const [explorerPainted, setExplorerPainted] = useState(false);
  const explorerPaintedAt = useRef(0);
  const [fitToken, setFitToken] = useState(0);

  useEffect(() => {
    const none: PanResult = { frames: 0, meanMs: 0, p95Ms: 0, maxMs: 0, fps: 0, renderedNodes: 0, renderedEdges: 0, overview: false, overviewNodes: 0 };
    window.__lineagelensBench = { result: null, error: null, pan: async () => none, fit: async () => 0, panFit: async () => none };
    let cancelled = false;
    void (async () => {
      try {
        const t0 = performance.now();
        const graph = syntheticLineage({ nodes: n, edges: m, seed: 42 });
        const t1 = performance.now();
        const input = graphLayoutInput(graph);
        const layout = await computeLayout(input.nodes, input.edges, { engine, elk: createElk });
        const t2 = performance.now();
        rootId.current = Object.keys(graph.nodes)[Math.floor(n / 2)] ?? '';
        const els = toFlowElements(graph, { rootId: rootId.current, positions: layout.positions, toggles: () => ({ up: 'collapse', down: 'collapse' }) });
        const t3 = performance.now();
        if (cancelled) return;
        timing.current = { nodes: n, edges: m, engine: layout.engine, generateMs: t1 - t0, layoutMs: t2 - t1, elementsMs: t3 - t2 };
        setElements(els);
      } catch (err) {
        window.__lineagelensBench!.error = String(err);
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [n, m, engine]);

  useEffect(() => {
    if (!elements) return;
    // The explorer canvas centres on the root and reports its first painted frame itself.
    if (renderer === 'explorer' && !explorerPainted) return;
    void (async () => {
      const phases: Record<string, number> = { effect: performance.now() - start.current };
      const root = elements.nodes.find((x) => x.id === rootId.current);
      let painted = explorerPaintedAt.current || performance.now();
      if (renderer === 'flow') {
        if (root) await flow.setCenter(root.position.x + 124, root.position.y + 31, { zoom: 0.9 });
        phases.centred = performance.now() - start.current;
        await nextFrame();
        phases.frame1 = performance.now() - start.current;
        await nextFrame();
        painted = performance.now();
      }
      phases.frame2 = painted - start.current;
      (window as unknown as { __benchPhases: unknown }).__benchPhases = phases;
      const rendered = document.querySelectorAll('.react-flow__node').length;
      window.__lineagelensBench!.result = {
        ...(timing.current as BenchResult), renderer, firstPaintMs: painted - start.current, interactiveMs: painted - start.current, renderedNodes: rendered,
        renderedEdges: document.querySelectorAll('.react-flow__edge').length,
      };
      // Pans start from the focus node centred on screen at the given zoom, then move 12 px per frame
      // (and ±6 px vertically), so they stay over the graph.
      const rect = document.querySelector('.react-flow')!.getBoundingClientRect();
      const cx = (root?.position.x ?? 0) + 124;
      const cy = (root?.position.y ?? 0) + 31;
      const runPan = async (frames: number, zoom: number, start: { x: number; y: number }) => {
        await flow.setViewport({ ...start, zoom });
        await nextFrame();
        await nextFrame();
        const times: number[] = [];
        let last = await nextFrame();
        for (let i = 0; i < frames; i++) {
          const v = flow.getViewport();
          await flow.setViewport({ x: v.x - 12, y: v.y + (i % 40 < 20 ? 6 : -6), zoom });
          const now = await nextFrame();
          times.push(now - last);
          last = now;
        }
        const meanMs = times.reduce((a, b) => a + b, 0) / times.length;
        return { frames, meanMs, p95Ms: percentile(times, 95), maxMs: Math.max(...times), fps: 1000 / meanMs,
          renderedNodes: document.querySelectorAll('.react-flow__node').length, renderedEdges: document.querySelectorAll('.react-flow__edge').length,
          overview: document.querySelector('[data-overview="1"]') !== null, overviewNodes: window.__lineagelensOverview?.nodes ?? 0 };
      };
      window.__lineagelensBench!.pan = (frames, zoom) => runPan(frames, zoom, { x: rect.width / 2 - cx * zoom, y: rect.height / 2 - cy * zoom });
      let fitZoom = 1;
      let fitStart = { x: 0, y: 0 };
      window.__lineagelensBench!.fit = async () => {
        let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
        for (const node of elements.nodes) {
          minX = Math.min(minX, node.position.x);
          minY = Math.min(minY, node.position.y);
          maxX = Math.max(maxX, node.position.x + 248);
          maxY = Math.max(maxY, node.position.y + (node.height ?? 62));
        }
        fitZoom = Math.max(0.02, Math.min(rect.width / (maxX - minX), rect.height / (maxY - minY)) * 0.95);
        fitStart = { x: (rect.width - (maxX - minX) * fitZoom) / 2 - minX * fitZoom, y: (rect.height - (maxY - minY) * fitZoom) / 2 - minY * fitZoom };
        const t = performance.now();
        if (renderer === 'explorer') {
          // The explorer's own Fit (the toolbar button): the overview takes over before the jump.
          const before = flow.getViewport();
          setFitToken((k) => k + 1);
          for (let i = 0; i < 600 && flow.getViewport().zoom === before.zoom; i++) await nextFrame();
          await nextFrame();
          await nextFrame();
          const v = flow.getViewport();
          fitZoom = v.zoom;
          fitStart = { x: v.x, y: v.y };
          return performance.now() - t;
        }
        await flow.setViewport({ ...fitStart, zoom: fitZoom });
        await nextFrame();
        await nextFrame();
        return performance.now() - t;
      };
      window.__lineagelensBench!.panFit = (frames) => runPan(frames, fitZoom, fitStart);
    })();
  }, [elements, flow, renderer, explorerPainted]);

  if (!elements) return <p className="muted" style={{ padding: 24 }}>Generating and laying out {n} nodes / {m} edges…</p>;
  if (renderer === 'explorer') {
    const painted = () => {
      // the same moment as the flow renderer's: two animation frames after the view is set
      explorerPaintedAt.current = performance.now();
      setExplorerPainted(true);
    };
    return <CanvasInner nodes={elements.nodes} edges={elements.edges} fitKey={`bench#${fitToken}`} fitAll={fitToken > 0} rootId={rootId.current} focus={null}
                        onNodeClick={() => undefined} onPaneClick={() => undefined} onFirstPaint={painted} />;
  }
  return (
    <ReactFlow<LineageFlowNode, LineageFlowEdge> nodes={elements.nodes} edges={elements.edges} nodeTypes={nodeTypes} edgeTypes={edgeTypes}
               onlyRenderVisibleElements={visibleOnly} minZoom={0.02} nodesConnectable={false} proOptions={{ hideAttribution: true }}>
      <Background variant={BackgroundVariant.Dots} gap={20} size={1} color="#cbd5e1" />
      {params.get('minimap') !== '0' ? <MiniMap<LineageFlowNode> nodeColor={(x) => KIND_COLORS[(x.type ?? 'dataset') as NodeKind].accent} nodeStrokeWidth={0} /> : null}
    </ReactFlow>
  );
}

export default function BenchPage({ search }: { search: string }) {
  const params = useMemo(() => new URLSearchParams(search), [search]);
  return (
    <div className="canvas-wrap bench" data-testid="bench">
      <ReactFlowProvider>
        <Bench params={params} />
      </ReactFlowProvider>
    </div>
  );
}
