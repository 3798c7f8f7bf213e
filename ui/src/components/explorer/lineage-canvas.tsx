// The React Flow canvas of the explorer (graph and column views): zoom/pan/fit, minimap, controls,
// node dragging, centring on a search match, fit when the layout changes. Big graphs render only what
// is on screen (onlyRenderVisibleElements).
import {
  Background, BackgroundVariant, Controls, MiniMap, ReactFlow, ReactFlowProvider, applyNodeChanges, useReactFlow,
  type NodeChange, type NodeMouseHandler,
} from '@xyflow/react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { edgeTypes, nodeTypes } from '../nodes/registry';
import type { LineageFlowEdge, LineageFlowNode } from '../../types/flow';
import { KIND_COLORS } from '../../lib/export-svg';
import type { NodeKind } from '../../types/graph';

/** From this many nodes on, React Flow renders only the visible ones and the view opens on the root. */
export const LARGE_GRAPH = 300;
/** Above this many nodes the minimap (which draws every node on each frame) is left out: at 5,000 nodes
 * it doubled the frame time while panning (docs/ui.md, "Benchmarks"). */
export const MINIMAP_MAX_NODES = 1500;

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

function CanvasInner({ nodes: incoming, edges, fitKey, fitAll = false, rootId, focus, onNodeClick, onPaneClick, onFirstPaint }: Props) {
  const [nodes, setNodes] = useState(incoming);
  const flow = useReactFlow<LineageFlowNode, LineageFlowEdge>();
  const painted = useRef(false);
  useEffect(() => setNodes(incoming), [incoming]);
  const onNodesChange = useCallback((changes: NodeChange<LineageFlowNode>[]) => setNodes((ns) => applyNodeChanges(changes, ns)), []);
  const large = incoming.length >= LARGE_GRAPH;

  // Fit once React Flow holds the nodes of the new layout: the fit is armed when fitKey changes and
  // fired from the effect that runs after the nodes state (and so React Flow's store) caught up.
  const pendingFit = useRef<string | null>(null);
  useEffect(() => {
    if (fitKey) pendingFit.current = fitKey;
  }, [fitKey]);
  useEffect(() => {
    if (!pendingFit.current || nodes !== incoming || incoming.length === 0) return;
    pendingFit.current = null;
    const id = requestAnimationFrame(() => {
      const root = incoming.find((n) => n.id === rootId);
      if (large && !fitAll && root) {
        // A big graph fitted on screen is unreadable and renders every node: start at the root.
        void flow.setCenter(root.position.x + (root.width ?? 248) / 2, root.position.y + (root.height ?? 62) / 2, { zoom: 0.9 });
      } else {
        void flow.fitView({ padding: 0.15, maxZoom: 1.2, duration: large ? 0 : 250 });
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
    const node = flow.getNode(focus.id);
    if (!node) return;
    const w = node.width ?? 248;
    const h = node.height ?? 62;
    void flow.setCenter(node.position.x + w / 2, node.position.y + h / 2, { zoom: Math.max(flow.getZoom(), 1), duration: 300 });
  }, [focus, flow]);

  const handleClick: NodeMouseHandler<LineageFlowNode> = useCallback((_e, node) => onNodeClick(node.id), [onNodeClick]);

  return (
    <ReactFlow<LineageFlowNode, LineageFlowEdge>
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      edgeTypes={edgeTypes}
      onNodesChange={onNodesChange}
      onNodeClick={handleClick}
      onPaneClick={onPaneClick}
      nodesConnectable={false}
      edgesFocusable={false}
      onlyRenderVisibleElements={large}
      minZoom={0.02}
      maxZoom={2.5}
      proOptions={{ hideAttribution: true }}
    >
      <Background variant={BackgroundVariant.Dots} gap={20} size={1} color="#cbd5e1" />
      <Controls showInteractive={false} position="bottom-left" />
      {incoming.length <= MINIMAP_MAX_NODES ? <MiniMap<LineageFlowNode> pannable zoomable position="bottom-right" ariaLabel="Minimap"
               nodeColor={(n) => KIND_COLORS[(n.type ?? 'dataset') as NodeKind].accent}
               nodeStrokeWidth={0} maskColor="rgba(241, 245, 249, 0.7)" /> : null}
    </ReactFlow>
  );
}

export function LineageCanvas(props: Props) {
  return (
    <ReactFlowProvider>
      <CanvasInner {...props} />
    </ReactFlowProvider>
  );
}
