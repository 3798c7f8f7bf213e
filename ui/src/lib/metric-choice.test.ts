import { describe, expect, it } from 'vitest';
import { chooseMetric, liveNodeId, metricStorageKey, parseMetricChoices, readMetricChoices, type KeyValueStorage } from './metric-choice';

function memory(): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

describe('metric choices', () => {
  it('persists a choice per dashboard and node, dropping the default', () => {
    const s = memory();
    let choices = chooseMetric(s, 'd1', {}, 'n1', 'rows');
    choices = chooseMetric(s, 'd1', choices, 'n2', 'bytes');
    expect(readMetricChoices(s, 'd1')).toEqual({ n1: 'rows', n2: 'bytes' });
    expect(readMetricChoices(s, 'd2')).toEqual({});
    choices = chooseMetric(s, 'd1', choices, 'n1', 'auto');
    choices = chooseMetric(s, 'd1', choices, 'n2', 'auto');
    expect(choices).toEqual({});
    expect(s.data.has(metricStorageKey('d1'))).toBe(false);
  });

  it('ignores unreadable or unknown stored values', () => {
    expect(parseMetricChoices('{')).toEqual({});
    expect(parseMetricChoices('[1]')).toEqual({});
    expect(parseMetricChoices('{"a":"rows","b":"megaflops"}')).toEqual({ a: 'rows' });
  });

  it('names dashboard sources as the streams do', () => {
    expect(liveNodeId({ kind: 'source', id: 'abc' })).toBe('source:abc');
    expect(liveNodeId({ kind: 'dataset', id: 'dataset:a:b' })).toBe('dataset:a:b');
  });
});
