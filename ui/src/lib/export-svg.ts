// Export the explorer's picture as a standalone SVG document built from the model and the layout
// (not by scraping the DOM): nodes as labelled cards coloured by kind, edges as curves, manual edges
// dashed and labelled. PNG export rasterises this SVG (lib/download.ts).
import type { NodeKind, Point, Size } from '../types/graph';

export interface ExportNode extends Point, Size {
  id: string;
  kind: NodeKind;
  label: string;
  sublabel?: string;
  fields?: string[];
  highlighted?: boolean;
}

export interface ExportEdge {
  source: string;
  target: string;
  manual: boolean;
  label?: string;
  highlighted?: boolean;
  /** Column view: y offsets (from node top) of the field rows the edge connects. */
  sourceY?: number;
  targetY?: number;
}

export const KIND_COLORS: Record<NodeKind, { fill: string; stroke: string; accent: string }> = {
  dataset: { fill: '#eff6ff', stroke: '#93c5fd', accent: '#1d4ed8' },
  job: { fill: '#f5f3ff', stroke: '#c4b5fd', accent: '#6d28d9' },
  source: { fill: '#f0fdfa', stroke: '#5eead4', accent: '#0f766e' },
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function edgePath(sx: number, sy: number, tx: number, ty: number): string {
  const dx = Math.max(40, Math.abs(tx - sx) / 2);
  return `M${sx},${sy} C${sx + dx},${sy} ${tx - dx},${ty} ${tx},${ty}`;
}

export function toSvg(nodes: readonly ExportNode[], edges: readonly ExportEdge[], options: { padding?: number; title?: string } = {}): string {
  const pad = options.padding ?? 24;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const n of nodes) {
    minX = Math.min(minX, n.x);
    minY = Math.min(minY, n.y);
    maxX = Math.max(maxX, n.x + n.width);
    maxY = Math.max(maxY, n.y + n.height);
  }
  if (nodes.length === 0) minX = minY = maxX = maxY = 0;
  const width = Math.ceil(maxX - minX + pad * 2);
  const height = Math.ceil(maxY - minY + pad * 2);
  const ox = pad - minX, oy = pad - minY;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Inter, 'Segoe UI', 'DejaVu Sans', Arial, sans-serif">`);
  if (options.title) parts.push(`<title>${esc(options.title)}</title>`);
  parts.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#64748b"/></marker></defs>');
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  for (const e of edges) {
    const s = byId.get(e.source), t = byId.get(e.target);
    if (!s || !t) continue;
    const sx = s.x + s.width + ox, sy = s.y + (e.sourceY ?? s.height / 2) + oy;
    const tx = t.x + ox, ty = t.y + (e.targetY ?? t.height / 2) + oy;
    const stroke = e.highlighted ? '#f59e0b' : e.manual ? '#db2777' : '#94a3b8';
    parts.push(`<path d="${edgePath(sx, sy, tx, ty)}" fill="none" stroke="${stroke}" stroke-width="${e.highlighted ? 2.5 : 1.5}"${e.manual ? ' stroke-dasharray="6 4"' : ''} marker-end="url(#arrow)"/>`);
    if (e.label) {
      parts.push(`<text x="${(sx + tx) / 2}" y="${(sy + ty) / 2 - 4}" font-size="10" text-anchor="middle" fill="${e.manual ? '#be185d' : '#475569'}">${esc(e.label)}</text>`);
    }
  }
  for (const n of nodes) {
    const c = KIND_COLORS[n.kind];
    const x = n.x + ox, y = n.y + oy;
    parts.push(`<g><rect x="${x}" y="${y}" width="${n.width}" height="${n.height}" rx="8" fill="${c.fill}" stroke="${n.highlighted ? '#f59e0b' : c.stroke}" stroke-width="${n.highlighted ? 2.5 : 1}"/>`);
    parts.push(`<rect x="${x}" y="${y}" width="4" height="${n.height}" rx="2" fill="${c.accent}"/>`);
    parts.push(`<text x="${x + 14}" y="${y + 20}" font-size="12" font-weight="600" fill="#0f172a">${esc(n.label)}</text>`);
    if (n.sublabel) parts.push(`<text x="${x + 14}" y="${y + 35}" font-size="10" fill="#475569">${esc(n.sublabel)}</text>`);
    (n.fields ?? []).forEach((f, i) => {
      parts.push(`<text x="${x + 14}" y="${y + 58 + i * 22}" font-size="11" fill="#1e293b">${esc(f)}</text>`);
    });
    parts.push('</g>');
  }
  parts.push('</svg>');
  return parts.join('\n');
}
