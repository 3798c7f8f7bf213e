// The force-directed view of the lineage graph: the one component where D3 owns the DOM
// (d3-force simulation, d3-zoom for zoom/pan, d3-drag to move nodes). Everything else renders with
// React; the duration chart only uses D3's scales as math (lib/duration-chart.ts). The focus node is
// drawn larger with a ring and a bold label; labels never overlap (lib/label-placement.ts, placed again
// as the simulation moves and on every zoom; a hidden label's name stays in the hover text).
import * as d3 from 'd3';
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';
import type { Graph, NodeKind } from '../types/graph';
import { shortName } from '../lib/node-id';
import { KIND_COLORS } from '../lib/export-svg';
import { placeLabels } from '../lib/label-placement';

interface SimNode extends d3.SimulationNodeDatum {
  id: string;
  kind: NodeKind;
  label: string;
}

interface SimLink extends d3.SimulationLinkDatum<SimNode> {
  id: string;
  manual: boolean;
}

export interface ForceGraphHandle {
  /** The current picture as a standalone SVG document. */
  exportSvg(): string;
  fit(): void;
}

export interface ForceGraphProps {
  graph: Graph;
  rootId: string;
  selected: string | null;
  highlightNodes: ReadonlySet<string>;
  highlightEdges: ReadonlySet<string>;
  dimOthers: boolean;
  onNodeClick(id: string): void;
}

const RADIUS: Record<NodeKind, number> = { dataset: 9, job: 7, source: 10 };
const ROOT_EXTRA = 5;
const LABEL_HEIGHT = 13;

export const ForceGraph = forwardRef<ForceGraphHandle, ForceGraphProps>(function ForceGraph(props, ref) {
  const svgRef = useRef<SVGSVGElement>(null);
  const zoomRef = useRef<d3.ZoomBehavior<SVGSVGElement, unknown> | null>(null);
  const clickRef = useRef(props.onNodeClick);
  clickRef.current = props.onNodeClick;
  const highlightRef = useRef(props.highlightNodes);
  highlightRef.current = props.highlightNodes;
  const relabelRef = useRef<() => void>(() => undefined);

  const fit = () => {
    const svg = svgRef.current;
    const zoom = zoomRef.current;
    const content = svg?.querySelector<SVGGElement>('g.force-content');
    if (!svg || !zoom || !content) return;
    const box = content.getBBox();
    const { width, height } = svg.getBoundingClientRect();
    if (box.width === 0 || width === 0) return;
    const k = Math.min(2, 0.9 / Math.max(box.width / width, box.height / height));
    const t = d3.zoomIdentity.translate(width / 2 - k * (box.x + box.width / 2), height / 2 - k * (box.y + box.height / 2)).scale(k);
    d3.select(svg).transition().duration(300).call(zoom.transform, t);
  };

  useImperativeHandle(ref, () => ({
    exportSvg() {
      const svg = svgRef.current;
      const content = svg?.querySelector<SVGGElement>('g.force-content');
      if (!svg || !content) return '';
      const box = content.getBBox();
      const pad = 24;
      const clone = content.cloneNode(true) as SVGGElement;
      clone.removeAttribute('transform');
      const out = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
      out.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
      out.setAttribute('viewBox', `${box.x - pad} ${box.y - pad} ${box.width + pad * 2} ${box.height + pad * 2}`);
      out.setAttribute('width', String(Math.ceil(box.width + pad * 2)));
      out.setAttribute('height', String(Math.ceil(box.height + pad * 2)));
      out.setAttribute('font-family', "Inter, 'Segoe UI', 'DejaVu Sans', Arial, sans-serif");
      const defs = svg.querySelector('defs')?.cloneNode(true);
      if (defs) out.appendChild(defs);
      const bg = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
      bg.setAttribute('x', String(box.x - pad));
      bg.setAttribute('y', String(box.y - pad));
      bg.setAttribute('width', String(box.width + pad * 2));
      bg.setAttribute('height', String(box.height + pad * 2));
      bg.setAttribute('fill', '#ffffff');
      out.appendChild(bg);
      out.appendChild(clone);
      return new XMLSerializer().serializeToString(out);
    },
    fit,
  }));

  // Build the picture and the simulation when the graph changes.
  useEffect(() => {
    const svgEl = svgRef.current;
    if (!svgEl) return;
    const svg = d3.select(svgEl);
    svg.selectAll('*').remove();
    delete svgEl.dataset.settled;
    const { width, height } = svgEl.getBoundingClientRect();

    const defs = svg.append('defs');
    for (const [name, color] of [['arrow', '#94a3b8'], ['arrow-manual', '#db2777'], ['arrow-hl', '#d97706']] as const) {
      defs.append('marker').attr('id', `force-${name}`).attr('viewBox', '0 0 10 10').attr('refX', 20).attr('refY', 5)
        .attr('markerWidth', 6).attr('markerHeight', 6).attr('orient', 'auto')
        .append('path').attr('d', 'M0,0 L10,5 L0,10 z').attr('fill', color);
    }
    const content = svg.append('g').attr('class', 'force-content');
    const nodes: SimNode[] = Object.values(props.graph.nodes).map((n) => ({ id: n.id, kind: n.kind, label: shortName(n.name) }));
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const links: SimLink[] = Object.values(props.graph.edges)
      .filter((e) => byId.has(e.source) && byId.has(e.target))
      .map((e) => ({ id: e.id, source: e.source, target: e.target, manual: e.manual }));

    const link = content.append('g').attr('class', 'force-links').selectAll<SVGLineElement, SimLink>('line').data(links, (d) => d.id).join('line')
      .attr('stroke', (d) => (d.manual ? '#db2777' : '#94a3b8')).attr('stroke-width', 1.4)
      .attr('stroke-dasharray', (d) => (d.manual ? '6 4' : null))
      .attr('marker-end', (d) => `url(#force-${d.manual ? 'arrow-manual' : 'arrow'})`)
      .attr('data-edge-id', (d) => d.id);

    const node = content.append('g').attr('class', 'force-nodes').selectAll<SVGGElement, SimNode>('g').data(nodes, (d) => d.id).join('g')
      .attr('class', 'force-node').attr('data-node-id', (d) => d.id).attr('tabindex', 0).attr('role', 'button')
      .attr('aria-label', (d) => `${d.kind} ${d.label}`)
      .style('cursor', 'pointer')
      .on('click', (_event, d) => clickRef.current(d.id))
      .on('keydown', (event: KeyboardEvent, d) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          clickRef.current(d.id);
        }
      });
    const radius = (d: SimNode) => RADIUS[d.kind] + (d.id === props.rootId ? ROOT_EXTRA : 0);
    node.filter((d) => d.id === props.rootId).classed('is-root', true).attr('aria-current', 'true')
      .attr('aria-label', (d) => `${d.kind} ${d.label} (focus)`)
      .append('circle').attr('class', 'force-root-ring').attr('r', (d) => radius(d) + 5)
      .attr('fill', 'none').attr('stroke', '#1e3a8a').attr('stroke-width', 2).attr('stroke-dasharray', '3 2');
    node.append('circle').attr('class', 'force-dot').attr('r', radius)
      .attr('fill', (d) => KIND_COLORS[d.kind].accent).attr('stroke', '#ffffff').attr('stroke-width', 1.5);
    node.append('title').text((d) => `${d.kind} ${props.graph.nodes[d.id]?.name ?? d.label}${d.id === props.rootId ? ' (focus)' : ''}`);
    const big = nodes.length > 800;
    const widths = new Map<string, number>();
    if (!big) {
      node.append('text').text((d) => d.label).attr('x', (d) => radius(d) + 4).attr('y', 4)
        .attr('font-size', (d) => (d.id === props.rootId ? 12.5 : 11)).attr('font-weight', (d) => (d.id === props.rootId ? 700 : null))
        .attr('fill', '#1e293b').attr('paint-order', 'stroke').attr('stroke', '#ffffff').attr('stroke-width', 3)
        .each(function measure(d) {
          widths.set(d.id, (this as SVGTextElement).getComputedTextLength?.() ?? d.label.length * 6);
        });
    }
    const degree = new Map<string, number>();
    for (const l of links) {
      for (const end of [l.source, l.target]) degree.set(String(end), (degree.get(String(end)) ?? 0) + 1);
    }
    let transform = d3.zoomIdentity;
    let queued = false;
    const relabel = () => {
      queued = false;
      if (big) return;
      const k = transform.k;
      const sides = placeLabels(nodes.map((d) => ({
        id: d.id, x: transform.applyX(d.x ?? 0), y: transform.applyY(d.y ?? 0), r: radius(d) * k,
        width: (widths.get(d.id) ?? 0) * k, height: LABEL_HEIGHT * k, always: d.id === props.rootId,
        priority: (highlightRef.current.has(d.id) ? 1000 : 0) + (degree.get(d.id) ?? 0),
      })));
      node.select<SVGTextElement>('text')
        .attr('display', (d) => (sides.get(d.id) ? null : 'none'))
        .attr('text-anchor', (d) => (sides.get(d.id) === 'left' ? 'end' : 'start'))
        .attr('x', (d) => (sides.get(d.id) === 'left' ? -(radius(d) + 4) : radius(d) + 4));
    };
    const queueRelabel = () => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(relabel);
    };
    relabelRef.current = relabel;

    const simulation = d3.forceSimulation<SimNode>(nodes)
      .force('link', d3.forceLink<SimNode, SimLink>(links).id((d) => d.id).distance(70).strength(0.7))
      .force('charge', d3.forceManyBody().strength(big ? -40 : -260).theta(0.9))
      .force('collide', d3.forceCollide<SimNode>((d) => RADIUS[d.kind] + (big ? 2 : 10)))
      .force('x', d3.forceX(width / 2).strength(0.04))
      .force('y', d3.forceY(height / 2).strength(0.06))
      .alphaDecay(big ? 0.06 : 0.0228);

    const root = byId.get(props.rootId);
    if (root) {
      root.fx = width / 2;
      root.fy = height / 2;
    }

    simulation.on('tick', () => {
      link.attr('x1', (d) => (d.source as SimNode).x ?? 0).attr('y1', (d) => (d.source as SimNode).y ?? 0)
        .attr('x2', (d) => (d.target as SimNode).x ?? 0).attr('y2', (d) => (d.target as SimNode).y ?? 0);
      node.attr('transform', (d) => `translate(${d.x ?? 0},${d.y ?? 0})`);
      queueRelabel();
    });
    let fitted = false;
    simulation.on('end', () => {
      relabel();
      svgEl.dataset.settled = '1';
      if (!fitted) {
        fitted = true;
        fit();
      }
    });

    node.call(d3.drag<SVGGElement, SimNode>()
      .on('start', (event: d3.D3DragEvent<SVGGElement, SimNode, SimNode>, d) => {
        if (!event.active) simulation.alphaTarget(0.3).restart();
        d.fx = d.x;
        d.fy = d.y;
      })
      .on('drag', (event: d3.D3DragEvent<SVGGElement, SimNode, SimNode>, d) => {
        d.fx = event.x;
        d.fy = event.y;
      })
      .on('end', (event: d3.D3DragEvent<SVGGElement, SimNode, SimNode>, d) => {
        if (!event.active) simulation.alphaTarget(0);
        if (d.id !== props.rootId) {
          d.fx = null;
          d.fy = null;
        }
      }));

    const zoom = d3.zoom<SVGSVGElement, unknown>().scaleExtent([0.05, 4]).on('zoom', (event: d3.D3ZoomEvent<SVGSVGElement, unknown>) => {
      content.attr('transform', event.transform.toString());
      transform = event.transform;
      queueRelabel();
    });
    zoomRef.current = zoom;
    svg.call(zoom).on('dblclick.zoom', null);

    return () => {
      simulation.stop();
    };
  }, [props.graph, props.rootId]);

  // Highlights and selection without restarting the simulation.
  useEffect(() => {
    const svgEl = svgRef.current;
    if (!svgEl) return;
    const svg = d3.select(svgEl);
    const { highlightNodes, highlightEdges, dimOthers, selected } = props;
    svg.selectAll<SVGGElement, SimNode>('g.force-node')
      .attr('opacity', (d) => (dimOthers && !highlightNodes.has(d.id) ? 0.25 : 1))
      .select('circle.force-dot')
      .attr('stroke', (d) => (d.id === selected ? '#0f172a' : highlightNodes.has(d.id) ? '#d97706' : '#ffffff'))
      .attr('stroke-width', (d) => (d.id === selected || highlightNodes.has(d.id) ? 3 : 1.5));
    svg.selectAll<SVGLineElement, SimLink>('g.force-links line')
      .attr('opacity', (d) => (dimOthers && !highlightEdges.has(d.id) ? 0.15 : 0.9))
      .attr('stroke', (d) => (highlightEdges.has(d.id) ? '#d97706' : d.manual ? '#db2777' : '#94a3b8'))
      .attr('stroke-width', (d) => (highlightEdges.has(d.id) ? 2.5 : 1.4))
      .attr('marker-end', (d) => `url(#force-${highlightEdges.has(d.id) ? 'arrow-hl' : d.manual ? 'arrow-manual' : 'arrow'})`);
    relabelRef.current();
  }, [props]);

  return <svg ref={svgRef} className="force-graph" role="img" aria-label="Force-directed lineage graph" data-testid="force-graph" />;
});
