"""The per-process hub: one asyncio loop thread holding every stream client of the process, fed by the
listener thread.

A handshake view (a gunicorn worker thread) authenticates, detaches the connection's socket and hands it to
the loop with :meth:`Hub.adopt`, computes the first messages (snapshot or replay) and passes them with
:meth:`Hub.begin`; its thread is then free again. Thousands of idle sockets cost the loop nothing; a message
is serialised once per view and written to each client's transport.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from lineagelens.receiver.monitoring.client import GOING_AWAY, Client, text_frame
from lineagelens.receiver.monitoring.status import Message, filter_graph

log = logging.getLogger(__name__)

TICK = 1.0  # seconds between heartbeat checks
KERNEL_SEND_BUFFER = 64 * 1024


@dataclass
class View:
    """The node set of a lineage view or a dashboard, shared by the clients watching it."""

    key: tuple[str, ...]
    nodes: frozenset[str]
    keys: dict[str, tuple[str, str]]
    refresh: Callable[[], tuple[frozenset[str], dict[str, tuple[str, str]]]]
    follows_graph: bool  # a lineage view grows with the graph; a dashboard's nodes are its document's
    users: int = 0


@dataclass
class Scope:
    """What one client receives: a view's nodes, or (``/ws/events``) everything, narrowed by a subscribe
    message to the given node ids and/or namespaces (a message passes when it matches either list)."""

    view: View | None = None
    node_filter: frozenset[str] | None = None
    ns_filter: frozenset[str] | None = None

    def covers(self, message: Message) -> bool:
        if self.view is not None:
            return bool(message.nodes & self.view.nodes)
        if self.node_filter is None and self.ns_filter is None:
            return True
        return bool((self.node_filter and message.nodes & self.node_filter)
                    or (self.ns_filter and message.namespaces & self.ns_filter))

    def nodes(self) -> frozenset[str] | None:
        return self.view.nodes if self.view is not None else self.node_filter


Subscribe = Callable[[Client, dict[str, Any]], None]


@dataclass
class Hub:
    send_limit: int
    pending_limit: int
    heartbeat: float
    on_subscribe: Subscribe | None = None  # runs in the hub's executor (it reads the database)
    last_seq: int = 0
    clients: set[Client] = field(default_factory=set)
    views: dict[tuple[str, ...], View] = field(default_factory=dict)
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _executor: concurrent.futures.ThreadPoolExecutor = field(
        default_factory=lambda: concurrent.futures.ThreadPoolExecutor(4, thread_name_prefix="stream-snapshot"))

    # -- the loop thread ---------------------------------------------------------------------------
    def _ensure(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                ready = threading.Event()

                def run() -> None:
                    asyncio.set_event_loop(loop)
                    loop.call_soon(ready.set)
                    loop.call_later(TICK, self._tick)
                    loop.run_forever()

                self._thread = threading.Thread(target=run, name="lineagelens-streams", daemon=True)
                self._thread.start()
                ready.wait(10)
                self._loop = loop
            return self._loop

    @property
    def running(self) -> bool:
        return self._loop is not None

    def _call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn`` on the loop and wait for its result (from another thread)."""
        loop = self._ensure()

        async def call() -> Any:
            return fn(*args)

        return asyncio.run_coroutine_threadsafe(call(), loop).result(10)

    def _tick(self) -> None:
        loop = self._loop
        assert loop is not None
        now = loop.time()
        beat: bytes | None = None
        for client in list(self.clients):
            if client.live and not client.closing and now - client.last_sent >= self.heartbeat:
                beat = beat or text_frame(Message("heartbeat", self.last_seq, {}).wire())
                client.send(0, beat)
        loop.call_later(TICK, self._tick)

    # -- clients -----------------------------------------------------------------------------------
    def adopt(self, sock: socket.socket, scope: Scope) -> Client:
        """Take over a connected, upgraded socket; the client queues live messages until :meth:`begin`."""
        sock.setblocking(False)
        # Bound what the kernel queues for a client that stops reading, so the send queue limit decides
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, KERNEL_SEND_BUFFER)

        async def make() -> Client:
            loop = asyncio.get_running_loop()
            client = Client(scope=scope, limit=self.send_limit, pending_limit=self.pending_limit,
                            on_text=self._text, on_gone=self._gone)
            await loop.connect_accepted_socket(lambda: client, sock)
            self.clients.add(client)
            return client

        return asyncio.run_coroutine_threadsafe(make(), self._ensure()).result(10)

    def begin(self, client: Client, messages: Sequence[str], after: int) -> None:
        frames = [text_frame(m) for m in messages]
        self._ensure().call_soon_threadsafe(client.start, frames, after)

    def close(self, client: Client, code: int, reason: str) -> None:
        self._ensure().call_soon_threadsafe(client.close, code, reason)

    def rescope(self, client: Client, scope: Scope) -> None:
        """Give a client a new scope (from any thread)."""
        def swap() -> None:
            self._release(client.scope)
            client.scope = scope
        self._ensure().call_soon_threadsafe(swap)

    def _text(self, client: Client, obj: Any) -> None:
        if not isinstance(obj, dict) or obj.get("type") != "subscribe" or self.on_subscribe is None:
            return
        client.hold()
        self._executor.submit(self._subscribe, client, obj)

    def _subscribe(self, client: Client, obj: dict[str, Any]) -> None:
        assert self.on_subscribe is not None
        try:
            self.on_subscribe(client, obj)
        except Exception:
            log.exception("a subscribe message failed")
            self.close(client, 1011, "subscribe failed")

    def _gone(self, client: Client) -> None:
        self.clients.discard(client)
        self._release(client.scope)

    # -- views -------------------------------------------------------------------------------------
    def view(self, key: tuple[str, ...], make: Callable[[], View]) -> View:
        """The shared view ``key`` (made by ``make`` the first time), counted as used by one more client."""
        with self._lock:
            found = self.views.get(key)
        if found is None:
            made = make()
            with self._lock:
                found = self.views.setdefault(key, made)
        with self._lock:
            found.users += 1
        return found

    def release(self, scope: Scope) -> None:
        """A scope made for a client that never got attached (its handshake failed)."""
        self._release(scope)

    def _release(self, scope: Scope) -> None:
        if scope.view is None:
            return
        with self._lock:
            scope.view.users -= 1
            if scope.view.users <= 0:
                self.views.pop(scope.view.key, None)

    # -- fan-out -----------------------------------------------------------------------------------
    def publish(self, messages: Sequence[Message]) -> None:
        """Deliver ``messages`` (called by the listener thread; refreshes views on graph changes)."""
        if not messages:
            return
        self.last_seq = max(self.last_seq, max(m.seq for m in messages))
        if self._loop is None or not self.clients:
            return
        with self._lock:
            views = list(self.views.values())
        prepared: list[tuple[Message, bytes | None, dict[tuple[str, ...], bytes]]] = []
        for message in messages:
            if message.type != "graph.changed":
                prepared.append((message, text_frame(message.wire()), {}))
                continue
            per_view: dict[tuple[str, ...], bytes] = {}
            for view in views:
                if not view.follows_graph or message.nodes & view.nodes:
                    try:
                        view.nodes, view.keys = view.refresh()
                    except Exception as exc:  # keep the old node set; the next change tries again
                        log.warning("refreshing stream view %s failed: %s", view.key, exc)
                payload = filter_graph(message, view.nodes)
                if payload is not None:
                    per_view[view.key] = text_frame(message.wire(payload))
            prepared.append((message, text_frame(message.wire()), per_view))
        self._loop.call_soon_threadsafe(self._deliver, prepared)

    def _deliver(self, prepared: list[tuple[Message, bytes | None, dict[tuple[str, ...], bytes]]]) -> None:
        for client in list(self.clients):
            scope = client.scope
            out: list[tuple[int, bytes]] = []
            for message, frame, per_view in prepared:
                if scope.view is not None and message.type == "graph.changed":
                    found = per_view.get(scope.view.key)
                    if found is not None:
                        out.append((message.seq, found))
                elif frame is not None and scope.covers(message):
                    out.append((message.seq, frame))
            if out:
                client.send_many(out)

    # -- shutdown ----------------------------------------------------------------------------------
    def stop(self) -> None:
        """Close every client with 1001 (going away) and stop the loop."""
        loop = self._loop
        if loop is None:
            return

        def bye() -> None:
            for client in list(self.clients):
                client.close(GOING_AWAY, "server going away")
            loop.call_later(0.2, loop.stop)

        loop.call_soon_threadsafe(bye)
        if self._thread is not None:
            self._thread.join(2)
        self._executor.shutdown(wait=False, cancel_futures=True)
