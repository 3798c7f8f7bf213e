// Node ids on the wire follow Marquez: `dataset:{namespace}:{name}`, `job:{namespace}:{name}`,
// `datasetField:{namespace}:{dataset}:{field}`, and `source:{id}` for user-managed sources.
// Namespaces contain colons (`postgres://host:5432`), so parsing is only exact against the known
// namespaces; without them a heuristic keeps URL-like namespaces (`scheme://host:port`) whole.
import type { NodeKind } from '../types/graph';

export interface ParsedNodeId {
  kind: NodeKind | 'datasetField';
  namespace: string;
  name: string;
  /** datasetField only. */
  field?: string;
}

export function datasetId(namespace: string, name: string): string {
  return `dataset:${namespace}:${name}`;
}

export function jobId(namespace: string, name: string): string {
  return `job:${namespace}:${name}`;
}

export function sourceNodeId(id: string): string {
  return `source:${id}`;
}

export function fieldId(namespace: string, dataset: string, field: string): string {
  return `datasetField:${namespace}:${dataset}:${field}`;
}

const PREFIXES: Array<[string, ParsedNodeId['kind']]> = [
  ['datasetField:', 'datasetField'],
  ['dataset:', 'dataset'],
  ['job:', 'job'],
  ['source:', 'source'],
];

/** Split `{namespace}:{rest}` using known namespaces (longest match first), else a heuristic. */
export function splitNamespace(body: string, knownNamespaces: readonly string[] = []): [string, string] {
  const known = [...knownNamespaces].sort((a, b) => b.length - a.length);
  for (const ns of known) {
    if (body.startsWith(`${ns}:`) && body.length > ns.length + 1) return [ns, body.slice(ns.length + 1)];
  }
  // scheme://authority[:port] — the authority ends at the first ':' that is not followed by a port
  // number ending at a ':' or '/', or the end.
  const url = /^([a-zA-Z][\w+.-]*:\/\/[^:/]*(?::\d+)?(?:\/[^:]*)?):(.*)$/.exec(body);
  if (url?.[1] && url[2] !== undefined && url[2] !== '') return [url[1], url[2]];
  const at = body.indexOf(':');
  if (at <= 0) return ['', body];
  return [body.slice(0, at), body.slice(at + 1)];
}

export function parseNodeId(id: string, knownNamespaces: readonly string[] = []): ParsedNodeId | null {
  for (const [prefix, kind] of PREFIXES) {
    if (!id.startsWith(prefix)) continue;
    const body = id.slice(prefix.length);
    if (kind === 'source') return { kind, namespace: '', name: body };
    const [namespace, rest] = splitNamespace(body, knownNamespaces);
    if (kind === 'datasetField') {
      const at = rest.lastIndexOf(':');
      if (at < 0) return null;
      return { kind, namespace, name: rest.slice(0, at), field: rest.slice(at + 1) };
    }
    return { kind, namespace, name: rest };
  }
  return null;
}

/** The short label of a dataset or job name: the last path segment, keeping dotted names whole. */
export function shortName(name: string): string {
  const trimmed = name.replace(/\/+$/, '');
  const slash = trimmed.lastIndexOf('/');
  return slash >= 0 && slash < trimmed.length - 1 ? trimmed.slice(slash + 1) : trimmed || name;
}
