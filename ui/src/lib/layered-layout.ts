// A fast layered (Sugiyama-style) left-to-right layout for graphs too big for ELK within the
// interactive budget (see docs/ui.md, "Benchmarks"): cycle breaking by DFS, longest-path layering with
// sources pulled next to their targets, barycenter ordering sweeps, and barycentric y placement
// (isotonic regression, so gaps and order hold without drift). Linear-ish in nodes + edges per sweep; no dummy nodes for long edges.
import type { Positions, Size } from '../types/graph';

export interface LayoutNode extends Size {
  id: string;
}

export interface LayoutEdge {
  source: string;
  target: string;
}

export interface LayeredOptions {
  /** Horizontal gap between layers. */
  layerGap?: number;
  /** Vertical gap between nodes of one layer. */
  nodeGap?: number;
  /** Ordering sweeps (each is one down and one up pass). */
  sweeps?: number;
}

export interface LayoutResult {
  positions: Positions;
  width: number;
  height: number;
}

export function layeredLayout(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[],
                              options: LayeredOptions = {}): LayoutResult {
  const layerGap = options.layerGap ?? 90;
  const nodeGap = options.nodeGap ?? 24;
  const sweeps = options.sweeps ?? 4;
  const n = nodes.length;
  if (n === 0) return { positions: {}, width: 0, height: 0 };
  const index = new Map<string, number>();
  nodes.forEach((node, i) => index.set(node.id, i));

  // Adjacency over indices, self-loops and duplicates dropped.
  const out: number[][] = Array.from({ length: n }, () => []);
  const seen = new Set<string>();
  for (const e of edges) {
    const s = index.get(e.source);
    const t = index.get(e.target);
    if (s === undefined || t === undefined || s === t) continue;
    const key = `${s},${t}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out[s]!.push(t);
  }

  // 1. Break cycles: iterative DFS; an edge to a node on the stack is reversed.
  const state = new Uint8Array(n); // 0 new, 1 on stack, 2 done
  const dagOut: number[][] = Array.from({ length: n }, () => []);
  for (let root = 0; root < n; root++) {
    if (state[root] !== 0) continue;
    const stack: Array<[number, number]> = [[root, 0]];
    state[root] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [v, i] = top;
      const succ = out[v]!;
      if (i < succ.length) {
        top[1] = i + 1;
        const w = succ[i]!;
        if (state[w] === 1) dagOut[w]!.push(v); // back edge: reverse it
        else {
          dagOut[v]!.push(w);
          if (state[w] === 0) {
            state[w] = 1;
            stack.push([w, 0]);
          }
        }
      } else {
        state[v] = 2;
        stack.pop();
      }
    }
  }
  const dagIn: number[][] = Array.from({ length: n }, () => []);
  for (let v = 0; v < n; v++) for (const w of dagOut[v]!) dagIn[w]!.push(v);

  // 2. Longest-path layering in topological order (Kahn).
  const indeg = dagIn.map((a) => a.length);
  const topo: number[] = [];
  for (let v = 0; v < n; v++) if (indeg[v] === 0) topo.push(v);
  for (let i = 0; i < topo.length; i++) {
    for (const w of dagOut[topo[i]!]!) if (--indeg[w]! === 0) topo.push(w);
  }
  const layer = new Int32Array(n);
  for (const v of topo) for (const w of dagOut[v]!) layer[w] = Math.max(layer[w]!, layer[v]! + 1);
  // Pull sources right, next to their nearest target, so inputs sit beside their consumer.
  for (let i = topo.length - 1; i >= 0; i--) {
    const v = topo[i]!;
    if (dagIn[v]!.length === 0 && dagOut[v]!.length > 0) {
      let min = Infinity;
      for (const w of dagOut[v]!) min = Math.min(min, layer[w]!);
      layer[v] = min - 1;
    }
  }
  let layerCount = 0;
  for (let v = 0; v < n; v++) layerCount = Math.max(layerCount, layer[v]! + 1);
  const layers: number[][] = Array.from({ length: layerCount }, () => []);
  for (const v of topo) layers[layer[v]!]!.push(v); // initial order: topological (≈ DFS discovery)

  // 3. Barycenter ordering sweeps; `rank` is a node's relative position (0..1) in its layer.
  const rank = new Float64Array(n);
  const setRanks = (l: number[]) => l.forEach((v, i) => (rank[v] = l.length > 1 ? i / (l.length - 1) : 0.5));
  layers.forEach(setRanks);
  const bary = (v: number, neighbours: number[]) => {
    if (neighbours.length === 0) return rank[v]!;
    let sum = 0;
    for (const u of neighbours) sum += rank[u]!;
    return sum / neighbours.length;
  };
  const sortLayer = (l: number[], adj: number[][]) => {
    const key = new Map<number, number>();
    for (const v of l) key.set(v, bary(v, adj[v]!));
    l.sort((a, b) => key.get(a)! - key.get(b)! || rank[a]! - rank[b]!);
    setRanks(l);
  };
  for (let s = 0; s < sweeps; s++) {
    for (let i = 1; i < layerCount; i++) sortLayer(layers[i]!, dagIn);
    for (let i = layerCount - 2; i >= 0; i--) sortLayer(layers[i]!, dagOut);
  }

  // 4. Coordinates. x by layer (widest node per layer); y stacked, then pulled towards neighbours.
  const widths = nodes.map((node) => node.width);
  const heights = nodes.map((node) => node.height);
  const layerX: number[] = [];
  let x = 0;
  for (const l of layers) {
    layerX.push(x);
    let w = 0;
    for (const v of l) w = Math.max(w, widths[v]!);
    x += w + layerGap;
  }
  const y = new Float64Array(n);
  let maxHeight = 0;
  for (const l of layers) {
    let cursor = 0;
    for (const v of l) {
      y[v] = cursor;
      cursor += heights[v]! + nodeGap;
    }
    maxHeight = Math.max(maxHeight, cursor - nodeGap);
  }
  for (const l of layers) {
    const total = l.length ? y[l[l.length - 1]!]! + heights[l[l.length - 1]!]! : 0;
    const shift = (maxHeight - total) / 2;
    for (const v of l) y[v] = y[v]! + shift;
  }
  const centre = (v: number) => y[v]! + heights[v]! / 2;
  const place = (l: number[], adj: number[][]) => {
    if (l.length === 0) return;
    const desired = l.map((v) => {
      const nb = adj[v]!;
      if (nb.length === 0) return y[v]!;
      let sum = 0;
      for (const u of nb) sum += centre(u);
      return sum / nb.length - heights[v]! / 2;
    });
    // Closest placement to the desired positions that keeps the order and the gaps: with o_i the
    // stacked offset of node i, z_i = y_i - o_i must not decrease, so z is the isotonic regression of
    // desired_i - o_i (pool adjacent violators). A greedy push-down would let every layer add its
    // height to the previous one's spread.
    const offsets: number[] = [];
    let acc = 0;
    for (const v of l) {
      offsets.push(acc);
      acc += heights[v]! + nodeGap;
    }
    const blocks: Array<{ sum: number; count: number }> = [];
    desired.forEach((d, i) => {
      blocks.push({ sum: d - offsets[i]!, count: 1 });
      while (blocks.length > 1) {
        const b = blocks[blocks.length - 1]!;
        const a = blocks[blocks.length - 2]!;
        if (a.sum / a.count <= b.sum / b.count) break;
        a.sum += b.sum;
        a.count += b.count;
        blocks.pop();
      }
    });
    const placed: number[] = [];
    for (const b of blocks) for (let k = 0; k < b.count; k++) placed.push(b.sum / b.count + offsets[placed.length]!);
    l.forEach((v, i) => (y[v] = placed[i]!));
  };
  for (let s = 0; s < 2; s++) {
    for (let i = 1; i < layerCount; i++) place(layers[i]!, dagIn);
    for (let i = layerCount - 2; i >= 0; i--) place(layers[i]!, dagOut);
  }

  let minY = Infinity;
  let maxY = -Infinity;
  for (let v = 0; v < n; v++) {
    minY = Math.min(minY, y[v]!);
    maxY = Math.max(maxY, y[v]! + heights[v]!);
  }
  const positions: Positions = {};
  for (let v = 0; v < n; v++) positions[nodes[v]!.id] = { x: layerX[layer[v]!]!, y: y[v]! - minY };
  return { positions, width: Math.max(0, x - layerGap), height: maxY - minY };
}
