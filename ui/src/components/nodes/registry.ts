// THE registry of canvas node and edge types, at module scope (React Flow must get the same object
// on every render; never build `nodeTypes` inside a component). Shared by the explorer and the
// dashboard editor.
import type { EdgeTypes, NodeTypes } from '@xyflow/react';
import { LineageEdge } from './lineage-edge';
import { LineageNode } from './lineage-node';

export const nodeTypes = {
  dataset: LineageNode,
  job: LineageNode,
  source: LineageNode,
} satisfies NodeTypes;

export const edgeTypes = {
  lineage: LineageEdge,
} satisfies EdgeTypes;
