"""``/healthz`` (liveness), ``/readyz`` (state and graph stores reachable, projection backlog) and
``/metrics`` (Prometheus)."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, jsonify
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from lineagelens.receiver import services
from lineagelens.receiver.graph.base import GraphUnavailable

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    s = services.get()
    checks: dict[str, Any] = {}
    try:
        with s.engine.connect() as conn:
            conn.execute(sa.select(1))
        checks["state"] = {"ok": True, "backend": s.engine.dialect.name}
    except sa.exc.SQLAlchemyError as exc:
        checks["state"] = {"ok": False, "backend": s.engine.dialect.name, "error": str(exc)[:300]}
    try:
        s.graph.ping()
        checks["graph"] = {"ok": True, "backend": s.graph.name}
    except GraphUnavailable as exc:
        checks["graph"] = {"ok": False, "backend": s.graph.name, "error": str(exc)[:300]}
    backlog = s.events.backlog() if checks["state"]["ok"] else None
    checks["projection"] = {"backlog": backlog, "retryInSeconds": s.worker.backoff}
    ready = checks["state"]["ok"] and checks["graph"]["ok"]
    return jsonify({"status": "ready" if ready else "unavailable", "checks": checks}), 200 if ready else 503


@bp.get("/metrics")
def metrics() -> Response:
    return Response(generate_latest(services.get().metrics.registry), mimetype=CONTENT_TYPE_LATEST)
