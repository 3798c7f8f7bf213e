// Labels that do not overlap (the force view): each node's label goes to the right of it, else to the
// left, else it is hidden (its name stays in the hover text). Nodes are taken by priority (the focus node
// first — its label is always shown — then highlighted ones, then the best connected), so the labels that
// matter win. Greedy, with a
// spatial hash: fast enough to run on every zoom for hundreds of nodes. Pure: screen coordinates in.

export interface LabelItem {
  id: string;
  /** Node centre on screen. */
  x: number;
  y: number;
  /** Node radius on screen. */
  r: number;
  /** Label size on screen. */
  width: number;
  height: number;
  /** Higher goes first. */
  priority: number;
  /** Shown whatever it covers (the focus node's label). */
  always?: boolean;
}

export type LabelSide = 'right' | 'left' | null;

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const CELL = 64;
const GAP = 4;

function overlaps(a: Box, b: Box): boolean {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

export function placeLabels(items: readonly LabelItem[]): Map<string, LabelSide> {
  const grid = new Map<string, Box[]>();
  const cells = (b: Box) => {
    const out: string[] = [];
    for (let cx = Math.floor(b.x0 / CELL); cx <= Math.floor(b.x1 / CELL); cx++) {
      for (let cy = Math.floor(b.y0 / CELL); cy <= Math.floor(b.y1 / CELL); cy++) out.push(`${cx},${cy}`);
    }
    return out;
  };
  const free = (b: Box) => cells(b).every((c) => !(grid.get(c) ?? []).some((o) => overlaps(o, b)));
  const take = (b: Box) => {
    for (const c of cells(b)) {
      const list = grid.get(c);
      if (list) list.push(b);
      else grid.set(c, [b]);
    }
  };
  // Node circles are obstacles for every label.
  for (const it of items) take({ x0: it.x - it.r, y0: it.y - it.r, x1: it.x + it.r, y1: it.y + it.r });
  const result = new Map<string, LabelSide>();
  const order = [...items].sort((a, b) => b.priority - a.priority || a.id.localeCompare(b.id));
  for (const it of order) {
    const top = it.y - it.height / 2;
    const right: Box = { x0: it.x + it.r + GAP, y0: top, x1: it.x + it.r + GAP + it.width, y1: top + it.height };
    const left: Box = { x0: it.x - it.r - GAP - it.width, y0: top, x1: it.x - it.r - GAP, y1: top + it.height };
    if (it.always) {
      take(right);
      result.set(it.id, 'right');
    } else if (free(right)) {
      take(right);
      result.set(it.id, 'right');
    } else if (free(left)) {
      take(left);
      result.set(it.id, 'left');
    } else {
      result.set(it.id, null);
    }
  }
  return result;
}
