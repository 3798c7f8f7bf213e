// The explorer's model (a Graph, a layout, highlights) → React Flow nodes and edges. Pure, so what
// the canvas shows is testable without rendering.
import type { Dataset } from '../types/api';
import type { LineageFlowEdge, LineageFlowNode, ToggleState } from '../types/flow';
import type { ColumnGraph, Direction, Graph, GraphNode, Positions } from '../types/graph';
import type { LiveDisplay } from './live-status';
import { fieldKey, transformationLabel } from './column-graph';
import { shortName } from './node-id';
import { integrationOf, platformOf } from './platform';
import type { GroupInfo } from './grouping';
import { NODE_HEIGHT, NODE_WIDTH, nodeHandles, nodeHeight } from './node-size';

export interface FlowOptions {
  rootId: string;
  positions: Positions;
  selected?: string | null;
  /** Nodes/edges to highlight (path, search matches). */
  highlightNodes?: ReadonlySet<string>;
  highlightEdges?: ReadonlySet<string>;
  /** Dim whatever is not highlighted (a path is shown). */
  dimOthers?: boolean;
  /** Live statuses by node id (lib/live-status.ts): win over the run states the API sent. */
  live?: Readonly<Record<string, LiveDisplay>>;
  toggles?: (id: string) => { up: ToggleState; down: ToggleState } | null;
  /** Group nodes of a grouped view (lib/grouping.ts) by id. */
  groups?: Readonly<Record<string, GroupInfo>>;
}

export function subtitleOf(node: GraphNode): string {
  return node.kind === 'source' ? (node.namespace ? `source · ${node.namespace}` : 'source') : node.namespace;
}

export function flowNode(node: GraphNode, options: FlowOptions, extra: Partial<LineageFlowNode['data']> = {}): LineageFlowNode {
  const position = options.positions[node.id] ?? { x: 0, y: 0 };
  const highlighted = options.highlightNodes?.has(node.id) ?? false;
  const live = options.live?.[node.id];
  const status = live?.status ?? node.status;
  const run = node.data.latestRun;
  return {
    id: node.id,
    type: node.kind,
    position,
    selected: options.selected === node.id,
    width: NODE_WIDTH,
    height: extra.fields ? nodeHeight(extra.fields.length) : NODE_HEIGHT,
    handles: nodeHandles(extra.fields),
    data: {
      kind: node.kind,
      label: shortName(node.name),
      title: node.name,
      namespace: node.namespace,
      subtitle: subtitleOf(node),
      platform: platformOf(node.kind, node.namespace, node.kind === 'job' ? integrationOf(node.data.facets) : null),
      ...(status ? { status } : {}),
      ...(live ? { live: true, statusText: live.statusText, metric: live.metric, health: live.health }
        : run?.state ? { statusText: `last run ${run.state.toLowerCase()}` } : {}),
      highlighted,
      dimmed: Boolean(options.dimOthers) && !highlighted,
      root: node.id === options.rootId,
      toggles: options.groups?.[node.id] ? null : options.toggles?.(node.id) ?? null,
      ...(options.groups?.[node.id] ? { group: options.groups[node.id], platform: 'generic' as const } : {}),
      ...extra,
    },
  };
}

const arrow = (color: string) => ({ type: 'arrowclosed' as const, width: 16, height: 16, color });

export function edgeColor(manual: boolean, highlighted: boolean): string {
  return highlighted ? '#d97706' : manual ? '#db2777' : '#94a3b8';
}

export function toFlowElements(graph: Graph, options: FlowOptions): { nodes: LineageFlowNode[]; edges: LineageFlowEdge[] } {
  const nodes = Object.values(graph.nodes).map((n) => flowNode(n, options));
  const edges: LineageFlowEdge[] = Object.values(graph.edges).map((e) => {
    const highlighted = options.highlightEdges?.has(e.id) ?? false;
    return {
      id: e.id,
      source: e.source,
      target: e.target,
      type: 'lineage',
      markerEnd: arrow(edgeColor(e.manual, highlighted)),
      data: {
        manual: e.manual, highlighted, dimmed: Boolean(options.dimOthers) && !highlighted,
        ...(e.label ? { label: e.label } : {}),
      },
    };
  });
  return { nodes, edges };
}

export interface ColumnOptions extends FlowOptions {
  /** Field keys (lib/column-graph fieldKey) on the selected field's lineage. */
  activeFields?: ReadonlySet<string>;
  activeEdges?: ReadonlySet<string>;
  selectedField?: string | null;
}

/** The column view: one card per dataset listing its fields; one edge per field derivation, from the
 * source field's row to the target field's row, labelled with the transformation subtype. */
export function toColumnElements(graph: Graph, columns: ColumnGraph, fieldLists: Readonly<Record<string, string[]>>,
                                 options: ColumnOptions): { nodes: LineageFlowNode[]; edges: LineageFlowEdge[] } {
  const anyActive = (options.activeFields?.size ?? 0) > 0;
  const nodes = Object.entries(fieldLists).map(([datasetId, fields]) => {
    const known = graph.nodes[datasetId];
    const info = columns.datasets[datasetId];
    const node: GraphNode = known ?? { id: datasetId, kind: 'dataset', namespace: info?.namespace ?? '', name: info?.name ?? datasetId, data: {} };
    const types: Record<string, string> = {};
    for (const f of (node.data as Partial<Dataset>).fields ?? []) if (f.type) types[f.name] = f.type;
    const active = fields.filter((f) => options.activeFields?.has(fieldKey(datasetId, f)));
    const selectedField = options.selectedField?.startsWith(`${datasetId}::`) ? options.selectedField.slice(datasetId.length + 2) : null;
    return flowNode(node, { ...options, toggles: () => null }, {
      fields, fieldTypes: types, activeFields: active, selectedField,
      dimmed: anyActive && active.length === 0,
    });
  });
  const edges: LineageFlowEdge[] = columns.edges
    .filter((e) => fieldLists[e.sourceDataset] && fieldLists[e.targetDataset])
    .map((e) => {
      const highlighted = options.activeEdges?.has(e.id) ?? false;
      return {
        id: e.id,
        source: e.sourceDataset,
        target: e.targetDataset,
        sourceHandle: `out:${e.sourceField}`,
        targetHandle: `in:${e.targetField}`,
        type: 'lineage',
        markerEnd: arrow(edgeColor(false, highlighted)),
        data: { manual: false, column: true, highlighted, dimmed: anyActive && !highlighted,
          ...(highlighted ? { label: transformationLabel(e) } : {}) },
      };
    });
  return { nodes, edges };
}

/** Layout input for the column view: datasets sized by their field count, one edge per dataset pair. */
export function columnLayoutInput(fieldLists: Readonly<Record<string, string[]>>, columns: ColumnGraph) {
  const nodes = Object.entries(fieldLists).map(([id, fields]) => ({ id, width: NODE_WIDTH, height: nodeHeight(fields.length) }));
  const seen = new Set<string>();
  const edges = columns.edges.flatMap((e) => {
    const key = `${e.sourceDataset}>${e.targetDataset}`;
    if (seen.has(key) || e.sourceDataset === e.targetDataset) return [];
    seen.add(key);
    return [{ source: e.sourceDataset, target: e.targetDataset }];
  });
  return { nodes, edges };
}

export function graphLayoutInput(graph: Graph) {
  return {
    nodes: Object.keys(graph.nodes).map((id) => ({ id, width: NODE_WIDTH, height: NODE_HEIGHT })),
    edges: Object.values(graph.edges).map((e) => ({ source: e.source, target: e.target })),
  };
}

export type TogglesFn = (id: string) => { up: ToggleState; down: ToggleState } | null;

/** Expand/collapse toggle states for each node side. */
export function makeToggles(visible: Graph, pending: Readonly<Record<string, true>>, opKeyOf: (id: string, d: Direction) => string): TogglesFn {
  const hasUp = new Set<string>();
  const hasDown = new Set<string>();
  for (const e of Object.values(visible.edges)) {
    hasDown.add(e.source);
    hasUp.add(e.target);
  }
  return (id) => ({
    up: pending[opKeyOf(id, 'up')] ? 'loading' : hasUp.has(id) ? 'collapse' : 'expand',
    down: pending[opKeyOf(id, 'down')] ? 'loading' : hasDown.has(id) ? 'collapse' : 'expand',
  });
}
