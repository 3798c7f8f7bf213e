// The one WebSocket hook: a live stream (`ws/lineage?…`, `ws/monitoring/<id>`, `ws/events`) under the
// runtime API base, ws: or wss: from the page's scheme (the session cookie goes with the handshake),
// with backoff, resume and heartbeat handled by lib/live-socket.ts. Reports its connection state to
// the header (store/live-store.ts). `path` null: no stream.
import { useEffect, useRef, useState } from 'react';
import { refreshSession } from '../api/client';
import { streamUrl, type ConnectionState } from '../lib/live-connection';
import { EMPTY_VIEW, type LiveMessage, type LiveView } from '../lib/live-messages';
import { LiveSocket, type SocketLike, type Subscription } from '../lib/live-socket';
import { runtimeConfig } from '../lib/runtime-config';
import { useLiveStore } from '../store/live-store';
import { createAlertAnnouncer } from '../lib/alerts-incidents';
import { toast } from '../store/toast-store';

export interface LiveStreamOptions {
  /** `/ws/events` only: what to narrow the stream to. */
  subscription?: Subscription | null;
  /** Called for every message (after it was folded into the view): toasts, run lists. */
  onMessage?(msg: LiveMessage, view: LiveView): void;
}

export interface LiveStream {
  view: LiveView;
  connection: ConnectionState | null;
  /** Why the stream stopped for good, if it did. */
  reason: string | null;
}

let nextId = 1;
/** `alert.opened` on any open stream raises one toast per incident (docs/ui.md "Alerts and incidents"). */
const announceAlert = createAlertAnnouncer((text) => toast.error(text));
/** Views are published to React at most this often (a burst of deltas is one render). */
const PUBLISH_MS = 50;

export function useLiveStream(path: string | null, options: LiveStreamOptions = {}): LiveStream {
  const [view, setView] = useState<LiveView>(EMPTY_VIEW);
  const [connection, setConnection] = useState<{ state: ConnectionState | null; reason: string | null }>({ state: null, reason: null });
  const onMessage = useRef(options.onMessage);
  const subscription = useRef(options.subscription ?? null);
  const socketRef = useRef<LiveSocket | null>(null);
  useEffect(() => {
    onMessage.current = options.onMessage;
  });
  const subscriptionKey = JSON.stringify(options.subscription ?? null);

  useEffect(() => {
    if (!path) return undefined;
    const id = nextId++;
    let publish: ReturnType<typeof setTimeout> | null = null;
    setView(EMPTY_VIEW);
    const socket = new LiveSocket({
      open: (since) => new WebSocket(streamUrl(runtimeConfig().apiBase, path, window.location.href, since)) as unknown as SocketLike,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      random: Math.random,
      online: () => navigator.onLine !== false,
      refresh: () => refreshSession(),
    }, {
      onMessage: (msg, v) => {
        announceAlert(msg);
        onMessage.current?.(msg, v);
        publish ??= setTimeout(() => {
          publish = null;
          setView(socket.view);
        }, msg.type === 'snapshot' ? 0 : PUBLISH_MS);
      },
      onState: (state, reason) => {
        setConnection({ state, reason });
        useLiveStore.getState().report(id, { path, state, reason });
      },
    }, { subscription: subscription.current });
    socketRef.current = socket;
    const online = () => socket.wake();
    const offline = () => socket.wentOffline();
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    socket.start();
    return () => {
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
      if (publish) clearTimeout(publish);
      socket.stop();
      socketRef.current = null;
      useLiveStore.getState().drop(id);
      setConnection({ state: null, reason: null });
    };
  }, [path]);

  useEffect(() => {
    subscription.current = JSON.parse(subscriptionKey) as Subscription | null;
    socketRef.current?.setSubscription(subscription.current);
  }, [subscriptionKey]);

  return { view, connection: connection.state, reason: connection.reason };
}
