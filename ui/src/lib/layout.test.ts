import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { elkLayout, toElkGraph } from './elk-layout';
import { layeredLayout, type LayoutNode } from './layered-layout';
import { computeLayout, pickEngine } from './layout';
import { syntheticGraph } from './synthetic-graph';

const box = (id: string, height = 40): LayoutNode => ({ id, width: 100, height });

function overlaps(nodes: LayoutNode[], positions: Record<string, { x: number; y: number }>): boolean {
  const sorted = [...nodes].sort((a, b) => positions[a.id]!.x - positions[b.id]!.x || positions[a.id]!.y - positions[b.id]!.y);
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length; j++) {
      const a = sorted[i]!, b = sorted[j]!;
      const pa = positions[a.id]!, pb = positions[b.id]!;
      if (pb.x >= pa.x + a.width) break;
      if (pa.x < pb.x + b.width && pb.x < pa.x + a.width && pa.y < pb.y + b.height && pb.y < pa.y + a.height) return true;
    }
  }
  return false;
}

describe('layeredLayout', () => {
  it('puts every edge left to right on an acyclic graph', () => {
    const nodes = ['a', 'b', 'c', 'd', 'e'].map((id) => box(id));
    const edges = [{ source: 'a', target: 'b' }, { source: 'b', target: 'c' }, { source: 'a', target: 'd' }, { source: 'd', target: 'c' }, { source: 'e', target: 'c' }];
    const { positions } = layeredLayout(nodes, edges);
    for (const e of edges) expect(positions[e.source]!.x).toBeLessThan(positions[e.target]!.x);
    // e is a source pulled next to its target c, in the layer of b and d
    expect(positions.e!.x).toBe(positions.b!.x);
  });

  it('survives cycles, self loops, duplicate and dangling edges', () => {
    const nodes = ['a', 'b', 'c'].map((id) => box(id));
    const edges = [{ source: 'a', target: 'b' }, { source: 'b', target: 'c' }, { source: 'c', target: 'a' },
      { source: 'a', target: 'a' }, { source: 'a', target: 'b' }, { source: 'a', target: 'zzz' }];
    const { positions } = layeredLayout(nodes, edges);
    expect(Object.keys(positions).sort()).toEqual(['a', 'b', 'c']);
    expect(new Set(Object.values(positions).map((p) => p.x)).size).toBe(3);
  });

  it('never overlaps nodes of different heights', () => {
    const { nodes, edges } = syntheticGraph({ nodes: 400, edges: 800, seed: 7 });
    const sized = nodes.map((n, i) => box(n.id, 30 + (i % 5) * 20));
    const { positions, width, height } = layeredLayout(sized, edges);
    expect(overlaps(sized, positions)).toBe(false);
    expect(width).toBeGreaterThan(0);
    expect(height).toBeGreaterThan(0);
  });

  it('keeps the picture compact: no taller than the fullest layer stacked, plus its neighbours\' spread', () => {
    const { nodes, edges } = syntheticGraph({ nodes: 2000, edges: 4000, seed: 42 });
    const sized = nodes.map((n) => box(n.id));
    const { positions, height } = layeredLayout(sized, edges);
    const perLayer = new Map<number, number>();
    for (const p of Object.values(positions)) perLayer.set(p.x, (perLayer.get(p.x) ?? 0) + 1);
    const fullest = Math.max(...perLayer.values());
    expect(height).toBeLessThan(fullest * (40 + 24) * 1.5);
  });

  it('is deterministic and handles the empty graph', () => {
    const { nodes, edges } = syntheticGraph({ nodes: 200, edges: 400, seed: 3 });
    const sized = nodes.map((n) => box(n.id));
    expect(layeredLayout(sized, edges)).toEqual(layeredLayout(sized, edges));
    expect(layeredLayout([], [])).toEqual({ positions: {}, width: 0, height: 0 });
  });

  it('lays out 5,000 nodes and 10,000 edges quickly', () => {
    const { nodes, edges } = syntheticGraph({ nodes: 5000, edges: 10000, seed: 1 });
    const started = performance.now();
    const { positions } = layeredLayout(nodes.map((n) => box(n.id)), edges);
    expect(Object.keys(positions)).toHaveLength(5000);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('ELK adapter', () => {
  it('builds an ELK graph without self loops, duplicates or dangling edges', () => {
    const graph = toElkGraph([box('a'), box('b')], [{ source: 'a', target: 'b' }, { source: 'a', target: 'b' }, { source: 'b', target: 'b' }, { source: 'a', target: 'x' }]);
    expect(graph.children).toHaveLength(2);
    expect(graph.edges).toEqual([{ id: 'e0', sources: ['a'], targets: ['b'] }]);
    expect(graph.layoutOptions?.['elk.direction']).toBe('RIGHT');
  });

  it('lays out left to right with the bundled ELK', async () => {
    const result = await elkLayout(new ELK(), [box('a'), box('b'), box('c')], [{ source: 'a', target: 'b' }, { source: 'b', target: 'c' }]);
    expect(result.positions.a!.x).toBeLessThan(result.positions.b!.x);
    expect(result.positions.b!.x).toBeLessThan(result.positions.c!.x);
  });

  it('picks ELK for small graphs and falls back when it fails', async () => {
    expect(pickEngine('auto', 10)).toBe('elk');
    expect(pickEngine('auto', 5000)).toBe('layered');
    const failing = () => ({ layout: () => Promise.reject(new Error('boom')) }) as unknown as InstanceType<typeof ELK>;
    const warn = console.warn;
    console.warn = () => {};
    const result = await computeLayout([box('a'), box('b')], [{ source: 'a', target: 'b' }], { engine: 'elk', elk: failing });
    console.warn = warn;
    expect(result.engine).toBe('layered');
  });
});
