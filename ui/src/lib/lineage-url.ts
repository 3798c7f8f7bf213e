// Every piece of the lineage explorer's view state lives in the URL (/lineage?nodeId=…&depth=…):
// parse and serialize it here, with defaults left out so links stay short.
import type { NodeKind } from '../types/graph';
import { opKey, parseOp, type ExpandOp } from './expansion';
import type { GroupMode } from './grouping';

export type ExplorerView = 'graph' | 'force' | 'column';

export interface ExplorerState {
  nodeId: string;
  depth: number;
  view: ExplorerView;
  /** Dataset-only view: jobs collapsed into dataset→dataset edges. */
  hideJobs: boolean;
  hiddenKinds: NodeKind[];
  /** Only these namespaces (empty: all). */
  namespaces: string[];
  /** The node whose details drawer is open. */
  selected: string | null;
  /** Path highlight between two nodes. */
  pathFrom: string | null;
  pathTo: string | null;
  /** In-graph search text. */
  q: string;
  /** Column view: the focused field, `{datasetId}::{field}`. */
  field: string | null;
  ops: ExpandOp[];
  /** "What did this break": everything downstream of this node highlighted ('*': of every failure). */
  blast: string | null;
  /** The impact analysis panel of this node, and its direction. */
  impact: string | null;
  impactDir: 'downstream' | 'upstream';
  /** Collapsible groups (lib/grouping.ts): fold nodes by namespace or by hops from the focus node. */
  group: GroupMode;
  /** Group keys shown expanded. */
  open: string[];
  /** Lineage through time: the graph as it was at this instant (RFC 3339; null = now). */
  asOf: string | null;
  /** Also draw the edges no longer current at that instant, dashed (includeStale). */
  stale: boolean;
  /** Diff mode: what changed between two instants or two runs of a job (null: not in diff mode). */
  diff: DiffSelection | null;
}

/** Each side of a diff is a run id or an instant; empty until picked. */
export interface DiffSelection {
  fromRun: string | null;
  toRun: string | null;
  from: string | null;
  to: string | null;
}

export const EMPTY_DIFF: DiffSelection = { fromRun: null, toRun: null, from: null, to: null };

export const DEFAULT_DEPTH = 2;
export const MAX_DEPTH = 20;

export function defaultExplorerState(nodeId = ''): ExplorerState {
  return {
    nodeId, depth: DEFAULT_DEPTH, view: 'graph', hideJobs: false, hiddenKinds: [], namespaces: [],
    selected: null, pathFrom: null, pathTo: null, q: '', field: null, ops: [], blast: null, impact: null, impactDir: 'downstream', group: 'none', open: [],
    asOf: null, stale: false, diff: null,
  };
}

const VIEWS: readonly ExplorerView[] = ['graph', 'force', 'column'];
const KINDS: readonly NodeKind[] = ['dataset', 'job', 'source'];

export function parseExplorerState(search: string): ExplorerState {
  const p = new URLSearchParams(search);
  const state = defaultExplorerState(p.get('nodeId') ?? '');
  const depth = Number.parseInt(p.get('depth') ?? '', 10);
  if (Number.isFinite(depth)) state.depth = Math.min(MAX_DEPTH, Math.max(1, depth));
  const view = p.get('view') as ExplorerView | null;
  if (view && VIEWS.includes(view)) state.view = view;
  state.hideJobs = p.get('hideJobs') === '1';
  state.hiddenKinds = p.getAll('hide').filter((k): k is NodeKind => (KINDS as readonly string[]).includes(k));
  state.namespaces = p.getAll('ns');
  state.selected = p.get('sel');
  state.pathFrom = p.get('from');
  state.pathTo = p.get('to');
  state.q = p.get('q') ?? '';
  state.field = p.get('field');
  state.ops = p.getAll('x').map(parseOp).filter((op): op is ExpandOp => op !== null);
  state.blast = p.get('blast');
  state.impact = p.get('impact');
  state.impactDir = p.get('idir') === 'upstream' ? 'upstream' : 'downstream';
  const group = p.get('group');
  if (group === 'namespace' || group === 'layer') state.group = group;
  state.open = state.group === 'none' ? [] : p.getAll('open');
  state.asOf = validInstant(p.get('at'));
  state.stale = p.get('stale') === '1';
  if (p.get('diff') === '1') {
    state.diff = { fromRun: p.get('dfromRun'), toRun: p.get('dtoRun'), from: validInstant(p.get('dfrom')), to: validInstant(p.get('dto')) };
  }
  return state;
}

export function serializeExplorerState(state: ExplorerState): string {
  const p = new URLSearchParams();
  if (state.nodeId) p.set('nodeId', state.nodeId);
  if (state.depth !== DEFAULT_DEPTH) p.set('depth', String(state.depth));
  if (state.view !== 'graph') p.set('view', state.view);
  if (state.hideJobs) p.set('hideJobs', '1');
  for (const k of state.hiddenKinds) p.append('hide', k);
  for (const ns of state.namespaces) p.append('ns', ns);
  if (state.selected) p.set('sel', state.selected);
  if (state.pathFrom) p.set('from', state.pathFrom);
  if (state.pathTo) p.set('to', state.pathTo);
  if (state.q) p.set('q', state.q);
  if (state.field) p.set('field', state.field);
  for (const op of state.ops) p.append('x', opKey(op));
  if (state.blast) p.set('blast', state.blast);
  if (state.impact) p.set('impact', state.impact);
  if (state.impactDir !== 'downstream') p.set('idir', state.impactDir);
  if (state.group !== 'none') {
    p.set('group', state.group);
    for (const key of state.open) p.append('open', key);
  }
  if (state.asOf) p.set('at', state.asOf);
  if (state.stale) p.set('stale', '1');
  if (state.diff) {
    p.set('diff', '1');
    if (state.diff.fromRun) p.set('dfromRun', state.diff.fromRun);
    else if (state.diff.from) p.set('dfrom', state.diff.from);
    if (state.diff.toRun) p.set('dtoRun', state.diff.toRun);
    else if (state.diff.to) p.set('dto', state.diff.to);
  }
  return p.toString();
}

/** `value` when it parses as an instant, else null (a hand-edited link must not break the view). */
function validInstant(value: string | null): string | null {
  return value && !Number.isNaN(Date.parse(value)) ? value : null;
}
