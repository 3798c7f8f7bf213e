"""``/healthz`` (liveness), ``/readyz`` (state and graph stores reachable, projection backlog) and
``/metrics`` (Prometheus)."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, jsonify
from prometheus_client import CONTENT_TYPE_LATEST

from lineagelens.receiver import services
from lineagelens.receiver.graph.base import GraphUnavailable

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Whether the state and graph stores answer (503 when one does not), and the projection backlog. Public:
    it names the backends and says ok or not, never why (the reason is logged)."""
    s = services.get()
    checks: dict[str, Any] = {}
    try:
        with s.engine.connect() as conn:
            conn.execute(sa.select(1))
        checks["state"] = {"ok": True, "backend": s.engine.dialect.name}
    except sa.exc.SQLAlchemyError as exc:
        # The error text names hosts, addresses and users: it goes to the log, never to this public answer.
        log.warning("readiness: the state store (%s) is unreachable: %s", s.engine.dialect.name, exc)
        checks["state"] = {"ok": False, "backend": s.engine.dialect.name}
    try:
        s.graph.ping()
        checks["graph"] = {"ok": True, "backend": s.graph.name}
    except GraphUnavailable as exc:
        log.warning("readiness: the graph store (%s) is unreachable: %s", s.graph.name, exc)
        checks["graph"] = {"ok": False, "backend": s.graph.name}
    backlog = s.events.backlog() if checks["state"]["ok"] else None
    # the projection worker's backoff while the graph store is down, known only where it runs (not in an API
    # worker of `serve`, whose background process projects): null there
    checks["projection"] = {"backlog": backlog, "retryInSeconds": s.worker.backoff if s.worker.running else None}
    ready = checks["state"]["ok"] and checks["graph"]["ok"]
    return jsonify({"status": "ready" if ready else "unavailable", "checks": checks}), 200 if ready else 503


@bp.get("/metrics")
def metrics() -> Response:
    return Response(services.get().metrics.exposition(), mimetype=CONTENT_TYPE_LATEST)
