// The UI's own graph model: what lib/ functions take and return, independent of React Flow and D3.
import type { Dataset, Job, SourceState } from './api';

export type NodeKind = 'dataset' | 'job' | 'source';

/** A status shown on a node: run state for jobs and datasets (the producing run), health for sources.
 * Live streams feed it (lib/live-status.ts); 'stale' = the stream is not connected, so it may be old;
 * 'late' = the last run took (or is taking) longer than the job's p95 (lib/health-overlay.ts). */
export type NodeStatus = 'ok' | 'running' | 'failing' | 'unknown' | 'new' | 'aborted' | 'stale' | 'late';

/** A source's last health check, as the live streams report it. */
export type SourceHealth = 'healthy' | 'unhealthy' | 'unknown';

export interface GraphNode {
  id: string;
  kind: NodeKind;
  namespace: string;
  name: string;
  /** The Marquez dataset/job object, when the API sent one. */
  data: Partial<Dataset> & Partial<Job>;
  status?: NodeStatus;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  /** Drawn by a person (dashboard / FLOWS_TO {origin:'manual'}), not observed from events. */
  manual: boolean;
  /** Dataset-only view: the jobs this dataset→dataset edge stands for. */
  via?: string[];
  label?: string;
  /** Seen once but no longer current at the view's instant (shown only with the "show stale" toggle). */
  stale?: boolean;
}

export interface Graph {
  nodes: Record<string, GraphNode>;
  edges: Record<string, GraphEdge>;
}

export type Direction = 'up' | 'down';

export interface Point {
  x: number;
  y: number;
}

export interface Size {
  width: number;
  height: number;
}

export type Positions = Record<string, Point>;

/** Column view: a field-to-field edge with how the target derives from the source. */
export interface FieldEdge {
  id: string;
  sourceDataset: string;
  sourceField: string;
  targetDataset: string;
  targetField: string;
  transformationType: string | null;
  transformationSubtype: string | null;
  description: string | null;
  /** Every subtype seen for this pair of fields, direct ones first. */
  subtypes: string[];
}

export interface ColumnGraph {
  /** datasetId → field names, in display order. */
  fields: Record<string, string[]>;
  /** datasetId → display info for datasets that appear only in the column graph. */
  datasets: Record<string, { namespace: string; name: string }>;
  edges: FieldEdge[];
}

export function sourceStateToStatus(state: SourceState): NodeStatus {
  return state === 'ok' ? 'ok' : state === 'failing' ? 'failing' : 'unknown';
}
