"""One listener thread per process: learns that the change feed grew, reads the new rows once, turns them
into messages once, and hands them to the hub.

On PostgreSQL it ``LISTEN``s on the state database (a projector or health checker in any process of any
receiver sends ``NOTIFY`` at its commit); on SQLite the projector of this process wakes it directly, and
that of another process of the same ``lineagelens serve`` through the wake bus (receiver/wake_bus.py). Either
way it also polls every ``poll`` seconds, so a lost notification delays a message, never loses it.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import sqlalchemy as sa

from lineagelens.receiver.background import Wakeable
from lineagelens.receiver.monitoring.changes import CHANNEL, ChangeFeed
from lineagelens.receiver.monitoring.hub import Hub
from lineagelens.receiver.monitoring.status import StatusReader

log = logging.getLogger(__name__)

BATCH = 1000
PRUNE_EVERY = 60.0


class Listener(Wakeable):
    def __init__(self, *, engine: sa.Engine, feed: ChangeFeed, reader: StatusReader, hub: Hub,
                 poll: float) -> None:
        self.engine = engine
        self.feed = feed
        self.reader = reader
        self.hub = hub
        self.poll = poll
        self.last = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._pruned = 0.0
        self._pruned_seq = 0

    def start(self) -> None:
        """Start the thread (once); messages committed from now on are delivered."""
        with self._lock:
            if self._thread is not None:
                return
            self.last = self.feed.latest()
            self.hub.last_seq = max(self.hub.last_seq, self.last)
            target = self._listen_postgres if self.engine.dialect.name == "postgresql" else self._poll_loop
            self._thread = threading.Thread(target=self._guard, args=(target,), name="lineagelens-listener",
                                            daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(3)

    def _guard(self, target: Any) -> None:
        while not self._stop.is_set():
            try:
                target()
            except Exception as exc:
                log.warning("monitoring listener failed (%s); retrying in 1 s", exc)
                self._stop.wait(1.0)

    def _poll_loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll)
            self._wake.clear()
            self.drain()

    def _listen_postgres(self) -> None:
        import psycopg

        url = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            self.drain()  # whatever was committed before LISTEN took effect
            while not self._stop.is_set():
                newest = 0
                for notify in conn.notifies(timeout=self.poll, stop_after=1):
                    newest = max(newest, int(notify.payload or 0))
                if newest == 0 or newest > self.last:
                    self.drain()
                if self._wake.is_set():
                    self._wake.clear()
                    self.drain()

    def drain(self) -> None:
        """Read and publish every change after the last one seen."""
        while True:
            changes = self.feed.since(self.last, limit=BATCH)
            if not changes:
                break
            self.last = changes[-1].id
            try:
                self.hub.publish(self.reader.messages(changes))
            except Exception:
                log.exception("building stream messages failed for changes up to %d", self.last)
            if len(changes) < BATCH:
                break
        now = time.monotonic()
        if now - self._pruned > PRUNE_EVERY or self.last - self._pruned_seq > self.feed.keep_rows:
            self._pruned, self._pruned_seq = now, self.last
            try:
                self.feed.prune()
            except Exception as exc:
                log.warning("pruning monitoring changes failed: %s", exc)
