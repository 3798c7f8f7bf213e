import { describe, expect, it } from 'vitest';
import type { ConnectionState } from './live-connection';
import { CLIENT_HEARTBEAT_CLOSE, LiveSocket, type LiveSocketDeps, type SocketLike } from './live-socket';

class FakeSocket implements SocketLike {
  sent: string[] = [];
  closedWith: number | null = null;
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  constructor(readonly since: number | null) {}
  send(data: string) { this.sent.push(data); }
  close(code?: number) { this.closedWith = code ?? 1000; }
  open() { this.onopen?.({}); }
  receive(type: string, seq: number | null, payload: Record<string, unknown> = {}) {
    this.onmessage?.({ data: JSON.stringify({ type, seq, ts: 't', payload }) });
  }
  drop(code = 1006) { this.onclose?.({ code }); }
}

/** Fake sockets and a fake clock: timers run when the test advances time. */
function harness(options: { online?: boolean; refresh?: boolean; subscription?: { nodeIds: string[] } } = {}) {
  const sockets: FakeSocket[] = [];
  const timers: Array<{ at: number; fn: () => void; id: number }> = [];
  let clock = 0;
  let ids = 0;
  const states: ConnectionState[] = [];
  const reasons: Array<string | null> = [];
  const deps: LiveSocketDeps = {
    open: (since) => {
      const s = new FakeSocket(since);
      sockets.push(s);
      return s;
    },
    setTimer: (fn, ms) => {
      ids += 1;
      timers.push({ at: clock + ms, fn, id: ids });
      return ids;
    },
    clearTimer: (h) => {
      const i = timers.findIndex((t) => t.id === h);
      if (i >= 0) timers.splice(i, 1);
    },
    random: () => 0,
    online: () => options.online ?? true,
    refresh: () => Promise.resolve(options.refresh ?? true),
  };
  const live = new LiveSocket(deps, { onState: (s, r) => { states.push(s); reasons.push(r); } },
    { heartbeatMs: 40_000, subscription: options.subscription ?? null });
  const advance = (ms: number) => {
    clock += ms;
    for (;;) {
      timers.sort((a, b) => a.at - b.at);
      const due = timers[0];
      if (!due || due.at > clock) break;
      timers.shift();
      due.fn();
    }
  };
  const last = () => sockets[sockets.length - 1]!;
  return { live, sockets, states, reasons, advance, last };
}

describe('LiveSocket', () => {
  it('connects, folds messages and reports connected', () => {
    const h = harness();
    h.live.start();
    expect(h.sockets).toHaveLength(1);
    expect(h.last().since).toBeNull();
    h.last().open();
    h.last().receive('snapshot', 5, { nodes: { 'job:a:b': { kind: 'job', state: 'RUNNING' } } });
    expect(h.live.view.seq).toBe(5);
    expect(h.states).toEqual(['connecting', 'connected']);
  });

  it('reconnects with backoff after a drop and resumes from the last seq', () => {
    const h = harness();
    h.live.start();
    h.last().open();
    h.last().receive('snapshot', 5, { nodes: {} });
    h.last().receive('run.state', 8, { jobId: 'job:a:b', runId: 'r', state: 'FAIL' });
    h.last().drop(1006);
    expect(h.live.state).toBe('reconnecting');
    h.advance(249);
    expect(h.sockets).toHaveLength(1);
    h.advance(1); // first retry after 250 ms (random 0 → half of 500)
    expect(h.sockets).toHaveLength(2);
    expect(h.last().since).toBe(8);
    // It fails again: the next wait is longer.
    h.last().drop(1006);
    h.advance(499);
    expect(h.sockets).toHaveLength(2);
    h.advance(1);
    expect(h.sockets).toHaveLength(3);
    h.last().open();
    expect(h.live.state).toBe('connected');
  });

  it('says offline after several failed attempts but keeps retrying', () => {
    const h = harness();
    h.live.start();
    for (let i = 0; i < 5; i += 1) {
      h.last().drop(1006);
      h.advance(60_000);
    }
    expect(h.states).toContain('offline');
    expect(h.sockets).toHaveLength(6);
    h.last().open();
    expect(h.live.state).toBe('connected');
  });

  it('drops a silent link after the heartbeat timeout and reconnects', () => {
    const h = harness();
    h.live.start();
    h.last().open();
    h.last().receive('snapshot', 3, { nodes: {} });
    h.advance(39_000);
    h.last().receive('heartbeat', 3);
    h.advance(39_000);
    expect(h.sockets).toHaveLength(1); // the heartbeat re-armed the timer
    h.advance(1_000);
    expect(h.sockets[0]!.closedWith).toBe(CLIENT_HEARTBEAT_CLOSE);
    h.advance(500);
    expect(h.sockets).toHaveLength(2);
    expect(h.last().since).toBe(3);
  });

  it('refreshes the session once on 4401, and gives up when that fails', async () => {
    const ok = harness({ refresh: true });
    ok.live.start();
    ok.last().drop(4401);
    await Promise.resolve();
    await Promise.resolve();
    expect(ok.sockets).toHaveLength(2);

    const gone = harness({ refresh: false });
    gone.live.start();
    gone.last().drop(4401);
    await Promise.resolve();
    await Promise.resolve();
    expect(gone.sockets).toHaveLength(1);
    expect(gone.live.state).toBe('offline');
    expect(gone.reasons[gone.reasons.length - 1]).toBe('signed out');
  });

  it('stops on 4404 with the reason, and stop() closes without reconnecting', () => {
    const h = harness();
    h.live.start();
    h.last().drop(4404);
    h.advance(60_000);
    expect(h.sockets).toHaveLength(1);
    expect(h.live.state).toBe('offline');
    expect(h.reasons[h.reasons.length - 1]).toMatch(/unknown/);

    const s = harness();
    s.live.start();
    s.last().open();
    s.live.stop();
    expect(s.sockets[0]!.closedWith).toBe(1000);
    s.advance(60_000);
    expect(s.sockets).toHaveLength(1);
  });

  it('sends the subscription on every connect and when it changes', () => {
    const h = harness({ subscription: { nodeIds: ['job:a:b'] } });
    h.live.start();
    h.last().open();
    expect(h.last().sent.map((x) => JSON.parse(x))).toEqual([{ type: 'subscribe', nodeIds: ['job:a:b'], namespaces: [] }]);
    h.live.setSubscription({ namespaces: ['airflow'] });
    expect(JSON.parse(h.last().sent[1]!)).toEqual({ type: 'subscribe', nodeIds: [], namespaces: ['airflow'] });
    h.last().drop();
    h.advance(1_000);
    h.last().open();
    expect(JSON.parse(h.last().sent[0]!)).toEqual({ type: 'subscribe', nodeIds: [], namespaces: ['airflow'] });
  });

  it('retries at once when the browser comes back online', () => {
    const h = harness();
    h.live.start();
    h.last().drop();
    expect(h.sockets).toHaveLength(1);
    h.live.wake();
    expect(h.sockets).toHaveLength(2);
  });

  it('says offline while the browser is, and connected again if the socket survived', () => {
    const h = harness();
    h.live.start();
    h.last().open();
    h.live.wentOffline();
    expect(h.live.state).toBe('offline');
    h.live.wake();
    expect(h.live.state).toBe('connected');
    expect(h.sockets).toHaveLength(1);
  });
});
