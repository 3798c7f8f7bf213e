// Card sizes, known before rendering so layouts can be computed up front.
import { Position, type NodeHandle } from '@xyflow/react';
export const NODE_WIDTH = 248;
export const NODE_HEIGHT = 62;
export const FIELD_HEADER = 62;
export const FIELD_ROW = 24;

/** Height of a card; with `fieldCount`, of a dataset card listing its fields (column view). */
export function nodeHeight(fieldCount?: number): number {
  return fieldCount === undefined ? NODE_HEIGHT : FIELD_HEADER + Math.max(1, fieldCount) * FIELD_ROW + 8;
}

/** y offset (from the card's top) of the middle of a field row. */
export function fieldRowY(index: number): number {
  return FIELD_HEADER + index * FIELD_ROW + FIELD_ROW / 2;
}

/** Where a card's handles are, known up front. Handing these to React Flow (`node.handles`) spares
 * it rendering every node once just to measure them — with 5,000 nodes that first render alone took
 * seconds even with onlyRenderVisibleElements (see docs/ui.md, "Benchmarks"). */
export function nodeHandles(fields?: readonly string[]): NodeHandle[] {
  const mid = NODE_HEIGHT / 2 - 1;
  const handles: NodeHandle[] = [
    { id: null, type: 'target', position: Position.Left, x: -4, y: mid - 4, width: 8, height: 8 },
    { id: null, type: 'source', position: Position.Right, x: NODE_WIDTH - 4, y: mid - 4, width: 8, height: 8 },
  ];
  (fields ?? []).forEach((f, i) => {
    const y = fieldRowY(i) - 3;
    handles.push({ id: `in:${f}`, type: 'target', position: Position.Left, x: -3, y, width: 6, height: 6 });
    handles.push({ id: `out:${f}`, type: 'source', position: Position.Right, x: NODE_WIDTH - 3, y, width: 6, height: 6 });
  });
  return handles;
}
