"""Running the app under gunicorn: ``gthread`` workers for HTTP; WebSocket streams hold no thread.

A stream's handshake is an ordinary request on a worker thread; the view then detaches the socket from
gunicorn and hands it to the worker's one asyncio stream loop (``receiver/monitoring/hub.py``), so a worker
holds thousands of idle streams with ``--threads`` left for HTTP requests. Each worker process has its own
loop and listener; PostgreSQL LISTEN/NOTIFY fans changes out to all of them (docs/monitoring.md).
Gunicorn's own TLS is not supported for streams (a detached TLS socket cannot change hands): terminate TLS
in a proxy in front (docs/deploy.md).

With ``background=True`` the master also runs one background process (``receiver/background_process.py``:
projection, alerts, health checks, the scheduler) and restarts it if it dies; the HTTP workers then run
``ROLE=api``. A graceful stop stops it with the workers.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

log = logging.getLogger(__name__)

RESTART_AFTER_SECONDS = 1.0  # a background process that keeps failing is started again at most this often


class _Arbiter(Arbiter):
    """Gunicorn's master, which also keeps one background process running (the way gunicorn keeps its
    workers): started with the workers, started again after a crash, stopped with them."""

    background_command = [sys.executable, "-m", "lineagelens.receiver.background_process"]

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.background: subprocess.Popen[bytes] | None = None
        self.background_started = 0.0
        self.stopping = False

    def manage_workers(self) -> None:
        super().manage_workers()
        if not self.stopping:
            self._manage_background()

    def handle_chld(self) -> None:
        self._reap_background()  # first: reap_workers' waitpid(-1) would reap it as an unknown child
        super().handle_chld()

    handle_cld = handle_chld  # the name gunicorn dispatches SIGCHLD to

    def stop(self, graceful: bool = True) -> None:
        self.stopping = True
        proc = self.background
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # the current projection batch finishes, quick or graceful
        super().stop(graceful)  # waits for the workers, up to graceful_timeout
        if proc is not None:
            try:
                proc.wait(timeout=self.cfg.graceful_timeout if graceful else 2.0)
            except subprocess.TimeoutExpired:
                log.warning("background process %d did not stop in time: killed", proc.pid)
                proc.kill()
                proc.wait()
            self.background = None

    def _manage_background(self) -> None:
        self._reap_background()
        if self.background is not None:
            return
        if time.monotonic() - self.background_started < RESTART_AFTER_SECONDS:
            return
        self.background_started = time.monotonic()
        self.background = subprocess.Popen(self.background_command)
        self.log.info("Booting background process with pid: %s", self.background.pid)

    def _reap_background(self) -> None:
        proc = self.background
        if proc is None:
            return
        try:
            pid, status = os.waitpid(proc.pid, os.WNOHANG)
        except ChildProcessError:  # reaped by a waitpid(-1) already (it exited in the middle of one)
            pid, status = proc.pid, None
        if pid == 0:
            return
        proc.returncode = os.waitstatus_to_exitcode(status) if status is not None else -1
        self.background = None
        _forget_metrics_of(proc.pid)
        if not self.stopping:
            how = "with an unknown status" if status is None else f"with status {proc.returncode}"
            self.log.error("Background process %s exited %s: starting it again", pid, how)


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any], *, background: bool) -> None:
        self.options = options
        self.background = background
        super().__init__()

    def run(self) -> None:
        if not self.background:
            super().run()
            return
        try:
            _Arbiter(self).run()
        except RuntimeError as exc:
            print(f"\nError: {exc}\n", file=sys.stderr)
            sys.exit(1)

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        from lineagelens.receiver import create_app

        return create_app()


def _forget_metrics_of(pid: int) -> None:
    """A worker or the background process exited: its live gauges leave the shared metrics."""
    shared = os.environ.get("LINEAGELENS_SERVE_DIR")
    if shared:
        from lineagelens.receiver.metrics import process_gone

        process_gone(pid, os.path.join(shared, "metrics"))


def _child_exit(_arbiter: Any, worker: Any) -> None:
    _forget_metrics_of(worker.pid)


def _worker_ready(worker: Any) -> None:
    """A worker has built its application: tune its garbage collector (receiver/gc_tuning.py). An application
    that is not a receiver's (the benchmarks' baseline runs under this runner too) gets the same settings."""
    from lineagelens.receiver import config, gc_tuning

    settings = getattr(worker.wsgi, "config", {}).get("LINEAGELENS") or config.load()
    gc_tuning.tune(settings["GC_THRESHOLDS"])


def run(*, host: str, port: int, workers: int, threads: int, background: bool = False) -> None:
    """Serve until stopped; with ``background``, also run the background process (the workers must then be
    started with ``LINEAGELENS_ROLE=api`` and a ``LINEAGELENS_SERVE_DIR``, as ``lineagelens serve`` does)."""
    _Gunicorn({
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": 120,
        "graceful_timeout": 30,  # SIGTERM: in-flight requests and the current projection batch finish
        "accesslog": "-",
        "access_log_format": '%(h)s "%(r)s" %(s)s %(b)s %(M)sms',
        "child_exit": _child_exit,
        "post_worker_init": _worker_ready,
    }, background=background).run()
