import { describe, expect, it } from 'vitest';
import { backoffDelay, closeVerdict, overallState, receiverRoot, streamUrl, waitingState, OFFLINE_AFTER_ATTEMPTS } from './live-connection';

describe('backoffDelay', () => {
  it('doubles up to the cap, with half of each delay random', () => {
    const low = (a: number) => backoffDelay(a, undefined, () => 0);
    const high = (a: number) => backoffDelay(a, undefined, () => 1);
    expect([0, 1, 2, 3].map(low)).toEqual([250, 500, 1000, 2000]);
    expect([0, 1, 2, 3].map(high)).toEqual([500, 1000, 2000, 4000]);
    expect(high(20)).toBe(30_000);
    expect(low(20)).toBe(15_000);
  });

  it('spreads clients dropped together', () => {
    const delays = new Set(Array.from({ length: 50 }, (_, i) => backoffDelay(3, undefined, () => i / 50)));
    expect(delays.size).toBe(50);
  });
});

describe('streamUrl', () => {
  it('puts the stream under the receiver root of the API base, ws: for http pages', () => {
    expect(receiverRoot('/api/v1')).toBe('/');
    expect(receiverRoot('/lineagelens/api/v1/')).toBe('/lineagelens/');
    expect(streamUrl('/api/v1', 'ws/events', 'http://127.0.0.1:5000/lineage?x=1')).toBe('ws://127.0.0.1:5000/ws/events');
    expect(streamUrl('/p/api/v1', '/ws/monitoring/d%201', 'http://h/p/dashboards/d')).toBe('ws://h/p/ws/monitoring/d%201');
  });

  it('uses wss: for https pages and absolute API bases, and adds since when resuming', () => {
    expect(streamUrl('https://rx.example/api/v1', 'ws/lineage?nodeId=a&depth=2', 'http://other/', 42))
      .toBe('wss://rx.example/ws/lineage?nodeId=a&depth=2&since=42');
    expect(streamUrl('/api/v1', 'ws/events', 'https://h/', 7)).toBe('wss://h/ws/events?since=7');
  });
});

describe('close codes and states', () => {
  it('retries drops, refreshes on 4401, stops on 4403/4404', () => {
    expect(closeVerdict(1006)).toEqual({ action: 'retry' });
    expect(closeVerdict(1001)).toEqual({ action: 'retry' });
    expect(closeVerdict(4408)).toEqual({ action: 'retry' });
    expect(closeVerdict(4401)).toEqual({ action: 'refresh' });
    expect(closeVerdict(4403).action).toBe('stop');
    expect(closeVerdict(4404).action).toBe('stop');
    expect(closeVerdict(4400)).toEqual({ action: 'stop', reason: 'refused by the server (400)' });
    expect(closeVerdict(4000)).toEqual({ action: 'retry' });
  });

  it('says offline after several failures or when the browser is offline', () => {
    expect(waitingState(1, true)).toBe('reconnecting');
    expect(waitingState(OFFLINE_AFTER_ATTEMPTS, true)).toBe('offline');
    expect(waitingState(0, false)).toBe('offline');
  });

  it('shows the worst state of the open streams', () => {
    expect(overallState([])).toBeNull();
    expect(overallState(['connected', 'connected'])).toBe('connected');
    expect(overallState(['connected', 'reconnecting'])).toBe('reconnecting');
    expect(overallState(['offline', 'reconnecting', 'connecting'])).toBe('offline');
  });
});
