"""The projection worker: a daemon thread that drains pending events, and lets ingest wait for its own.

Request threads commit their events, wake the worker and wait until it reports those ids projected (group
commit: one projector pass takes everything committed meanwhile, so concurrent requests share one batch and
one graph round trip). A wait ends at its timeout whatever happens: the event is already durable. While the
graph store is unreachable the worker backs off exponentially, and nobody waits for it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence

from lineagelens.receiver.background import Wakeable
from lineagelens.receiver.graph.base import GraphUnavailable
from lineagelens.receiver.projection.projector import Projector

log = logging.getLogger(__name__)


class CatchUpWorker(Wakeable):
    def __init__(self, projector: Projector, *, poll_seconds: float = 1.0, max_backoff: float = 30.0,
                 quiet_seconds: float = 0.02, max_linger_seconds: float = 0.25) -> None:
        self.projector = projector
        self.poll_seconds = poll_seconds
        # Woken by a commit that nobody waits for, the worker lingers until producers pause (no commit for
        # ``quiet_seconds``), and at most ``max_linger_seconds``: a lone event is projected a moment after its
        # commit, while under a stream of events one pass takes many of them — fewer, larger batches (each graph
        # write and state transaction has a fixed cost, it takes CPU the requests need, and on SQLite every pass
        # holds the write lock their commits need), so acknowledgements keep producer speed.
        # A waiting request (inline mode, Prefer: wait=projected) ends the linger at once.
        self.quiet_seconds = quiet_seconds
        self.max_linger_seconds = max_linger_seconds
        self.max_backoff = max_backoff
        self.backoff = 0.0
        self._wake = threading.Event()
        self._hurry = threading.Event()  # set by a request that starts waiting, and by stop()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._cond = threading.Condition()
        self._waiting: set[int] = set()  # event ids a request waits for
        self._done: set[int] = set()  # of those, the projected ones

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if not self.running:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="lineagelens-projector", daemon=True)
            self._thread.start()

    def report_failure(self) -> None:
        """Someone else saw the graph store fail: back off as if this worker had, and retry later."""
        self.backoff = min(max(self.backoff * 2, 0.5), self.max_backoff)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        self._hurry.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def wait_projected(self, ids: Sequence[int], *, timeout: float) -> bool:
        """Wake the worker and wait until ``ids`` are projected; False after ``timeout`` seconds, or at once
        when the worker is not running or backing off."""
        if not ids or not self.running or self.backoff:
            self.wake()
            return False
        deadline = time.monotonic() + timeout
        with self._cond:
            self._waiting.update(ids)
            self._hurry.set()
            self.wake()
            try:
                while not self._done.issuperset(ids):
                    remaining = deadline - time.monotonic()
                    if remaining <= 0 or self.backoff or self._stop.is_set():
                        return False
                    self._cond.wait(remaining)
                return True
            finally:
                self._waiting.difference_update(ids)
                self._done.difference_update(ids)

    def _linger(self) -> None:
        """Wait while commits keep coming (each within ``quiet_seconds`` of the last), up to
        ``max_linger_seconds``; a request that starts waiting (or stop()) ends it at once."""
        self._hurry.clear()
        deadline = time.monotonic() + self.max_linger_seconds
        while not self._has_waiters():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._wake.clear()
            if not self._wake.wait(min(self.quiet_seconds, remaining)) or self._hurry.is_set():
                break  # producers paused, or someone waits for the graph
        self._wake.clear()

    def _has_waiters(self) -> bool:
        with self._cond:
            return bool(self._waiting - self._done)

    def _settle(self, projected: list[int]) -> None:
        """Tell waiters which of their events are projected (here, or by another receiver process)."""
        with self._cond:
            open_ids = self._waiting - self._done
        if not open_ids:
            return
        done = open_ids & set(projected)
        if open_ids - done:
            done |= self.projector.events.projected_among(sorted(open_ids - done))
        with self._cond:
            self._done |= done
            self._cond.notify_all()

    def _run(self) -> None:
        while not self._stop.is_set():
            if self.backoff:
                self._stop.wait(self.backoff)  # backing off: new events do not hurry a retry
            else:
                self._wake.wait(self.poll_seconds)
            woken = self._wake.is_set()
            self._wake.clear()
            if self._stop.is_set():
                return
            if woken and self.max_linger_seconds:
                self._linger()
                if self._stop.is_set():
                    return
            try:
                result = self.projector.drain(stopping=self._stop.is_set)
                self.backoff = 0.0
                self._settle(result.ids)
            except GraphUnavailable as exc:
                self.report_failure()
                log.warning("graph store unavailable, retrying in %.1fs: %s", self.backoff, exc)
            except Exception:
                self.report_failure()
                log.exception("projection failed, retrying in %.1fs", self.backoff)
            if self.backoff:
                with self._cond:
                    self._cond.notify_all()  # waiters give up: the events are durable, the graph is not there
