"""``POST /api/v1/lineage`` (one event, or a JSON array) and ``POST /api/v1/lineage/batch``."""

from __future__ import annotations

import hmac
import logging
from typing import Any

from flask import Blueprint, Response, jsonify, request

from lineagelens.receiver import services
from lineagelens.receiver.api.body import read_json
from lineagelens.receiver.api.openapi import documented
from lineagelens.receiver.errors import Forbidden, InvalidEvent, Unauthorized, Unparseable

log = logging.getLogger(__name__)

bp = Blueprint("ingest", __name__, url_prefix="/api/v1")


@bp.before_request
def _require_api_key() -> None:
    """With LINEAGELENS_INGEST_API_KEYS set, producers authenticate as OpenLineage's api_key auth does."""
    keys = [k.strip() for k in services.get().settings["INGEST_API_KEYS"].split(",") if k.strip()]
    if not keys:
        return
    scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("this receiver needs an API key: send 'Authorization: Bearer <key>'")
    if not any(hmac.compare_digest(token.strip().encode(), key.encode()) for key in keys):
        raise Forbidden("the API key is not valid for this receiver")


def _batch(raw: Any) -> Response:
    if not isinstance(raw, list):
        raise InvalidEvent("a batch must be a JSON array of events (or an object with an events array)",
                           [{"path": "$", "message": f"got {type(raw).__name__}"}])
    outcome = services.get().ingestor.ingest_batch(raw)
    response = jsonify(outcome.body())
    response.status_code = 200
    return response


def _timed(endpoint: str) -> Any:
    return services.get().metrics.ingest_seconds.labels(endpoint=endpoint).time()


@bp.post("/lineage")
@documented(body="One OpenLineage RunEvent, DatasetEvent or JobEvent (spec 2-0-2), or a JSON array of them",
            responses={201: "committed (or a duplicate); warnings name broken standard facets",
                       200: "for an array: the batch summary"})
def post_lineage() -> Response | tuple[Response, int]:
    """One OpenLineage event -> 201 (``{status, duplicate, warnings}``); a JSON array -> the batch answer."""
    raw = read_json(request)
    with _timed("lineage"):
        if isinstance(raw, list):
            return _batch(raw)
        try:
            accepted = services.get().ingestor.ingest(raw)
        except RecursionError as exc:
            raise Unparseable("event is nested too deeply") from exc
    body = {"status": "duplicate" if accepted.duplicate else "accepted",
            "kind": accepted.parsed.kind.value, "warnings": accepted.warnings}
    return jsonify(body), 201


@bp.post("/lineage/batch")
@documented(body="An array of OpenLineage events, or {\"events\": [...]}", responses={200: "the batch summary"})
def post_batch() -> Response:
    """The OpenLineage batch endpoint: an array of events, or ``{"events": [...]}``."""
    raw = read_json(request)
    if isinstance(raw, dict) and isinstance(raw.get("events"), list):
        raw = raw["events"]
    with _timed("batch"):
        try:
            return _batch(raw)
        except RecursionError as exc:
            raise Unparseable("event is nested too deeply") from exc


