import { describe, expect, it } from 'vitest';
import type { Source } from '../types/api';
import type { SourceLive } from './live-messages';
import { latestSourceLive } from './source-health';

const source = (state: 'ok' | 'failing' | 'unknown', checkedAt: string | null): Source => ({
  id: 's1', kind: 'postgres', name: 'pg', description: null, config: {}, namespaces: [], createdAt: '', updatedAt: '',
  status: { state, message: state === 'failing' ? 'connection refused' : null, checkedAt, latencyMs: 3 },
});
const live = (health: SourceLive['health'], checkedAt: string | null): SourceLive => ({ kind: 'source', health, checkedAt, latencyMs: null, message: null });

describe('source health badge', () => {
  it('takes a newer connection test over an older stream report', () => {
    const merged = latestSourceLive(live('unknown', null), source('failing', '2024-05-01T10:00:00Z'));
    expect(merged).toMatchObject({ kind: 'source', health: 'unhealthy', message: 'connection refused' });
  });

  it('keeps a newer stream report', () => {
    expect(latestSourceLive(live('healthy', '2024-05-01T11:00:00Z'), source('failing', '2024-05-01T10:00:00Z'))).toMatchObject({ health: 'healthy' });
  });

  it('uses the source alone when the stream said nothing, and nothing without a check', () => {
    expect(latestSourceLive(undefined, source('ok', '2024-05-01T10:00:00Z'))).toMatchObject({ health: 'healthy' });
    expect(latestSourceLive(undefined, source('unknown', null))).toBeUndefined();
    expect(latestSourceLive(live('unknown', null), undefined)).toMatchObject({ health: 'unknown' });
  });
});
