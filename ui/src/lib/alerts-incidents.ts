// Incidents as the pages show them: the state filter in the URL, the list kept sorted and up to date
// from the live streams' `alert.opened` / `alert.updated` / `alert.resolved` messages, which buttons an
// incident offers, the explorer link and the drawn impact (the root and its impacted downstream nodes
// highlighted), and the toast raised once per opened incident. Pure.
import type { Graph } from '../types/graph';
import type { AlertLiveEvent, IncidentState, IncidentSummary, Severity } from '../types/alerts';
import type { LiveMessage } from './live-messages';
import { edgeId } from './graph';
import { defaultExplorerState, MAX_DEPTH, serializeExplorerState } from './lineage-url';
import { parseNodeId } from './node-id';
import type { Route } from './routes';

export type StateFilter = 'active' | 'open' | 'acknowledged' | 'resolved' | 'all';
export const STATE_FILTERS: ReadonlyArray<[StateFilter, string]> = [
  ['active', 'Active'], ['open', 'Open'], ['acknowledged', 'Acknowledged'], ['resolved', 'Resolved'], ['all', 'All'],
];

/** `?state=` of /incidents (default: active, the open and acknowledged ones). */
export function stateFilterOf(search: string): StateFilter {
  const raw = new URLSearchParams(search).get('state');
  return STATE_FILTERS.some(([f]) => f === raw) ? (raw as StateFilter) : 'active';
}

export function stateFilterSearch(filter: StateFilter): string {
  return filter === 'active' ? '' : new URLSearchParams({ state: filter }).toString();
}

/** What `GET /incidents?state=` takes for a filter ('' = no filter). */
export const apiState = (filter: StateFilter): '' | Exclude<StateFilter, 'all'> => (filter === 'all' ? '' : filter);

export function matchesFilter(state: IncidentState, filter: StateFilter): boolean {
  if (filter === 'all') return true;
  if (filter === 'active') return state === 'open' || state === 'acknowledged';
  return state === filter;
}

const STATES = new Set<string>(['open', 'acknowledged', 'resolved']);
const SEVERITY_SET = new Set<string>(['critical', 'error', 'warning', 'info']);
const ALERT_TYPES = new Set<string>(['alert.opened', 'alert.updated', 'alert.resolved']);

/** An `alert.*` stream message, or null for anything else (or a malformed one). */
export function alertEvent(msg: LiveMessage): AlertLiveEvent | null {
  if (!ALERT_TYPES.has(msg.type)) return null;
  const p = msg.payload;
  const id = p.incidentId;
  if (typeof id !== 'number' || !Number.isInteger(id) || typeof p.rootNodeId !== 'string') return null;
  return {
    type: msg.type as AlertLiveEvent['type'],
    incidentId: id,
    rootNodeId: p.rootNodeId,
    state: typeof p.state === 'string' && STATES.has(p.state) ? (p.state as IncidentState) : msg.type === 'alert.resolved' ? 'resolved' : 'open',
    title: typeof p.title === 'string' ? p.title : `Incident #${id}`,
    severity: typeof p.severity === 'string' && SEVERITY_SET.has(p.severity) ? (p.severity as Severity) : 'error',
    impactedNodeIds: Array.isArray(p.impactedNodeIds) ? p.impactedNodeIds.filter((x): x is string => typeof x === 'string') : [],
  };
}

/** Newest first (by opening time, then id). */
export function sortIncidents(list: readonly IncidentSummary[]): IncidentSummary[] {
  return [...list].sort((a, b) => (b.openedAt ?? '').localeCompare(a.openedAt ?? '') || b.id - a.id);
}

/** Fold a live alert event into the listed incidents: a known incident takes the new state, title and
 * severity (and leaves a list it no longer matches); an unknown one that matches the filter is added
 * (provisionally, from what the message says — the page reads the list again for the rest). */
export function applyAlertEvent(list: readonly IncidentSummary[], ev: AlertLiveEvent, filter: StateFilter, at: string): IncidentSummary[] {
  const known = list.find((i) => i.id === ev.incidentId);
  if (!matchesFilter(ev.state, filter)) return known ? list.filter((i) => i.id !== ev.incidentId) : [...list];
  if (known) {
    return list.map((i) => (i.id === ev.incidentId ? {
      ...i, state: ev.state, title: ev.title, severity: ev.severity, impactedCount: ev.impactedNodeIds.length, updatedAt: at,
      ...(ev.state === 'resolved' && !i.resolvedAt ? { resolvedAt: at } : {}),
      ...(ev.state === 'acknowledged' && !i.acknowledgedAt ? { acknowledgedAt: at } : {}),
    } : i));
  }
  const added: IncidentSummary = {
    id: ev.incidentId, ruleId: '', ruleType: 'job_failed', rootNodeId: ev.rootNodeId, state: ev.state, severity: ev.severity,
    title: ev.title, occurrences: 1, attachedCount: 0, impactedCount: ev.impactedNodeIds.length, owners: [],
    openedAt: at, updatedAt: at, acknowledgedAt: null, acknowledgedBy: null, resolvedAt: ev.state === 'resolved' ? at : null, resolvedBy: null,
  };
  return sortIncidents([...list, added]);
}

/** Acknowledge: open incidents; resolve: any not resolved yet. Nothing for viewers. */
export function incidentActions(state: IncidentState, canEdit: boolean): { ack: boolean; resolve: boolean } {
  return { ack: canEdit && state === 'open', resolve: canEdit && state !== 'resolved' };
}

/** The explorer focused on the root, deep enough for the impact, with its downstream highlighted
 * ("what did this break") and the impact panel open. */
export function impactExplorerSearch(rootNodeId: string, depth: number | null | undefined): string {
  const d = Math.min(MAX_DEPTH, Math.max(1, depth ?? 5));
  return serializeExplorerState({ ...defaultExplorerState(rootNodeId), depth: d, blast: rootNodeId, impact: rootNodeId });
}

/** The root and the impacted nodes drawn, and the edges between them, for highlighting on the graph. */
export function impactHighlight(graph: Graph, rootNodeId: string, impactedNodeIds: readonly string[]): { nodes: Set<string>; edges: Set<string>; missing: string[] } {
  const wanted = new Set([rootNodeId, ...impactedNodeIds]);
  const nodes = new Set([...wanted].filter((id) => graph.nodes[id]));
  const edges = new Set<string>();
  for (const e of Object.values(graph.edges)) if (nodes.has(e.source) && nodes.has(e.target)) edges.add(edgeId(e.source, e.target));
  return { nodes, edges, missing: impactedNodeIds.filter((id) => !graph.nodes[id]) };
}

export function alertToastText(ev: AlertLiveEvent): string {
  return `Incident #${ev.incidentId} opened (${ev.severity}): ${ev.title}`;
}

/** Raises `sink(text)` once per opened incident, however many streams carry the message. */
export function createAlertAnnouncer(sink: (text: string, ev: AlertLiveEvent) => void, remember = 500): (msg: LiveMessage) => void {
  const seen: number[] = [];
  return (msg) => {
    if (msg.type !== 'alert.opened') return;
    const ev = alertEvent(msg);
    if (!ev || seen.includes(ev.incidentId)) return;
    seen.push(ev.incidentId);
    if (seen.length > remember) seen.shift();
    sink(alertToastText(ev), ev);
  };
}

export const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, error: 1, warning: 2, info: 3 };

/** Counts for the list's header: active incidents by severity. */
export function activeCounts(list: readonly IncidentSummary[]): Record<Severity, number> {
  const out: Record<Severity, number> = { critical: 0, error: 0, warning: 0, info: 0 };
  for (const i of list) if (i.state !== 'resolved') out[i.severity] += 1;
  return out;
}

/** The page of a job or dataset node id (namespaces with colons split using the known ones). */
export function nodeRoute(nodeId: string, knownNamespaces: readonly string[] = []): Route | null {
  const parsed = parseNodeId(nodeId, knownNamespaces);
  if (parsed?.kind === 'job') return { name: 'job', namespace: parsed.namespace, job: parsed.name };
  if (parsed?.kind === 'dataset') return { name: 'dataset', namespace: parsed.namespace, dataset: parsed.name };
  return null;
}
