"""Running the app under gunicorn: ``gthread`` workers for HTTP; WebSocket streams hold no thread.

A stream's handshake is an ordinary request on a worker thread; the view then detaches the socket from
gunicorn and hands it to the worker's one asyncio stream loop (``receiver/monitoring/hub.py``), so a worker
holds thousands of idle streams with ``--threads`` left for HTTP requests. Each worker process has its own
loop and listener; PostgreSQL LISTEN/NOTIFY fans changes out to all of them (docs/monitoring.md).
Gunicorn's own TLS is not supported for streams (a detached TLS socket cannot change hands): terminate TLS
in a proxy in front (docs/deploy.md).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

log = logging.getLogger(__name__)


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        from lineagelens.receiver import create_app

        return create_app()


def run(*, host: str, port: int, workers: int, threads: int) -> None:
    _Gunicorn({
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": 120,
        "graceful_timeout": 30,  # SIGTERM: in-flight requests and the current projection batch finish
        "accesslog": "-",
        "access_log_format": '%(h)s "%(r)s" %(s)s %(b)s %(M)sms',
    }).run()
