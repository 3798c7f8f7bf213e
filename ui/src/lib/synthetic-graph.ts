// A deterministic synthetic lineage graph (datasets and jobs alternating by layer) for the big-graph
// benchmark (bench/ui) and layout tests.
import type { Graph } from '../types/graph';
import { edgeId } from './graph';

export interface SyntheticOptions {
  nodes: number;
  edges: number;
  seed?: number;
  /** Number of layers (default ≈ √nodes / 2). */
  layers?: number;
}

/** Mulberry32: a small seeded PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function syntheticGraph(options: SyntheticOptions): { nodes: Array<{ id: string; kind: 'dataset' | 'job'; layer: number }>; edges: Array<{ source: string; target: string }> } {
  const random = prng(options.seed ?? 1);
  const layerCount = Math.max(2, options.layers ?? Math.round(Math.sqrt(options.nodes) / 2));
  const nodes: Array<{ id: string; kind: 'dataset' | 'job'; layer: number }> = [];
  const byLayer: string[][] = Array.from({ length: layerCount }, () => []);
  for (let i = 0; i < options.nodes; i++) {
    const layer = Math.min(layerCount - 1, Math.floor((i / options.nodes) * layerCount));
    const kind = layer % 2 === 0 ? 'dataset' : 'job';
    const id = kind === 'dataset' ? `dataset:bench:ds_${i}` : `job:bench:job_${i}`;
    nodes.push({ id, kind, layer });
    byLayer[layer]!.push(id);
  }
  const edges: Array<{ source: string; target: string }> = [];
  const seen = new Set<string>();
  let attempts = 0;
  // Every node gets one edge from the previous layer first (a connected-looking picture), then random
  // edges to the next one or two layers.
  for (let l = 1; l < layerCount && edges.length < options.edges; l++) {
    for (const target of byLayer[l]!) {
      const prev = byLayer[l - 1]!;
      const source = prev[Math.floor(random() * prev.length)]!;
      seen.add(`${source}>${target}`);
      edges.push({ source, target });
      if (edges.length >= options.edges) break;
    }
  }
  while (edges.length < options.edges && attempts++ < options.edges * 20) {
    const l = Math.floor(random() * (layerCount - 1));
    const span = l + 2 < layerCount && random() < 0.15 ? 2 : 1;
    const from = byLayer[l]!;
    const to = byLayer[l + span]!;
    if (from.length === 0 || to.length === 0) continue;
    const source = from[Math.floor(random() * from.length)]!;
    const target = to[Math.floor(random() * to.length)]!;
    const key = `${source}>${target}`;
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push({ source, target });
  }
  return { nodes, edges };
}

/** The synthetic graph as the UI model. */
export function syntheticLineage(options: SyntheticOptions): Graph {
  const { nodes, edges } = syntheticGraph(options);
  const graph: Graph = { nodes: {}, edges: {} };
  for (const n of nodes) {
    const name = n.id.slice(n.id.lastIndexOf(':') + 1);
    graph.nodes[n.id] = { id: n.id, kind: n.kind, namespace: 'bench', name, data: { namespace: 'bench', name } };
  }
  for (const e of edges) {
    const id = edgeId(e.source, e.target);
    graph.edges[id] = { id, source: e.source, target: e.target, manual: false };
  }
  return graph;
}
