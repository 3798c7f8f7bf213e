// Per-node expand / collapse in the explorer, as an ordered list of operations (kept in the URL so
// a deep link restores the same picture). Expanding loads that node's upstream or downstream from
// the API and merges it; collapsing hides the branch on that side (graph.collapseBranch).
import type { Direction, Graph } from '../types/graph';
import { collapseBranch, withoutNodes } from './graph';

export interface ExpandOp {
  action: 'expand' | 'collapse';
  direction: Direction;
  nodeId: string;
}

export function opKey(op: ExpandOp): string {
  return `${op.action === 'expand' ? '+' : '-'}${op.direction === 'up' ? 'u' : 'd'}:${op.nodeId}`;
}

export function parseOp(key: string): ExpandOp | null {
  const m = /^([+-])([ud]):(.+)$/.exec(key);
  if (!m?.[3]) return null;
  return { action: m[1] === '+' ? 'expand' : 'collapse', direction: m[2] === 'u' ? 'up' : 'down', nodeId: m[3] };
}

/** Append `op`, replacing an earlier op on the same node and side (the latest intent wins). */
export function pushOp(ops: readonly ExpandOp[], op: ExpandOp): ExpandOp[] {
  return [...ops.filter((o) => !(o.nodeId === op.nodeId && o.direction === op.direction)), op];
}

/** Which nodes are hidden after replaying `ops` over the merged graph. `loaded[opKey]` holds the ids
 * an expand brought in (they become visible again even if an earlier collapse hid them). */
export function hiddenAfterOps(graph: Graph, ops: readonly ExpandOp[], rootId: string,
                               loaded: Readonly<Record<string, readonly string[]>>): Set<string> {
  const hidden = new Set<string>();
  for (const op of ops) {
    if (op.action === 'expand') {
      hidden.delete(op.nodeId);
      for (const id of loaded[opKey(op)] ?? []) hidden.delete(id);
    } else if (!hidden.has(op.nodeId)) {
      for (const id of collapseBranch(withoutNodes(graph, hidden), op.nodeId, op.direction, rootId)) hidden.add(id);
    }
  }
  hidden.delete(rootId);
  return hidden;
}

/** The state of a node's expand toggle on one side: 'collapse' when it has visible neighbours there. */
export function toggleFor(visible: Graph, nodeId: string, direction: Direction): 'expand' | 'collapse' {
  for (const e of Object.values(visible.edges)) {
    if (direction === 'up' ? e.target === nodeId : e.source === nodeId) return 'collapse';
  }
  return 'expand';
}
