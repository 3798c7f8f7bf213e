import { describe, expect, it } from 'vitest';
import type { NodeType } from '../types/api';
import { decodePayload, encodePayload, groupNodeTypes } from './palette';

const t = (kind: string, label: string, category: string): NodeType => ({ kind, label, category, icon: '', defaultConfig: {}, configSchema: {}, secretFields: [] });
const types = [t('postgres', 'PostgreSQL', 'Databases'), t('kafka', 'Kafka', 'Streaming'), t('mysql', 'MySQL', 'Databases'), t('x', 'X', '')];

describe('palette', () => {
  it('groups by category, sorted, with an Other group', () => {
    expect(groupNodeTypes(types).map((g) => [g.category, g.types.map((x) => x.kind)])).toEqual([
      ['Databases', ['mysql', 'postgres']], ['Other', ['x']], ['Streaming', ['kafka']],
    ]);
  });

  it('filters by label, kind or category', () => {
    expect(groupNodeTypes(types, 'sql').flatMap((g) => g.types.map((x) => x.kind))).toEqual(['mysql', 'postgres']);
    expect(groupNodeTypes(types, 'stream').flatMap((g) => g.types.map((x) => x.kind))).toEqual(['kafka']);
    expect(groupNodeTypes(types, 'nothing')).toEqual([]);
  });

  it('round-trips drag payloads and rejects junk', () => {
    expect(decodePayload(encodePayload({ type: 'node-type', kind: 'postgres' }))).toEqual({ type: 'node-type', kind: 'postgres' });
    const ref = { type: 'ref' as const, ref: { kind: 'dataset' as const, id: 'dataset:a:b' } };
    expect(decodePayload(encodePayload(ref))).toEqual(ref);
    expect(decodePayload('{')).toBeNull();
    expect(decodePayload(JSON.stringify({ type: 'ref', ref: { kind: 'table', id: 'x' } }))).toBeNull();
    expect(decodePayload(null)).toBeNull();
  });
});
