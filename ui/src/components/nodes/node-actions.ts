// Callbacks a page hands to the node components on its canvas (expand/collapse, field clicks),
// through context so the node registry stays static.
import { createContext, useContext } from 'react';
import type { Direction } from '../../types/graph';

export interface NodeActions {
  toggle?(nodeId: string, direction: Direction, action: 'expand' | 'collapse'): void;
  selectField?(nodeId: string, field: string): void;
  /** Show the members of a collapsed group (lib/grouping.ts). */
  openGroup?(key: string): void;
}

export const NodeActionsContext = createContext<NodeActions>({});

export function useNodeActions(): NodeActions {
  return useContext(NodeActionsContext);
}
