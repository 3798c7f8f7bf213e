import type { ColumnLineageResponse, LineageResponse, PathResponse, Run } from '../types/api';
import { query, request, seg } from './client';

export type FlowDirection = 'both' | 'up' | 'down';

/** Lineage through time (docs/api.md, "Lineage through time"): the graph as it was at `asOf` (RFC 3339,
 * null/absent = now), with `includeStale` also the edges no longer current, marked `stale`. */
export interface TimeOptions {
  asOf?: string | null;
  includeStale?: boolean;
}

function timeParams(time: TimeOptions = {}) {
  return { asOf: time.asOf ?? undefined, includeStale: time.includeStale ? true : undefined };
}

/** A stable key of the time options (for store keys). */
export function timeKey(time: TimeOptions = {}): string {
  return `${time.asOf ?? 'now'}|${time.includeStale ? 'stale' : ''}`;
}

export function getLineage(nodeId: string, depth: number, direction: FlowDirection = 'both', signal?: AbortSignal, time: TimeOptions = {}): Promise<LineageResponse> {
  const path = direction === 'both' ? '/lineage' : direction === 'up' ? '/lineage/upstream' : '/lineage/downstream';
  return request<LineageResponse>(`${path}${query({ nodeId, depth, ...timeParams(time) })}`, { signal });
}

export function getColumnLineage(nodeId: string, depth: number, withDownstream = true, signal?: AbortSignal, time: TimeOptions = {}): Promise<ColumnLineageResponse> {
  return request<ColumnLineageResponse>(`/column-lineage${query({ nodeId, depth, withDownstream, ...timeParams(time) })}`, { signal });
}

export function getPath(from: string, to: string, signal?: AbortSignal, time: TimeOptions = {}): Promise<PathResponse> {
  return request<PathResponse>(`/lineage/path${query({ from, to, asOf: time.asOf ?? undefined })}`, { signal });
}

// ---- Diff -----------------------------------------------------------------------------------------

export interface DiffNode {
  id: string;
  type: 'DATASET' | 'JOB' | 'FIELD' | 'SOURCE' | string;
  namespace: string;
  name: string;
}

export interface DiffEdge {
  origin: string;
  destination: string;
  type: string;
}

export interface ColumnChange {
  name: string;
  type?: string | null;
  from?: string | null;
  to?: string | null;
}

export interface SchemaChange {
  id: string;
  namespace: string;
  name: string;
  added: ColumnChange[];
  removed: ColumnChange[];
  retyped: ColumnChange[];
}

/** `GET /lineage/diff`: what changed in a node's cone between two instants (or two runs of a job). */
export interface LineageDiff {
  nodeId: string;
  from: string;
  to: string;
  depth: number;
  fromRun?: string;
  toRun?: string;
  nodes: { added: DiffNode[]; removed: DiffNode[] };
  edges: { added: DiffEdge[]; removed: DiffEdge[] };
  schemaChanges: SchemaChange[];
  truncated: boolean;
}

/** One side of a diff: an instant (RFC 3339) or a run id. Both runs → the server's `fromRun`/`toRun`. */
export type DiffSide = { at: string } | { run: string };

export function getLineageDiff(nodeId: string, depth: number, from: DiffSide, to: DiffSide, signal?: AbortSignal): Promise<LineageDiff> {
  const params = 'run' in from && 'run' in to
    ? { nodeId, depth, fromRun: from.run, toRun: to.run }
    : { nodeId, depth, from: 'at' in from ? from.at : undefined, to: 'at' in to ? to.at : undefined };
  return request<LineageDiff>(`/lineage/diff${query(params)}`, { signal });
}

// ---- Schema diff (dataset page) -------------------------------------------------------------------

export interface SchemaSide {
  version: string | null;
  createdAt: string | null;
  fields: Array<{ name: string; type: string | null }>;
}

export interface SchemaDiff {
  nodeId: string;
  namespace: string;
  name: string;
  from: SchemaSide;
  to: SchemaSide;
  added: ColumnChange[];
  removed: ColumnChange[];
  retyped: ColumnChange[];
}

/** Each side a version id (`{version}`) or an instant (`{at}`: the version in force then). */
export function getSchemaDiff(nodeId: string, from: { version: string } | { at: string }, to: { version: string } | { at: string }, signal?: AbortSignal): Promise<SchemaDiff> {
  return request<SchemaDiff>(`/lineage/schema-diff${query({
    nodeId,
    ...('version' in from ? { fromVersion: from.version } : { from: from.at }),
    ...('version' in to ? { toVersion: to.version } : { to: to.at }),
  })}`, { signal });
}

// ---- Runs of a job (the time slider's stops) ------------------------------------------------------

export async function listJobRuns(namespace: string, name: string, limit = 100, signal?: AbortSignal): Promise<Run[]> {
  return (await request<{ runs: Run[] }>(`/namespaces/${seg(namespace)}/jobs/${seg(name)}/runs${query({ limit })}`, { signal })).runs;
}
