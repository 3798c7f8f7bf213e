// The connection state of every live stream open on the page (hooks/use-live-stream.ts reports here),
// so the header can show one indicator: the worst of them.
import { create } from 'zustand';
import type { ConnectionState } from '../lib/live-connection';

export interface StreamStatus {
  path: string;
  state: ConnectionState;
  /** Why the stream stopped, when it did (forbidden, unknown dashboard …). */
  reason: string | null;
}

export interface LiveConnectionsState {
  streams: Record<number, StreamStatus>;
  report(id: number, status: StreamStatus): void;
  drop(id: number): void;
}

export const useLiveStore = create<LiveConnectionsState>()((set, get) => ({
  streams: {},
  report(id, status) {
    const current = get().streams[id];
    if (current && current.state === status.state && current.reason === status.reason && current.path === status.path) return;
    set({ streams: { ...get().streams, [id]: status } });
  },
  drop(id) {
    if (!(id in get().streams)) return;
    const { [id]: _gone, ...rest } = get().streams;
    set({ streams: rest });
  },
}));
