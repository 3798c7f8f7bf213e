// The live streams' connection policy, pure: where a stream is (ws/wss under the runtime API base),
// how long to wait before reconnecting (exponential backoff with jitter), what a close code means
// (retry, refresh the session first, or give up), and the state shown in the header.

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

/** The server sends a heartbeat after 15 s without traffic; silence this long means a dead link. */
export const HEARTBEAT_TIMEOUT_MS = 40_000;
/** Failed attempts in a row after which the header says "offline" (retries go on, at the longest delay). */
export const OFFLINE_AFTER_ATTEMPTS = 4;

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  factor: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000, factor: 2 };

/** Delay before reconnect attempt `attempt` (0 = the first retry): base·factor^attempt capped at max,
 * with "equal jitter" (half fixed, half random) so a thousand clients dropped by one restart do not all
 * come back in the same millisecond, yet none retries at once. */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * options.factor ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** The receiver's root from the API base: "/api/v1" → "/", "https://h/p/api/v1" → "https://h/p/". */
export function receiverRoot(apiBase: string): string {
  const trimmed = apiBase.replace(/\/+$/, '');
  const root = trimmed.endsWith('/api/v1') ? trimmed.slice(0, -'/api/v1'.length) : trimmed.replace(/\/api$/, '');
  return `${root}/`;
}

/** The WebSocket URL of a stream path ("ws/lineage?nodeId=…"), resolved against the page: ws: for an
 * http: page, wss: for https:, with `since` added when resuming. */
export function streamUrl(apiBase: string, path: string, pageHref: string, since: number | null = null): string {
  const u = new URL(path.replace(/^\//, ''), new URL(receiverRoot(apiBase), pageHref));
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  if (since !== null) u.searchParams.set('since', String(since));
  else u.searchParams.delete('since');
  return u.toString();
}

export type CloseVerdict =
  /** Reconnect after the backoff delay, resuming from the last seq. */
  | { action: 'retry' }
  /** The credential was refused: refresh the session, then reconnect (or stop if that fails). */
  | { action: 'refresh' }
  /** Reconnecting will not help (forbidden, unknown dashboard or node). */
  | { action: 'stop'; reason: string };

/** What to do when the socket closed with `code` (docs/monitoring.md, "Close codes"). */
export function closeVerdict(code: number): CloseVerdict {
  if (code === 4401) return { action: 'refresh' };
  if (code === 4403) return { action: 'stop', reason: 'not allowed to watch this' };
  if (code === 4404) return { action: 'stop', reason: 'nothing to watch here (deleted or unknown)' };
  // Any other refused handshake (4000 + an HTTP 4xx, e.g. 4400 for a depth above the server's cap) will be
  // refused again; 4408 is not a refusal but a drop.
  if (code >= 4400 && code < 4500 && code !== 4408) return { action: 'stop', reason: `refused by the server (${code - 4000})` };
  // 4408 (this client was too slow and was dropped), 1001 (server going away), 1006 (network), … : retry.
  return { action: 'retry' };
}

/** The state to show while waiting to reconnect after `failures` attempts in a row. */
export function waitingState(failures: number, online: boolean): ConnectionState {
  return !online || failures >= OFFLINE_AFTER_ATTEMPTS ? 'offline' : 'reconnecting';
}

const RANK: Record<ConnectionState, number> = { connected: 0, connecting: 1, reconnecting: 2, offline: 3 };

/** One state for the header from every open stream: the worst of them; null when none is open. */
export function overallState(states: readonly ConnectionState[]): ConnectionState | null {
  let worst: ConnectionState | null = null;
  for (const s of states) if (worst === null || RANK[s] > RANK[worst]) worst = s;
  return worst;
}
