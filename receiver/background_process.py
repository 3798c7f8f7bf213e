"""The background process of ``lineagelens serve``: projection, alert evaluation and delivery, Kafka ingest,
the identity console's merge applier, source health checks and the alert scheduler, in a process of their own
next to the HTTP workers (which run ``ROLE=api``), started and restarted by the gunicorn master
(``receiver/server.py``).

Why a process and not threads of the HTTP worker: with projection in the request process it took most of the
GIL (63 % of the samples under the ingest bench, docs/benchmarks.md), and every acknowledgement waited for it.
Here it has its own interpreter; the two wake each other through ``LINEAGELENS_SERVE_DIR`` (receiver/wake_bus.py)
and exclude each other on the databases as any two receivers do (a PostgreSQL advisory lock, or on SQLite a
lock file next to the database).

``python -m lineagelens.receiver.background_process``: runs until SIGTERM or SIGINT (then the current projection
batch finishes, as in any receiver), or until the process that started it is gone.
"""

from __future__ import annotations

import logging
import os
import signal
import threading

log = logging.getLogger("lineagelens.receiver.background_process")


def main() -> None:
    logging.basicConfig(level=os.environ.get("LINEAGELENS_LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    parent = os.getppid()

    from lineagelens.receiver import create_app, gc_tuning, services

    app = create_app({"ROLE": "all", "WORKER_ENABLED": True})
    gc_tuning.tune(app.config["LINEAGELENS"]["GC_THRESHOLDS"])
    log.info("background process %d: projection, alerts, health checks and the scheduler", os.getpid())
    while not stop.wait(1.0):
        if os.getppid() != parent:
            log.warning("the gunicorn master (%d) is gone: stopping", parent)
            break
    services.get(app).close()  # the current projection batch finishes first


if __name__ == "__main__":
    main()
