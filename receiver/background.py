"""A background daemon thread with a wake-up: what rule evaluation, alert delivery, the alert scheduler and the
identity console's merge applier each run; and :class:`Wakeable`, the wake-up they share with the projection
worker and the live-monitoring listener."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Wakeable:
    """A thread that waits on ``self._wake`` (a :class:`threading.Event`) for work. :meth:`wake` ends the wait
    here and, through ``announce`` when it is set, in the other processes of ``lineagelens serve``
    (receiver/wake_bus.py), which call :meth:`wake_here`. Under ``serve`` the work is often asked for in an HTTP
    worker (events committed, a merge rule stored, an incident resolved) and done in the background process."""

    _wake: threading.Event
    announce: Callable[[], None] | None = None

    def wake(self) -> None:
        """There is work: end the current wait, here and in the processes ``announce`` reaches."""
        self.wake_here()
        if self.announce is not None:
            self.announce()

    def wake_here(self) -> None:
        """Another process asked for the work: end the current wait in this one."""
        self._wake.set()


class BackgroundLoop(Wakeable):
    """A daemon thread running :meth:`_run` until :meth:`stop`; :meth:`wake` ends its current wait early.
    Subclasses set ``thread_name``, call :meth:`_init_loop` when they are built and implement ``_run`` with
    ``self._stop`` / ``self._wake``."""

    thread_name = "lineagelens-background"

    def _init_loop(self) -> None:
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._wake.set()  # a first pass at once: work asked for before the loop ran (a restart, a peer)
            self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        raise NotImplementedError
