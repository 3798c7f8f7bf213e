// Lay out a graph (ELK in a web worker for small graphs, the fast layered layout for big ones) and
// keep the last result while a new one is computed. Timing goes to performance marks for bench/ui.
import { useEffect, useState } from 'react';
import { createElk } from '../lib/elk-instance';
import type { LayoutEdge, LayoutNode, LayoutResult } from '../lib/layered-layout';
import { computeLayout, type LayoutEngine } from '../lib/layout';

export interface LayoutState extends LayoutResult {
  key: string;
  engine: 'elk' | 'layered' | null;
  ms: number;
  /** The positions are those of the current input (not of a previous graph still being replaced). */
  ready: boolean;
}

const EMPTY: LayoutState = { key: '', positions: {}, width: 0, height: 0, engine: null, ms: 0, ready: false };

export function layoutKey(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[]): string {
  let key = `${nodes.length}|${edges.length}|`;
  for (const n of nodes) key += `${n.id}:${n.width}x${n.height};`;
  for (const e of edges) key += `${e.source}>${e.target};`;
  return key;
}

export function useLayout(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[], engine: LayoutEngine = 'auto', layerGap?: number): LayoutState {
  const [state, setState] = useState<LayoutState>(EMPTY);
  const key = `${layoutKey(nodes, edges)}|${layerGap ?? ''}`;
  useEffect(() => {
    let cancelled = false;
    const started = performance.now();
    performance.mark('lineagelens:layout:start');
    void computeLayout(nodes, edges, { engine, elk: createElk, ...(layerGap ? { layerGap } : {}) }).then((result) => {
      if (cancelled) return;
      performance.mark('lineagelens:layout:end');
      performance.measure('lineagelens:layout', 'lineagelens:layout:start', 'lineagelens:layout:end');
      setState({ ...result, key, ms: performance.now() - started, ready: true });
    });
    return () => {
      cancelled = true;
    };
    // nodes/edges are captured through `key`
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, engine]);
  return { ...state, ready: state.ready && state.key === key };
}
