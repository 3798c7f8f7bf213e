// The column-level view: `/column-lineage` DATASET_FIELD nodes grouped into their datasets, with one
// field→field edge per input field carrying its transformation type and subtype.
import type { ColumnLineageResponse, Dataset } from '../types/api';
import type { ColumnGraph, FieldEdge, Graph } from '../types/graph';

export function fromColumnLineage(response: ColumnLineageResponse): ColumnGraph {
  const fields: Record<string, string[]> = {};
  const datasets: ColumnGraph['datasets'] = {};
  const edges: FieldEdge[] = [];
  const addField = (datasetId: string, namespace: string, dataset: string | null, field: string) => {
    const list = fields[datasetId] ?? (fields[datasetId] = []);
    if (!list.includes(field)) list.push(field);
    if (!datasets[datasetId]) {
      datasets[datasetId] = { namespace, name: dataset ?? datasetId.slice(`dataset:${namespace}:`.length) };
    }
  };
  const byPair = new Map<string, FieldEdge>();
  for (const node of response.graph) {
    const d = node.data;
    addField(d.datasetId, d.namespace, d.dataset, d.field);
    for (const input of d.inputFields) {
      addField(input.datasetId, input.namespace, input.dataset, input.field);
      // One edge per source field → target field; its transformations accumulate (DIRECT first).
      const id = `${input.datasetId}::${input.field}->${d.datasetId}::${d.field}`;
      const subtype = input.transformationSubtype || input.transformationType || '';
      const existing = byPair.get(id);
      if (!existing) {
        const edge: FieldEdge = {
          id, sourceDataset: input.datasetId, sourceField: input.field, targetDataset: d.datasetId, targetField: d.field,
          transformationType: input.transformationType, transformationSubtype: input.transformationSubtype,
          description: input.transformationDescription, subtypes: subtype ? [subtype] : [],
        };
        byPair.set(id, edge);
        edges.push(edge);
      } else {
        if (subtype && !existing.subtypes.includes(subtype)) existing.subtypes.push(subtype);
        if (existing.transformationType !== 'DIRECT' && input.transformationType === 'DIRECT') {
          existing.transformationType = input.transformationType;
          existing.transformationSubtype = input.transformationSubtype;
          existing.subtypes = [subtype, ...existing.subtypes.filter((x) => x !== subtype)];
        }
      }
    }
  }
  return { fields, datasets, edges };
}

/** The field list to show per dataset: the schema from the lineage graph where known (in schema
 * order), with fields only the column graph knows appended. */
export function datasetFieldLists(columns: ColumnGraph, graph: Graph): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [datasetId, colFields] of Object.entries(columns.fields)) {
    const schema = ((graph.nodes[datasetId]?.data as Partial<Dataset> | undefined)?.fields ?? []).map((f) => f.name);
    result[datasetId] = [...schema, ...colFields.filter((f) => !schema.includes(f))];
  }
  return result;
}

export const fieldKey = (datasetId: string, field: string) => `${datasetId}::${field}`;

/** Fields the given field derives from, transitively, and the edges on the way (for highlighting);
 * with `downstream`, also the fields derived from it. */
export function fieldLineage(columns: ColumnGraph, datasetId: string, field: string, downstream = true): { fields: Set<string>; edges: Set<string> } {
  const fields = new Set<string>([fieldKey(datasetId, field)]);
  const edges = new Set<string>();
  const walk = (forward: boolean) => {
    const stack = [fieldKey(datasetId, field)];
    const seen = new Set(stack);
    while (stack.length > 0) {
      const key = stack.pop()!;
      for (const e of columns.edges) {
        const from = fieldKey(e.sourceDataset, e.sourceField);
        const to = fieldKey(e.targetDataset, e.targetField);
        const [here, there] = forward ? [from, to] : [to, from];
        if (here !== key) continue;
        edges.add(e.id);
        fields.add(there);
        if (!seen.has(there)) {
          seen.add(there);
          stack.push(there);
        }
      }
    }
  };
  walk(false);
  if (downstream) walk(true);
  return { fields, edges };
}

/** Short label for an edge: its subtypes (IDENTITY, AGGREGATION …), direct ones first. */
export function transformationLabel(edge: FieldEdge): string {
  const parts = edge.subtypes.length ? edge.subtypes : [edge.transformationSubtype || edge.transformationType || ''];
  return parts.filter(Boolean).map((p) => p.toLowerCase().replace(/_/g, ' ')).join(' · ');
}
