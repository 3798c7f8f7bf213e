// Which metric each dashboard card shows ("custom metrics display"). The dashboard document has no
// free-form place per node (the server keeps id, ref, position and note only), so the choice is kept
// in this browser, per dashboard: localStorage["lineagelens.metrics.<dashboardId>"] = {nodeId: metric}.
import type { MetricKey } from './live-status';

const KEYS = new Set<MetricKey>(['auto', 'rows', 'bytes', 'duration', 'lastRun', 'none']);

export type MetricChoices = Record<string, MetricKey>;

export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function metricStorageKey(dashboardId: string): string {
  return `lineagelens.metrics.${dashboardId}`;
}

/** The stored choices; anything unreadable or unknown is dropped. */
export function parseMetricChoices(text: string | null): MetricChoices {
  if (!text) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
  const out: MetricChoices = {};
  for (const [node, metric] of Object.entries(raw)) if (KEYS.has(metric as MetricKey)) out[node] = metric as MetricKey;
  return out;
}

export function readMetricChoices(storage: KeyValueStorage | null, dashboardId: string): MetricChoices {
  try {
    return parseMetricChoices(storage?.getItem(metricStorageKey(dashboardId)) ?? null);
  } catch {
    return {};
  }
}

/** Choose a node's metric ('auto' is the default and is not stored) and persist; the new choices. */
export function chooseMetric(storage: KeyValueStorage | null, dashboardId: string, current: MetricChoices, nodeId: string, metric: MetricKey): MetricChoices {
  const { [nodeId]: _old, ...rest } = current;
  const next = metric === 'auto' ? rest : { ...rest, [nodeId]: metric };
  try {
    if (Object.keys(next).length === 0) storage?.removeItem(metricStorageKey(dashboardId));
    else storage?.setItem(metricStorageKey(dashboardId), JSON.stringify(next));
  } catch {
    // storage full or disabled: the choice lasts for this page only
  }
  return next;
}

/** The live stream's node id of a dashboard node's ref (sources are `source:<id>` on the streams). */
export function liveNodeId(ref: { kind: string; id: string }): string {
  return ref.kind === 'source' ? `source:${ref.id}` : ref.id;
}
