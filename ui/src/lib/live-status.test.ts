import { describe, expect, it } from 'vitest';
import type { Run } from '../types/api';
import { datasetLive, jobLive, sourceLive } from './live-messages';
import { formatBytes, formatCount, homePanels, liveDisplay, liveDisplays, runStatus, upsertRun } from './live-status';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const failed = jobLive({ state: 'FAIL', runId: 'r2', startedAt: '2026-01-01T11:58:00Z', endedAt: '2026-01-01T11:59:00Z', durationMs: 60_000,
  error: { message: 'relation "orders" does not exist' }, rows: 12_345, bytes: 5 * 1024 * 1024 });

describe('liveDisplay', () => {
  it('maps run states to card statuses', () => {
    expect(['RUNNING', 'START', 'FAIL', 'ABORT', 'COMPLETE', 'OTHER', null].map((s) => runStatus(s as never)))
      .toEqual(['running', 'running', 'failing', 'aborted', 'ok', 'unknown', 'unknown']);
  });

  it('shows a failed job red with the error on hover and duration · rows by default', () => {
    const d = liveDisplay(failed, { connected: true, now: NOW });
    expect(d).toMatchObject({ status: 'failing', error: 'relation "orders" does not exist', metric: '1 min · 12.3K rows', health: null });
    expect(d.statusText).toContain('relation "orders" does not exist');
  });

  it('shows the chosen metric', () => {
    expect(liveDisplay(failed, { connected: true, metric: 'rows', now: NOW }).metric).toBe('12.3K rows');
    expect(liveDisplay(failed, { connected: true, metric: 'bytes', now: NOW }).metric).toBe('5.0 MB');
    expect(liveDisplay(failed, { connected: true, metric: 'lastRun', now: NOW }).metric).toBe('1 min ago');
    expect(liveDisplay(failed, { connected: true, metric: 'none', now: NOW }).metric).toBeNull();
  });

  it('counts a running job from its start', () => {
    const running = jobLive({ state: 'RUNNING', startedAt: '2026-01-01T11:59:30Z' });
    expect(liveDisplay(running, { connected: true, metric: 'duration', now: NOW })).toMatchObject({ status: 'running', metric: '30 s' });
  });

  it('turns grey (stale) when the stream is not connected', () => {
    const d = liveDisplay(failed, { connected: false, now: NOW });
    expect(d.status).toBe('stale');
    expect(d.statusText).toMatch(/not live/);
  });

  it('shows dataset freshness and source health', () => {
    const ds = datasetLive({ lastProducedAt: '2026-01-01T11:00:00Z', producedBy: 'job:etl:load', state: 'FAIL' });
    expect(liveDisplay(ds, { connected: true, now: NOW })).toMatchObject({ status: 'failing', metric: '1 h ago' });
    expect(liveDisplay(ds, { connected: true, now: NOW }).statusText).toMatch(/etl:load.*failed/);
    const src = sourceLive({ health: 'unhealthy', latencyMs: 41.6, message: 'connection refused' });
    expect(liveDisplay(src, { connected: true, now: NOW })).toMatchObject({ status: 'failing', health: 'unhealthy', metric: '42 ms', error: 'connection refused' });
    expect(liveDisplays({ a: src }, true, () => 'none', NOW).a!.metric).toBeNull();
  });

  it('formats counts and bytes', () => {
    expect(formatCount(9_999)).toBe('9,999');
    expect(formatCount(1_500_000)).toBe('1.5M');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(null)).toBe('—');
  });
});

describe('run lists', () => {
  const runs: Run[] = [{ id: 'r1', state: 'COMPLETED', startedAt: 'a', endedAt: 'b', durationMs: 10 }];

  it('adds a new run at the top and updates a known one in place', () => {
    const started = upsertRun(runs, { jobId: 'j', runId: 'r2', state: 'RUNNING', startedAt: 'c', endedAt: null, durationMs: null, error: null, rows: null, bytes: null });
    expect(started.map((r) => [r.id, r.state])).toEqual([['r2', 'RUNNING'], ['r1', 'COMPLETED']]);
    const done = upsertRun(started, { jobId: 'j', runId: 'r2', state: 'FAIL', startedAt: null, endedAt: 'd', durationMs: 99, error: null, rows: null, bytes: null });
    expect(done[0]).toMatchObject({ id: 'r2', state: 'FAILED', startedAt: 'c', endedAt: 'd', durationMs: 99 });
    expect(done).toHaveLength(2);
    expect(upsertRun(runs, { jobId: 'j', runId: null, state: 'FAIL', startedAt: null, endedAt: null, durationMs: null, error: null, rows: null, bytes: null })).toEqual(runs);
  });

  it('splits jobs into running now and recent failures', () => {
    const panels = homePanels({
      'job:a:late': jobLive({ state: 'RUNNING', startedAt: '2026-01-01T11:00:00Z' }),
      'job:a:early': jobLive({ state: 'START', startedAt: '2026-01-01T10:00:00Z' }),
      'job:a:old-fail': jobLive({ state: 'FAIL', endedAt: '2026-01-01T09:00:00Z' }),
      'job:a:new-fail': jobLive({ state: 'FAIL', endedAt: '2026-01-01T11:30:00Z' }),
      'job:a:ok': jobLive({ state: 'COMPLETE' }),
      'dataset:a:x': datasetLive({ state: 'FAIL' }),
    });
    expect(panels.running.map((r) => r.jobId)).toEqual(['job:a:early', 'job:a:late']);
    expect(panels.failed.map((r) => r.jobId)).toEqual(['job:a:new-fail', 'job:a:old-fail']);
  });
});
