// One live stream's connection, without React: open the socket, fold its messages into a LiveView,
// watch the heartbeat, and on a drop reconnect with backoff, resuming from the last seq seen
// (`since=`). The socket, timers and session refresh are injected, so the whole life cycle is unit
// tested with a fake socket (live-socket.test.ts); hooks/use-live-stream.ts wires the real ones.
import {
  backoffDelay, closeVerdict, HEARTBEAT_TIMEOUT_MS, waitingState, type ConnectionState,
} from './live-connection';
import { EMPTY_VIEW, parseLiveMessage, reduceLive, type LiveMessage, type LiveView } from './live-messages';

/** The part of the browser's WebSocket used here. */
export interface SocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface Subscription {
  nodeIds?: string[];
  namespaces?: string[];
}

export interface LiveSocketDeps {
  /** Open a socket; `since` is the seq to resume from (null: a fresh snapshot). */
  open(since: number | null): SocketLike;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  random(): number;
  online(): boolean;
  /** Refresh the session after a 4401; true when it worked. */
  refresh(): Promise<boolean>;
}

export interface LiveSocketEvents {
  /** Every message, after it was folded into the view (`replayed`: part of a resume). */
  onMessage?(msg: LiveMessage, view: LiveView): void;
  onState?(state: ConnectionState, reason: string | null): void;
}

export const CLIENT_HEARTBEAT_CLOSE = 4000;

export class LiveSocket {
  private socket: SocketLike | null = null;
  private socketOpen = false;
  private retryTimer: unknown = null;
  private heartbeatTimer: unknown = null;
  private failures = 0;
  private refreshedOnce = false;
  private stopped = true;
  private current: LiveView = EMPTY_VIEW;
  private stateNow: ConnectionState = 'connecting';
  private subscription: Subscription | null;
  private readonly heartbeatMs: number;

  constructor(private readonly deps: LiveSocketDeps, private readonly events: LiveSocketEvents = {},
              options: { subscription?: Subscription | null; heartbeatMs?: number } = {}) {
    this.subscription = options.subscription ?? null;
    this.heartbeatMs = options.heartbeatMs ?? HEARTBEAT_TIMEOUT_MS;
  }

  get view(): LiveView {
    return this.current;
  }

  get state(): ConnectionState {
    return this.stateNow;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    this.detach(1000);
  }

  /** Narrow the stream (`/ws/events`): sent now if connected, and again after every reconnect. */
  setSubscription(subscription: Subscription | null): void {
    this.subscription = subscription;
    if (this.stateNow === 'connected') this.sendSubscription();
  }

  /** The browser is back online: retry now instead of waiting out the backoff (or, if the socket
   * survived the outage, say connected again). */
  wake(): void {
    if (this.stopped) return;
    if (this.socket) {
      if (this.socketOpen) this.setState('connected', null);
      return;
    }
    this.failures = 0;
    this.clearTimers();
    this.connect();
  }

  /** The browser went offline: say so (the socket's own close follows). */
  wentOffline(): void {
    if (!this.stopped) this.setState('offline', null);
  }

  private setState(state: ConnectionState, reason: string | null): void {
    this.stateNow = state;
    this.events.onState?.(state, reason);
  }

  private connect(): void {
    if (this.stopped) return;
    if (this.failures > 0 || this.current.seq !== null) this.setState(waitingState(this.failures, this.deps.online()), null);
    else this.setState('connecting', null);
    const socket = this.deps.open(this.current.seq);
    this.socket = socket;
    this.socketOpen = false;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.socketOpen = true;
      this.failures = 0;
      this.setState('connected', null);
      this.armHeartbeat();
      this.sendSubscription();
    };
    socket.onmessage = (ev) => {
      if (this.socket !== socket) return;
      this.armHeartbeat();
      if (typeof ev.data !== 'string') return;
      const msg = parseLiveMessage(ev.data);
      if (!msg) return;
      this.current = reduceLive(this.current, msg);
      // A message proves the credential works: a later 4401 may refresh the session again.
      this.refreshedOnce = false;
      this.events.onMessage?.(msg, this.current);
    };
    socket.onerror = () => undefined; // a close event always follows
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.socketOpen = false;
      this.closed(ev.code);
    };
  }

  private closed(code: number): void {
    this.clearTimers();
    if (this.stopped) return;
    const verdict = closeVerdict(code);
    if (verdict.action === 'stop') {
      this.stopped = true;
      this.setState('offline', verdict.reason);
      return;
    }
    if (verdict.action === 'refresh') {
      if (this.refreshedOnce) {
        this.stopped = true;
        this.setState('offline', 'signed out');
        return;
      }
      this.refreshedOnce = true;
      this.setState('reconnecting', null);
      void this.deps.refresh().then((ok) => {
        if (this.stopped) return;
        if (ok) this.connect();
        else {
          this.stopped = true;
          this.setState('offline', 'signed out');
        }
      });
      return;
    }
    const delay = backoffDelay(this.failures, undefined, this.deps.random);
    this.failures += 1;
    this.setState(waitingState(this.failures, this.deps.online()), null);
    this.retryTimer = this.deps.setTimer(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  private armHeartbeat(): void {
    if (this.heartbeatTimer !== null) this.deps.clearTimer(this.heartbeatTimer);
    this.heartbeatTimer = this.deps.setTimer(() => {
      this.heartbeatTimer = null;
      // Nothing for too long, not even a heartbeat: the link is dead even if no close came. Drop the
      // socket without waiting for its close handshake and reconnect (resuming).
      this.detach(CLIENT_HEARTBEAT_CLOSE);
      this.closed(CLIENT_HEARTBEAT_CLOSE);
    }, this.heartbeatMs);
  }

  private sendSubscription(): void {
    if (!this.socket || !this.subscription) return;
    const { nodeIds, namespaces } = this.subscription;
    this.socket.send(JSON.stringify({ type: 'subscribe', nodeIds: nodeIds ?? [], namespaces: namespaces ?? [] }));
  }

  private detach(code: number): void {
    const socket = this.socket;
    this.socket = null;
    this.socketOpen = false;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    try {
      socket.close(code);
    } catch {
      // already closing
    }
  }

  private clearTimers(): void {
    if (this.retryTimer !== null) this.deps.clearTimer(this.retryTimer);
    if (this.heartbeatTimer !== null) this.deps.clearTimer(this.heartbeatTimer);
    this.retryTimer = null;
    this.heartbeatTimer = null;
  }
}
