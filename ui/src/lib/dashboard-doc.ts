// Pure operations on a dashboard document (what the editor edits and autosaves) and its undo/redo
// history. The store (store/dashboard-store.ts) calls these; nothing here touches the network.
import type { Dashboard, DashboardEdge, DashboardNode, Viewport } from '../types/api';

/** The editable part of a dashboard: what PUT sends (besides id/version). */
export interface DashboardDoc {
  name: string;
  description: string | null;
  viewport: Viewport;
  nodes: DashboardNode[];
  edges: DashboardEdge[];
}

export function docOf(d: Dashboard): DashboardDoc {
  return {
    name: d.name,
    description: d.description ?? '',
    viewport: d.viewport ?? { x: 0, y: 0, zoom: 1 },
    nodes: (d.nodes ?? []).map((n) => ({ ...n, note: n.note ?? null })),
    edges: d.edges ?? [],
  };
}

let counter = 0;
/** A client-chosen id, unique enough within one document. */
export function newId(prefix: string, existing: ReadonlyArray<{ id: string }> = []): string {
  const taken = new Set(existing.map((x) => x.id));
  let id: string;
  do {
    counter += 1;
    id = `${prefix}-${Date.now().toString(36)}-${counter.toString(36)}`;
  } while (taken.has(id));
  return id;
}

export function addNode(doc: DashboardDoc, node: DashboardNode): DashboardDoc {
  if (doc.nodes.some((n) => n.id === node.id)) return doc;
  return { ...doc, nodes: [...doc.nodes, node] };
}

/** The node already placed for this ref, if any (a dataset or job is placed once). */
export function findByRef(doc: DashboardDoc, ref: DashboardNode['ref']): DashboardNode | undefined {
  return doc.nodes.find((n) => n.ref.kind === ref.kind && n.ref.id === ref.id);
}

export function moveNodes(doc: DashboardDoc, positions: Readonly<Record<string, { x: number; y: number }>>): DashboardDoc {
  let changed = false;
  const nodes = doc.nodes.map((n) => {
    const p = positions[n.id];
    if (!p || (p.x === n.position.x && p.y === n.position.y)) return n;
    changed = true;
    return { ...n, position: { x: Math.round(p.x), y: Math.round(p.y) } };
  });
  return changed ? { ...doc, nodes } : doc;
}

/** Remove nodes and every edge touching them. */
export function removeNodes(doc: DashboardDoc, ids: readonly string[]): DashboardDoc {
  const gone = new Set(ids);
  if (!doc.nodes.some((n) => gone.has(n.id))) return doc;
  return {
    ...doc,
    nodes: doc.nodes.filter((n) => !gone.has(n.id)),
    edges: doc.edges.filter((e) => !gone.has(e.source) && !gone.has(e.target)),
  };
}

/** Connect two nodes (a manual lineage edge). No self loops, no duplicates. */
export function connect(doc: DashboardDoc, source: string, target: string, id?: string): DashboardDoc {
  if (source === target) return doc;
  if (!doc.nodes.some((n) => n.id === source) || !doc.nodes.some((n) => n.id === target)) return doc;
  if (doc.edges.some((e) => e.source === source && e.target === target)) return doc;
  return { ...doc, edges: [...doc.edges, { id: id ?? newId('e', doc.edges), source, target, note: null }] };
}

export function removeEdges(doc: DashboardDoc, ids: readonly string[]): DashboardDoc {
  const gone = new Set(ids);
  if (!doc.edges.some((e) => gone.has(e.id))) return doc;
  return { ...doc, edges: doc.edges.filter((e) => !gone.has(e.id)) };
}

export function setNodeNote(doc: DashboardDoc, id: string, note: string | null): DashboardDoc {
  const value = note && note.trim() ? note : null;
  if (!doc.nodes.some((n) => n.id === id && n.note !== value)) return doc;
  return { ...doc, nodes: doc.nodes.map((n) => (n.id === id ? { ...n, note: value } : n)) };
}

export function setEdgeNote(doc: DashboardDoc, id: string, note: string | null): DashboardDoc {
  const value = note && note.trim() ? note : null;
  if (!doc.edges.some((e) => e.id === id && (e.note ?? null) !== value)) return doc;
  return { ...doc, edges: doc.edges.map((e) => (e.id === id ? { ...e, note: value } : e)) };
}

export function rename(doc: DashboardDoc, name: string, description?: string | null): DashboardDoc {
  if ((!name.trim() || name.trim() === doc.name) && (description === undefined || description === doc.description)) return doc;
  return { ...doc, name: name.trim() || doc.name, ...(description !== undefined ? { description } : {}) };
}

export function setViewport(doc: DashboardDoc, viewport: Viewport): DashboardDoc {
  const v = { x: Math.round(viewport.x), y: Math.round(viewport.y), zoom: Math.round(viewport.zoom * 1000) / 1000 };
  const o = doc.viewport;
  return o.x === v.x && o.y === v.y && o.zoom === v.zoom ? doc : { ...doc, viewport: v };
}

/** Two documents are equal for saving purposes. */
export function sameDoc(a: DashboardDoc, b: DashboardDoc): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

// ---- History ----------------------------------------------------------------------------------

export interface History {
  past: DashboardDoc[];
  present: DashboardDoc;
  future: DashboardDoc[];
}

export const HISTORY_LIMIT = 100;

export function historyOf(doc: DashboardDoc): History {
  return { past: [], present: doc, future: [] };
}

/** Record a change: the old present goes to the past, the future is dropped. No-op changes are not
 * recorded. */
export function record(h: History, next: DashboardDoc): History {
  if (next === h.present) return h;
  return { past: [...h.past, h.present].slice(-HISTORY_LIMIT), present: next, future: [] };
}

/** Replace the present without a history entry (viewport changes, positions during a drag). */
export function replace(h: History, next: DashboardDoc): History {
  return next === h.present ? h : { ...h, present: next };
}

/** Push the present into the past without changing it (the start of a gesture such as a drag). */
export function checkpoint(h: History): History {
  const last = h.past[h.past.length - 1];
  if (last && sameDoc(last, h.present)) return h;
  return { past: [...h.past, h.present].slice(-HISTORY_LIMIT), present: h.present, future: [] };
}

export function undo(h: History): History {
  const prev = h.past[h.past.length - 1];
  if (!prev) return h;
  // Keep the viewport: undo is about content, not where the user is looking.
  return { past: h.past.slice(0, -1), present: { ...prev, viewport: h.present.viewport }, future: [h.present, ...h.future] };
}

export function redo(h: History): History {
  const next = h.future[0];
  if (!next) return h;
  return { past: [...h.past, h.present], present: { ...next, viewport: h.present.viewport }, future: h.future.slice(1) };
}
