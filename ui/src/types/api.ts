// Wire types of the receiver's HTTP API (DESIGN §4). They mirror the server's schemas: camelCase
// JSON, Marquez-compatible objects for datasets, jobs and runs, and one error shape everywhere.

/** Every error, everywhere: `{code, status, message, errors}`. */
export interface ApiErrorBody {
  code: string;
  status: number;
  message: string;
  errors: Array<Record<string, unknown>>;
}

export type Facets = Record<string, unknown>;

export type RunState = 'NEW' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'ABORTED';

export interface Run {
  id: string;
  createdAt?: string | null;
  updatedAt?: string | null;
  nominalStartTime?: string | null;
  nominalEndTime?: string | null;
  state: RunState;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  args?: Record<string, unknown>;
  facets?: Facets;
}

export interface DatasetField {
  name: string;
  type: string | null;
  tags?: unknown[];
  description?: string | null;
}

export interface NameRef {
  namespace: string;
  name: string;
}

export interface Dataset {
  id: NameRef;
  type?: string;
  name: string;
  physicalName?: string;
  namespace: string;
  sourceName?: string;
  createdAt?: string;
  updatedAt?: string;
  fields: DatasetField[];
  tags?: unknown[];
  lastModifiedAt?: string | null;
  lastLifecycleState?: string | null;
  description?: string | null;
  currentVersion?: string | null;
  facets: Facets;
  deleted?: boolean;
}

export interface DatasetVersion extends Omit<Dataset, 'currentVersion'> {
  version: string;
  lifecycleState?: string;
  createdByRun?: Run | null;
}

export interface Job {
  id: NameRef;
  type?: string;
  name: string;
  simpleName?: string;
  parentJobName?: string | null;
  createdAt?: string;
  updatedAt?: string;
  namespace: string;
  inputs: NameRef[];
  outputs: NameRef[];
  location?: string | null;
  description?: string | null;
  latestRun: Run | null;
  tags?: unknown[];
  facets: Facets;
  currentVersion?: string | null;
}

export interface Namespace {
  name: string;
  createdAt?: string;
  updatedAt?: string;
  ownerName?: string;
  description?: string | null;
}

export interface LineageEdgeWire {
  origin: string;
  destination: string;
  manual?: boolean;
  /** With `includeStale`: no longer current at the instant asked (docs/api.md, "Lineage through time"). */
  stale?: boolean;
  firstSeen?: string | null;
  lastSeen?: string | null;
}

export type LineageNodeType = 'DATASET' | 'JOB';

export interface LineageNodeWire {
  id: string;
  type: LineageNodeType;
  data: Partial<Dataset> & Partial<Job> & { namespace: string; name: string };
  inEdges: LineageEdgeWire[];
  outEdges: LineageEdgeWire[];
}

export interface LineageResponse {
  graph: LineageNodeWire[];
  truncated?: boolean;
}

export interface InputField {
  namespace: string;
  dataset: string | null;
  datasetId: string;
  field: string;
  transformationType: string | null;
  transformationSubtype: string | null;
  transformationDescription: string | null;
  transformations: string[];
}

export interface ColumnNodeWire {
  id: string;
  type: 'DATASET_FIELD';
  data: {
    namespace: string;
    dataset: string | null;
    datasetId: string;
    field: string;
    inputFields: InputField[];
  };
  inEdges: LineageEdgeWire[];
  outEdges: LineageEdgeWire[];
}

export interface ColumnLineageResponse {
  graph: ColumnNodeWire[];
  truncated?: boolean;
}

export interface PathHop {
  from: string;
  to: string;
  manual: boolean;
  job: { id: string; namespace: string; name: string; latestRun: Run | null; sql: string | null } | null;
}

export interface LineagePath {
  length: number;
  nodes: string[];
  edges: Array<{ origin: string; destination: string; type: string }>;
  hops: PathHop[];
}

export interface PathResponse {
  from: string;
  to: string;
  paths: LineagePath[];
}

export type SearchFilter = 'dataset' | 'job' | 'field';

export interface SearchResult {
  id: string;
  type: 'DATASET' | 'JOB' | 'DATASET_FIELD';
  namespace: string;
  name: string;
  datasetId?: string;
}

export interface SearchResponse {
  results: SearchResult[];
  totalCount: number;
}

// ---- Node types (the palette) -------------------------------------------------------------------

/** The subset of JSON Schema the form generator understands (anything else is shown as JSON). */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  items?: JsonSchema;
  writeOnly?: boolean;
  examples?: unknown[];
}

export interface NodeType {
  kind: string;
  label: string;
  category: string;
  icon: string;
  defaultConfig: Record<string, unknown>;
  configSchema: JsonSchema;
  secretFields: string[];
}

export interface NodeTypesResponse {
  nodeTypes: NodeType[];
}

// ---- Sources ------------------------------------------------------------------------------------

export type SourceState = 'unknown' | 'ok' | 'failing';

export interface SourceStatus {
  state: SourceState;
  message: string | null;
  checkedAt: string | null;
  latencyMs: number | null;
}

export interface Source {
  id: string;
  kind: string;
  name: string;
  description: string | null;
  config: Record<string, unknown>;
  status: SourceStatus;
  namespaces: string[];
  createdAt: string;
  updatedAt: string;
}

export interface SourceInput {
  kind: string;
  name: string;
  description?: string | null;
  config: Record<string, unknown>;
}

export interface SourcesResponse {
  sources: Source[];
  totalCount: number;
}

export interface SourceTestResult {
  ok: boolean;
  message: string;
  latencyMs: number | null;
  details?: unknown;
}

// ---- Dashboards ---------------------------------------------------------------------------------

export type DashboardRefKind = 'source' | 'dataset' | 'job';

export interface DashboardNode {
  id: string;
  ref: { kind: DashboardRefKind; id: string };
  position: { x: number; y: number };
  note: string | null;
}

export interface DashboardEdge {
  id: string;
  source: string;
  target: string;
  note?: string | null;
}

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

export interface Dashboard {
  id: string;
  name: string;
  description: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  viewport: Viewport;
  nodes: DashboardNode[];
  edges: DashboardEdge[];
}

export interface DashboardSummary {
  id: string;
  name: string;
  description: string | null;
  version: number;
  updatedAt: string;
  nodeCount: number;
}

export interface DashboardsResponse {
  dashboards: DashboardSummary[];
  totalCount: number;
}

export interface DashboardExport {
  format: 'lineagelens.dashboard';
  formatVersion: number;
  dashboard: Record<string, unknown>;
}

// ---- Impact analysis, run page, browse (issue 11) ------------------------------------------------

export interface ImpactRow {
  id: string;
  /** Edges from the start node (from a dataset: its jobs at 1, the datasets they write at 2). */
  degree: number;
  kind: 'DATASET' | 'JOB' | 'DATASET_FIELD';
  type: string;
  namespace: string;
  name: string;
  field: string | null;
  datasetId: string | null;
  lastRunState: RunState | null;
  lastRunId: string | null;
  owners: string[];
  updatedAt: string | null;
}

export interface ImpactResponse {
  nodeId: string;
  direction: 'downstream' | 'upstream';
  depth: number;
  truncated: boolean;
  totalCount: number;
  rows: ImpactRow[];
}

export interface RunRef {
  id: string;
  jobNamespace: string | null;
  jobName: string | null;
  state: RunState | null;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
}

export interface DatasetVersionRef {
  datasetVersionId: { namespace: string; name: string; version: string | null };
  facets: Facets;
}

export interface RunDetail extends Run {
  job: { id: string; namespace: string; name: string };
  error: { message: string; programmingLanguage: string | null; stackTrace: string | null } | null;
  timeline: Array<{ eventType: string; eventTime: string | null; producer: string | null; inputs: number; outputs: number }>;
  inputDatasetVersions: DatasetVersionRef[];
  outputDatasetVersions: DatasetVersionRef[];
  parent: RunRef | null;
  children: RunRef[];
  jobDurations: { count: number; p50Ms: number | null; p95Ms: number | null };
  orchestrator: { kind: string; label: string; url: string } | null;
}

export interface JobDurations {
  count: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface CatalogItem {
  id: string;
  kind: 'DATASET' | 'JOB';
  namespace: string;
  name: string;
  type: string;
  owners: string[];
  tags: string[];
  lastRunId: string | null;
  lastRunState: RunState | null;
  lastRunDurationMs: number | null;
  updatedAt: string | null;
}

export type BrowseFacet = 'namespace' | 'type' | 'owner' | 'state' | 'tag';

export interface FacetValue {
  value: string;
  count: number;
  selected: boolean;
}

export interface BrowseResponse {
  items: CatalogItem[];
  totalCount: number;
  /** The offset these items start at (the page they are, while another loads). */
  offset?: number;
  facets: Record<BrowseFacet, FacetValue[]>;
}
