// The node palette: node types grouped by category and filtered by a search string; and the payload
// a palette item carries when dragged onto the dashboard canvas.
import type { DashboardNode, NodeType } from '../types/api';

export interface PaletteGroup {
  category: string;
  types: NodeType[];
}

export function groupNodeTypes(types: readonly NodeType[], query = ''): PaletteGroup[] {
  const q = query.trim().toLowerCase();
  const groups = new Map<string, NodeType[]>();
  for (const t of types) {
    if (q && ![t.label, t.kind, t.category].some((s) => s.toLowerCase().includes(q))) continue;
    const category = t.category || 'Other';
    (groups.get(category) ?? groups.set(category, []).get(category)!).push(t);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([category, list]) => ({ category, types: list.sort((a, b) => a.label.localeCompare(b.label)) }));
}

export const DRAG_MIME = 'application/x-lineagelens-palette';

export type PalettePayload =
  | { type: 'node-type'; kind: string }
  | { type: 'ref'; ref: DashboardNode['ref'] };

export function encodePayload(p: PalettePayload): string {
  return JSON.stringify(p);
}

export function decodePayload(raw: string | null | undefined): PalettePayload | null {
  if (!raw) return null;
  try {
    const p = JSON.parse(raw) as Partial<PalettePayload> & { ref?: { kind?: unknown; id?: unknown } };
    if (p.type === 'node-type' && typeof p.kind === 'string') return { type: 'node-type', kind: p.kind };
    if (p.type === 'ref' && p.ref && typeof p.ref.id === 'string' && (p.ref.kind === 'source' || p.ref.kind === 'dataset' || p.ref.kind === 'job')) {
      return { type: 'ref', ref: { kind: p.ref.kind, id: p.ref.id } };
    }
  } catch {
    return null;
  }
  return null;
}
