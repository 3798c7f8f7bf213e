import { describe, expect, it } from 'vitest';
import { placeLabels, type LabelItem } from './label-placement';

const item = (id: string, x: number, y: number, priority = 0): LabelItem => ({ id, x, y, r: 8, width: 80, height: 12, priority });

function boxes(items: LabelItem[], sides: Map<string, 'right' | 'left' | null>) {
  return items.flatMap((it) => {
    const side = sides.get(it.id);
    if (!side) return [];
    const x0 = side === 'right' ? it.x + it.r + 4 : it.x - it.r - 4 - it.width;
    return [{ x0, x1: x0 + it.width, y0: it.y - 6, y1: it.y + 6 }];
  });
}

describe('label placement', () => {
  it('keeps labels of far apart nodes on the right', () => {
    const sides = placeLabels([item('a', 0, 0), item('b', 0, 100)]);
    expect([...sides.values()]).toEqual(['right', 'right']);
  });

  it('never lets two shown labels overlap, and the focus node keeps its label', () => {
    const items = Array.from({ length: 40 }, (_, i) => item(`n${i}`, (i % 5) * 30, Math.floor(i / 5) * 10));
    items.push({ ...item('root', 60, 40, 100), always: true });
    const sides = placeLabels(items);
    expect(sides.get('root')).toBe('right');
    const shown = boxes(items.filter((it) => it.id !== 'root'), sides);
    for (let i = 0; i < shown.length; i++) {
      for (let j = i + 1; j < shown.length; j++) {
        const a = shown[i]!, b = shown[j]!;
        expect(a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1).toBe(false);
      }
    }
    expect([...sides.values()].filter((s) => s === null).length).toBeGreaterThan(0);
  });

  it('moves a label to the left when the right is taken', () => {
    const sides = placeLabels([item('a', 0, 0, 1), item('b', 100, 0, 2)]);
    expect(sides.get('b')).toBe('right');
    expect(sides.get('a')).toBe('right');
    const crowded = placeLabels([item('a', 0, 0, 1), item('b', 40, 0, 2)]);
    expect(crowded.get('b')).toBe('right');
    expect(crowded.get('a')).toBe('left');
  });
});
