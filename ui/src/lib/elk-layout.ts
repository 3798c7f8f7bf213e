// ELK (elkjs, algorithm "layered", direction RIGHT) behind the same shape as layered-layout.ts: the
// adapter builds the ELK graph and reads positions back. The ELK instance is passed in, so the
// browser can use a web worker (lib/elk-instance.ts) and tests the bundled build.
import type { ELK, ElkNode, LayoutOptions } from 'elkjs/lib/elk-api';
import type { LayoutEdge, LayoutNode, LayoutResult } from './layered-layout';

export const ELK_OPTIONS: LayoutOptions = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.layered.spacing.nodeNodeBetweenLayers': '90',
  'elk.spacing.nodeNode': '24',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.layered.crossingMinimization.strategy': 'LAYER_SWEEP',
  'elk.separateConnectedComponents': 'true',
  'elk.spacing.componentComponent': '48',
};

export function toElkGraph(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[],
                           options: LayoutOptions = ELK_OPTIONS): ElkNode {
  const ids = new Set(nodes.map((n) => n.id));
  const seen = new Set<string>();
  return {
    id: 'root',
    layoutOptions: options,
    children: nodes.map((n) => ({ id: n.id, width: n.width, height: n.height })),
    edges: edges.flatMap((e, i) => {
      const key = `${e.source}\u0000${e.target}`;
      if (!ids.has(e.source) || !ids.has(e.target) || e.source === e.target || seen.has(key)) return [];
      seen.add(key);
      return [{ id: `e${i}`, sources: [e.source], targets: [e.target] }];
    }),
  };
}

export function fromElkResult(result: ElkNode): LayoutResult {
  const positions: LayoutResult['positions'] = {};
  for (const child of result.children ?? []) positions[child.id] = { x: child.x ?? 0, y: child.y ?? 0 };
  return { positions, width: result.width ?? 0, height: result.height ?? 0 };
}

export async function elkLayout(elk: ELK, nodes: readonly LayoutNode[], edges: readonly LayoutEdge[], layerGap?: number): Promise<LayoutResult> {
  if (nodes.length === 0) return { positions: {}, width: 0, height: 0 };
  const options = layerGap ? { ...ELK_OPTIONS, 'elk.layered.spacing.nodeNodeBetweenLayers': String(layerGap) } : ELK_OPTIONS;
  return fromElkResult(await elk.layout(toElkGraph(nodes, edges, options)));
}
