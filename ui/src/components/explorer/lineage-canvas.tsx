// The React Flow canvas of the explorer (graph and column views): zoom/pan/fit, minimap, controls,
// node dragging, centring on a search match, fit when the layout changes. Big graphs render only what
// is on screen (onlyRenderVisibleElements), and zoomed out they hand over to the overview: React Flow
// then holds no nodes and a 2D canvas draws the whole graph (overview-layer.tsx), back to cards as
// soon as you zoom in (lib/overview.ts wantOverview). Cards show less as you zoom out (semantic zoom:
// the wrapper's data-zoom, see styles.css).
import {
  Background, BackgroundVariant, Controls, MiniMap, ReactFlow, ReactFlowProvider, applyNodeChanges, getViewportForBounds,
  useReactFlow, useStoreApi, type NodeChange, type NodeMouseHandler,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState, type MouseEvent as ReactMouseEvent } from 'react';
import { edgeTypes, nodeTypes } from '../nodes/registry';
import { OverviewLayer } from './overview-layer';
import type { LineageFlowEdge, LineageFlowNode } from '../../types/flow';
import { KIND_COLORS } from '../../lib/export-svg';
import { buildScene, countVisible, hitTest, visibleRect, wantOverview, zoomLevel } from '../../lib/overview';
import { NODE_HEIGHT, NODE_WIDTH } from '../../lib/node-size';
import type { NodeKind } from '../../types/graph';

/** From this many nodes on, React Flow renders only the visible ones and the view opens on the root. */
export const LARGE_GRAPH = 300;
/** Above this many nodes the minimap (which draws every node on each frame) is left out: at 5,000 nodes
 * it doubled the frame time while panning (docs/ui.md, "Benchmarks"). */
export const MINIMAP_MAX_NODES = 1500;
const MIN_ZOOM = 0.02;
const FIT_MAX_ZOOM = 1.2;
const EMPTY_NODES: LineageFlowNode[] = [];
const EMPTY_EDGES: LineageFlowEdge[] = [];

export interface CanvasFocus {
  id: string;
  token: number;
}

interface Props {
  nodes: LineageFlowNode[];
  edges: LineageFlowEdge[];
  /** Changes when the layout changes: the view is fitted again (big graphs: centred on the root). */
  fitKey: string;
  /** Fit everything even when big (the Fit button). */
  fitAll?: boolean;
  rootId: string;
  focus: CanvasFocus | null;
  onNodeClick(id: string): void;
  onPaneClick(): void;
  onFirstPaint?(): void;
}

function boundsOf(nodes: readonly LineageFlowNode[]) {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const n of nodes) {
    minX = Math.min(minX, n.position.x);
    minY = Math.min(minY, n.position.y);
    maxX = Math.max(maxX, n.position.x + (n.width ?? NODE_WIDTH));
    maxY = Math.max(maxY, n.position.y + (n.height ?? NODE_HEIGHT));
  }
  return { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}

export function CanvasInner({ nodes: incoming, edges, fitKey, fitAll = false, rootId, focus, onNodeClick, onPaneClick, onFirstPaint }: Props) {
  const [nodes, setNodes] = useState(incoming);
  const flow = useReactFlow<LineageFlowNode, LineageFlowEdge>();
  const store = useStoreApi<LineageFlowNode, LineageFlowEdge>();
  const painted = useRef(false);
  const wrapRef = useRef<HTMLDivElement>(null);
  useEffect(() => setNodes(incoming), [incoming]);
  const onNodesChange = useCallback((changes: NodeChange<LineageFlowNode>[]) => setNodes((ns) => applyNodeChanges(changes, ns)), []);
  const large = incoming.length >= LARGE_GRAPH;

  // ---- Overview hand-over and semantic zoom, decided on every viewport change (no React render
  // unless the mode flips).
  const scene = useMemo(() => buildScene(large ? nodes : EMPTY_NODES, large ? edges : EMPTY_EDGES), [large, nodes, edges]);
  const [overview, setOverview] = useState(false);
  const overviewRef = useRef(false);
  useEffect(() => {
    const decide = () => {
      const { transform, width, height } = store.getState();
      const viewport = { x: transform[0], y: transform[1], zoom: transform[2] };
      const level = zoomLevel(viewport.zoom);
      if (wrapRef.current && wrapRef.current.dataset.zoom !== level) wrapRef.current.dataset.zoom = level;
      if (width === 0 || height === 0) return;
      const visible = scene.count >= LARGE_GRAPH ? countVisible(scene, visibleRect(viewport, width, height)) : 0;
      const next = wantOverview(overviewRef.current, { zoom: viewport.zoom, visible, total: scene.count });
      if (next !== overviewRef.current) {
        overviewRef.current = next;
        setOverview(next);
      }
    };
    decide();
    let last = store.getState().transform;
    return store.subscribe((state) => {
      if (state.transform === last) return;
      last = state.transform;
      decide();
    });
  }, [scene, store]);

  // Jump to a viewport. When the overview will show there, it takes over first: with React Flow's
  // cards still in place, a jump to a zoomed-out view would render every card once (seconds at 5,000).
  const moveTo = useCallback((viewport: { x: number; y: number; zoom: number }, duration: number) => {
    const { width, height } = store.getState();
    const visible = scene.count >= LARGE_GRAPH ? countVisible(scene, visibleRect(viewport, width, height)) : 0;
    if (!overviewRef.current && wantOverview(false, { zoom: viewport.zoom, visible, total: scene.count })) {
      overviewRef.current = true;
      setOverview(true);
      requestAnimationFrame(() => requestAnimationFrame(() => void flow.setViewport(viewport, { duration })));
    } else {
      void flow.setViewport(viewport, { duration });
    }
  }, [flow, store, scene]);

  // Fit once React Flow holds the nodes of the new layout: the fit is armed when fitKey changes and
  // fired from the effect that runs after the nodes state (and so React Flow's store) caught up. The
  // bounds come from our nodes, not React Flow's, which holds none while the overview is shown.
  const pendingFit = useRef<string | null>(null);
  useEffect(() => {
    if (fitKey) pendingFit.current = fitKey;
  }, [fitKey]);
  // The incoming nodes the nodes state has caught up with: React Flow's own changes (measuring,
  // selecting, dragging) make new arrays, which must not block later fits (the toolbar's Fit).
  const applied = useRef<LineageFlowNode[] | null>(null);
  useEffect(() => {
    if (nodes === incoming) applied.current = incoming;
    if (!pendingFit.current || applied.current !== incoming || incoming.length === 0) return;
    pendingFit.current = null;
    const id = requestAnimationFrame(() => {
      const root = incoming.find((n) => n.id === rootId);
      if (large && !fitAll && root) {
        // A big graph fitted on screen renders as the overview: start at the root, readable.
        void flow.setCenter(root.position.x + (root.width ?? NODE_WIDTH) / 2, root.position.y + (root.height ?? NODE_HEIGHT) / 2, { zoom: 0.9 });
      } else {
        const { width, height } = store.getState();
        moveTo(getViewportForBounds(boundsOf(incoming), width, height, MIN_ZOOM, FIT_MAX_ZOOM, 0.15), large ? 0 : 250);
      }
      if (!painted.current) {
        painted.current = true;
        requestAnimationFrame(() => requestAnimationFrame(() => onFirstPaint?.()));
      }
    });
    return () => cancelAnimationFrame(id);
    // fires when the nodes state catches up with an armed fit
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [nodes, fitKey]);

  useEffect(() => {
    if (!focus) return;
    const node = incoming.find((n) => n.id === focus.id);
    if (!node) return;
    const w = node.width ?? NODE_WIDTH;
    const h = node.height ?? NODE_HEIGHT;
    void flow.setCenter(node.position.x + w / 2, node.position.y + h / 2, { zoom: Math.max(flow.getZoom(), 1), duration: 300 });
    // only a new focus token moves the view
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [focus, flow]);

  // The Controls' fit button: the same fit as the toolbar's (React Flow's own needs its nodes).
  const fitEverything = useCallback(() => {
    if (incoming.length === 0) return;
    const { width, height } = store.getState();
    moveTo(getViewportForBounds(boundsOf(incoming), width, height, MIN_ZOOM, FIT_MAX_ZOOM, 0.15), large ? 0 : 250);
  }, [moveTo, store, incoming, large]);

  const handleClick: NodeMouseHandler<LineageFlowNode> = useCallback((_e, node) => onNodeClick(node.id), [onNodeClick]);

  // In the overview, clicks and hover on the pane are hit-tested against the drawn boxes.
  const nodeAt = useCallback((event: ReactMouseEvent) => {
    const point = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
    const i = hitTest(scene, point.x, point.y, 2 / Math.max(flow.getZoom(), MIN_ZOOM));
    return i >= 0 ? i : null;
  }, [flow, scene]);
  const handlePaneClick = useCallback((event: ReactMouseEvent) => {
    const i = overviewRef.current ? nodeAt(event) : null;
    if (i !== null) onNodeClick(scene.ids[i]!);
    else onPaneClick();
  }, [nodeAt, onNodeClick, onPaneClick, scene]);
  const hovered = useRef<number | null>(null);
  const handlePaneMove = useCallback((event: ReactMouseEvent) => {
    if (!overviewRef.current || !wrapRef.current) return;
    const i = nodeAt(event);
    if (i === hovered.current) return;
    hovered.current = i;
    wrapRef.current.title = i === null ? '' : scene.titles[i]!;
    wrapRef.current.classList.toggle('is-over-node', i !== null);
  }, [nodeAt, scene]);

  return (
    <div ref={wrapRef} className={`lineage-canvas${overview ? ' is-overview' : ''}`} data-zoom="near" data-overview={overview ? '1' : '0'}>
      <ReactFlow<LineageFlowNode, LineageFlowEdge>
        nodes={overview ? EMPTY_NODES : nodes}
        edges={overview ? EMPTY_EDGES : edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onNodeClick={handleClick}
        onPaneClick={handlePaneClick}
        onPaneMouseMove={handlePaneMove}
        nodesConnectable={false}
        edgesFocusable={false}
        onlyRenderVisibleElements={large}
        minZoom={MIN_ZOOM}
        maxZoom={2.5}
        proOptions={{ hideAttribution: true }}
      >
        <Background variant={BackgroundVariant.Dots} gap={20} size={1} color="#cbd5e1" />
        {overview ? <OverviewLayer scene={scene} /> : null}
        <Controls showInteractive={false} position="bottom-left" onFitView={fitEverything} />
        {incoming.length <= MINIMAP_MAX_NODES && !overview ? <MiniMap<LineageFlowNode> pannable zoomable position="bottom-right" ariaLabel="Minimap"
                 nodeColor={(n) => KIND_COLORS[(n.type ?? 'dataset') as NodeKind].accent}
                 nodeStrokeWidth={0} maskColor="rgba(241, 245, 249, 0.7)" /> : null}
      </ReactFlow>
      {overview ? <div className="overview-hint" role="status">Overview of {scene.count.toLocaleString('en')} nodes — zoom in to see the cards</div> : null}
    </div>
  );
}

export function LineageCanvas(props: Props) {
  return (
    <ReactFlowProvider>
      <CanvasInner {...props} />
    </ReactFlowProvider>
  );
}
