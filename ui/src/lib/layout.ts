// Choosing a layout engine: ELK for graphs it lays out within the interactive budget, the fast
// layered layout beyond (the threshold comes from bench/ui, see docs/ui.md "Benchmarks").
import type { ELK } from 'elkjs/lib/elk-api';
import { elkLayout } from './elk-layout';
import { layeredLayout, type LayoutEdge, type LayoutNode, type LayoutResult } from './layered-layout';

export type LayoutEngine = 'auto' | 'elk' | 'layered';

/** Above this many nodes `auto` uses the fast layered layout. */
export const ELK_MAX_NODES = 200;

export function pickEngine(engine: LayoutEngine, nodeCount: number): 'elk' | 'layered' {
  if (engine !== 'auto') return engine;
  return nodeCount <= ELK_MAX_NODES ? 'elk' : 'layered';
}

export async function computeLayout(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[],
                                    options: { engine?: LayoutEngine; elk?: () => ELK; layerGap?: number } = {}): Promise<LayoutResult & { engine: 'elk' | 'layered' }> {
  const engine = pickEngine(options.engine ?? 'auto', nodes.length);
  if (engine === 'elk' && options.elk) {
    try {
      return { ...(await elkLayout(options.elk(), nodes, edges, options.layerGap)), engine };
    } catch (err) {
      console.warn('ELK layout failed, using the layered fallback', err);
    }
  }
  return { ...layeredLayout(nodes, edges, options.layerGap ? { layerGap: options.layerGap } : {}), engine: 'layered' };
}
