import type { NodeType, NodeTypesResponse } from '../types/api';
import { request } from './client';

export async function listNodeTypes(signal?: AbortSignal): Promise<NodeType[]> {
  return (await request<NodeTypesResponse>('/node-types', { signal })).nodeTypes;
}
