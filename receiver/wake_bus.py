"""The processes of one ``lineagelens serve`` wake each other: a Unix datagram socket per process in a
shared directory (``wake/`` in ``LINEAGELENS_SERVE_DIR``, made by ``serve`` for its HTTP workers and its background
process).

``serve`` projects in a background process of its own, so an HTTP worker that commits events must wake that
process's projection worker, and the background process that commits a projection batch (or a health check,
or an alert) must wake every HTTP worker's live-monitoring listener. Likewise events projected for a waiting request,
a merge rule stored or an incident resolved in an HTTP worker wake the background process's rule evaluator,
merge applier or alert delivery. On PostgreSQL
``NOTIFY`` reaches the listeners, but nothing else; on SQLite nothing does. Without a wake each falls back to
polling (1 to 5 s), which is what a lost datagram costs: a wake carries no data, it only says "look now".

A process subscribes to topics (one byte each) by the name of its socket, ``<pid>.<topics>.sock``; a sender
sends to every other process subscribed to the topic. It lists the directory again when the directory changed
(a process came or went), so a process that starts is woken by the very next send; sends never block: a full
queue means the receiver has a wake pending already.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)

EVENTS = "p"  # events committed to the event log: projection workers look
CHANGES = "m"  # change-feed rows committed: live-monitoring listeners look
PROJECTED = "e"  # a batch projected (by an HTTP worker, for a request that waits): rule evaluation looks
MERGES = "i"  # identity merge rules stored or undone: the merge applier looks
NOTIFICATIONS = "n"  # alert notifications queued (an acknowledgement, a resolve): alert delivery looks
SETTLE_NS = 1_000_000_000  # a directory changed less than this long ago is listed on every send (see _subscribers)


class WakeBus:
    def __init__(self, directory: str, handlers: Mapping[str, Callable[[], None]]) -> None:
        """``handlers``: what to call when another process sends a topic (this process's subscriptions)."""
        self.directory = directory
        self.handlers = dict(handlers)
        topics = "".join(sorted(self.handlers)) or "-"
        self.path = os.path.join(directory, f"{os.getpid()}.{topics}.sock")
        self._out = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._out.setblocking(False)
        self._in: socket.socket | None = None
        self._peers: dict[str, list[str]] = {}
        self._listed: int | None = None  # the directory's mtime when it was listed
        self._guard = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Bind this process's socket and dispatch what arrives (only when it subscribes to something)."""
        if not self.handlers or self._thread is not None:
            return
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)  # left by a process of the same pid before a restart
        sock.bind(self.path)
        os.chmod(self.path, 0o600)
        sock.settimeout(0.5)
        self._in = sock
        self._thread = threading.Thread(target=self._receive, name="lineagelens-serve-bus", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2)
        if self._in is not None:
            self._in.close()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)
        self._out.close()

    def send(self, topic: str) -> None:
        """Wake every other process subscribed to ``topic``."""
        for peer in self._subscribers(topic):
            try:
                self._out.sendto(topic.encode(), peer)
            except BlockingIOError:
                continue  # its queue is full: it has wakes pending
            except OSError:  # gone (a stopped process's socket): list again on the next send
                self._listed = None
            except ValueError:  # closed while stopping
                return

    def _subscribers(self, topic: str) -> list[str]:
        """The other processes subscribed to ``topic``: the directory is listed again when its mtime moved
        (a socket was bound or removed), and on every send while that change is under a second old: file
        times are coarse, so a socket bound in the same clock tick as the listing leaves the mtime as it was."""
        try:
            stamp = os.stat(self.directory).st_mtime_ns
        except OSError:
            return []
        with self._guard:
            if stamp != self._listed or time.time_ns() - stamp < SETTLE_NS:
                self._listed = stamp
                self._peers = {}
                try:
                    names = os.listdir(self.directory)
                except OSError:
                    names = []
                for name in names:
                    parts = name.split(".")
                    path = os.path.join(self.directory, name)
                    if len(parts) == 3 and parts[2] == "sock" and path != self.path:
                        for t in parts[1]:
                            self._peers.setdefault(t, []).append(path)
            return self._peers.get(topic, [])

    def _receive(self) -> None:
        assert self._in is not None
        while not self._stop.is_set():
            try:
                data = self._in.recv(64)
            except TimeoutError:
                continue
            except OSError:
                return
            for topic in set(data.decode("ascii", "replace")):
                handler = self.handlers.get(topic)
                if handler is not None:
                    try:
                        handler()
                    except Exception:  # a wake must never stop the bus
                        log.exception("wake handler for %r failed", topic)
