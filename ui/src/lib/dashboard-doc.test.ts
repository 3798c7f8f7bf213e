import { describe, expect, it } from 'vitest';
import {
  addNode, checkpoint, connect, docOf, findByRef, historyOf, moveNodes, record, redo, removeEdges, removeNodes, rename,
  replace, setEdgeNote, setNodeNote, setViewport, undo, type DashboardDoc,
} from './dashboard-doc';

const empty: DashboardDoc = { name: 'D', description: null, viewport: { x: 0, y: 0, zoom: 1 }, nodes: [], edges: [] };
const node = (id: string, refId = `dataset:ns:${id}`) => ({ id, ref: { kind: 'dataset' as const, id: refId }, position: { x: 0, y: 0 }, note: null });

describe('dashboard document', () => {
  it('normalizes a server dashboard', () => {
    const doc = docOf({ id: 'x', name: 'n', description: null, version: 1, createdAt: '', updatedAt: '',
      viewport: { x: 1, y: 2, zoom: 1 }, nodes: [{ ...node('a'), note: undefined as unknown as null }], edges: [] });
    expect(doc.nodes[0]!.note).toBeNull();
  });

  it('adds, finds, moves and removes nodes with their edges', () => {
    let doc = addNode(addNode(empty, node('a')), node('b'));
    expect(addNode(doc, node('a'))).toBe(doc);
    expect(findByRef(doc, { kind: 'dataset', id: 'dataset:ns:b' })?.id).toBe('b');
    doc = connect(doc, 'a', 'b', 'e1');
    doc = moveNodes(doc, { a: { x: 10.4, y: 20.6 } });
    expect(doc.nodes[0]!.position).toEqual({ x: 10, y: 21 });
    expect(moveNodes(doc, { a: { x: 10, y: 21 } })).toBe(doc);
    doc = removeNodes(doc, ['b']);
    expect(doc.nodes.map((n) => n.id)).toEqual(['a']);
    expect(doc.edges).toEqual([]);
  });

  it('connects without self loops, duplicates or unknown nodes', () => {
    const doc = connect(addNode(addNode(empty, node('a')), node('b')), 'a', 'b', 'e1');
    expect(doc.edges).toEqual([{ id: 'e1', source: 'a', target: 'b', note: null }]);
    expect(connect(doc, 'a', 'b')).toBe(doc);
    expect(connect(doc, 'a', 'a')).toBe(doc);
    expect(connect(doc, 'a', 'zz')).toBe(doc);
    expect(removeEdges(doc, ['e1']).edges).toEqual([]);
    expect(connect(doc, 'b', 'a').edges[1]!.id).toMatch(/^e-/);
  });

  it('sets notes, names and the viewport', () => {
    let doc = connect(addNode(addNode(empty, node('a')), node('b')), 'a', 'b', 'e1');
    doc = setNodeNote(doc, 'a', 'owned by finance');
    expect(doc.nodes[0]!.note).toBe('owned by finance');
    expect(setNodeNote(doc, 'a', '   ').nodes[0]!.note).toBeNull();
    expect(setNodeNote(doc, 'a', 'owned by finance')).toBe(doc);
    expect(rename(doc, 'D')).toBe(doc);
    expect(setEdgeNote(doc, 'e1', 'nightly copy').edges[0]!.note).toBe('nightly copy');
    expect(rename(doc, '  ').name).toBe('D');
    expect(rename(doc, 'New', 'desc')).toMatchObject({ name: 'New', description: 'desc' });
    expect(setViewport(doc, { x: 0.2, y: 0, zoom: 1.00001 })).toBe(doc);
    expect(setViewport(doc, { x: 5, y: 0, zoom: 1 }).viewport.x).toBe(5);
  });
});

describe('history', () => {
  it('undoes and redoes recorded changes, keeping the viewport', () => {
    let h = historyOf(empty);
    h = record(h, addNode(h.present, node('a')));
    h = record(h, addNode(h.present, node('b')));
    h = replace(h, setViewport(h.present, { x: 50, y: 0, zoom: 2 }));
    h = undo(h);
    expect(h.present.nodes.map((n) => n.id)).toEqual(['a']);
    expect(h.present.viewport.zoom).toBe(2);
    h = undo(h);
    expect(h.present.nodes).toEqual([]);
    expect(undo(h)).toBe(h);
    h = redo(redo(h));
    expect(h.present.nodes.map((n) => n.id)).toEqual(['a', 'b']);
    expect(redo(h)).toBe(h);
  });

  it('drops the future on a new change and ignores no-ops', () => {
    let h = record(historyOf(empty), addNode(empty, node('a')));
    h = undo(h);
    h = record(h, addNode(h.present, node('c')));
    expect(h.future).toEqual([]);
    expect(record(h, h.present)).toBe(h);
  });

  it('checkpoints once per gesture', () => {
    let h = record(historyOf(empty), addNode(empty, node('a')));
    h = checkpoint(h);
    h = replace(h, moveNodes(h.present, { a: { x: 5, y: 5 } }));
    h = replace(h, moveNodes(h.present, { a: { x: 9, y: 9 } }));
    expect(checkpoint(checkpoint(historyOf(empty))).past).toHaveLength(1);
    h = undo(h);
    expect(h.present.nodes[0]!.position).toEqual({ x: 0, y: 0 });
  });
});
