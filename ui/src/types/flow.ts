// What the canvas node and edge components receive in `data` (React Flow), shared by the explorer
// and the dashboard editor so both draw the same cards.
import type { Edge, Node } from '@xyflow/react';
import type { NodeKind, NodeStatus, SourceHealth } from './graph';
import type { Platform } from '../lib/platform';
import type { GroupInfo } from '../lib/grouping';

export type ToggleState = 'expand' | 'collapse' | 'loading' | null;

export interface LineageNodeData extends Record<string, unknown> {
  kind: NodeKind;
  /** Short name shown in bold. */
  label: string;
  /** Full name (tooltip). */
  title: string;
  namespace: string;
  /** Small text under the label: namespace, source kind … */
  subtitle?: string;
  /** Status: run state for jobs, health for sources. */
  status?: NodeStatus;
  /** Hover text of the status (a failed run's error message). */
  statusText?: string;
  /** The status came from a live stream: the card itself is coloured (running pulses, failed red …). */
  live?: boolean;
  /** One metric on the card (last run's duration and rows, bytes, last update …), already formatted. */
  metric?: string | null;
  /** Sources: the health badge. */
  health?: SourceHealth | null;
  note?: string | null;
  /** Icon of a source type: an SVG document or a URL. */
  icon?: string;
  /** Where the node lives (namespace scheme, job integration): the card's icon (lib/platform.ts). */
  platform?: Platform;
  /** A collapsed group standing for several nodes (lib/grouping.ts). */
  group?: GroupInfo;
  /** Column view: the dataset's fields. */
  fields?: string[];
  fieldTypes?: Record<string, string>;
  /** Column view: fields on the highlighted field lineage. */
  activeFields?: string[];
  selectedField?: string | null;
  highlighted?: boolean;
  dimmed?: boolean;
  root?: boolean;
  toggles?: { up: ToggleState; down: ToggleState } | null;
}

export type LineageFlowNode = Node<LineageNodeData, NodeKind>;

export interface LineageEdgeData extends Record<string, unknown> {
  manual: boolean;
  label?: string;
  highlighted?: boolean;
  dimmed?: boolean;
  /** Column view edges are thinner. */
  column?: boolean;
}

export type LineageFlowEdge = Edge<LineageEdgeData, 'lineage'>;
