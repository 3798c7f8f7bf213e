"""``POST /api/v1/lineage`` (one event, or a JSON array) and ``POST /api/v1/lineage/batch``."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, jsonify, request

from lineagelens.receiver import services
from lineagelens.receiver.api.body import read_json
from lineagelens.receiver.api.openapi import documented
from lineagelens.receiver.auth.guard import require_principal
from lineagelens.receiver.errors import Forbidden, InvalidEvent, Unparseable
from lineagelens.receiver.openlineage import EventKind, ParsedEvent

log = logging.getLogger(__name__)

bp = Blueprint("ingest", __name__, url_prefix="/api/v1")


class NamespaceForbidden(Forbidden):
    code = "namespace_forbidden"


def _admit(parsed: ParsedEvent) -> None:
    """Who may ingest is checked by the access check (lineagelens.receiver.auth.policy); this refuses an event
    outside the namespaces an ingest key is limited to: its job's namespace, or for a DatasetEvent its
    dataset's."""
    principal = require_principal()
    if principal.namespaces is None:
        return
    namespace: str | None
    if parsed.kind is EventKind.DATASET and parsed.dataset is not None:
        namespace, path = parsed.dataset.namespace, "$.dataset.namespace"
    else:
        namespace, path = parsed.job_namespace, "$.job.namespace"
    if not principal.allows_namespace(namespace):
        raise NamespaceForbidden(f"the API key {principal.name!r} may not send events for namespace {namespace!r}",
                                 [{"path": path, "message": f"allowed: {', '.join(sorted(principal.namespaces))}"}])


def wants_projection(prefer: str | None) -> bool:
    """Whether a ``Prefer`` header (RFC 7240) asks to answer once the graph has the events:
    ``Prefer: wait=projected`` (read your writes). Other preferences are ignored."""
    for token in (prefer or "").split(","):
        name, _, value = token.split(";")[0].strip().partition("=")
        if name.strip().lower() == "wait" and value.strip().strip('"').lower() == "projected":
            return True
    return False


def _applied(response: Response, wait: bool) -> Response:
    if wait:
        response.headers["Preference-Applied"] = "wait=projected"
    return response


def _batch(raw: Any) -> Response:
    if not isinstance(raw, list):
        raise InvalidEvent("a batch must be a JSON array of events (or an object with an events array)",
                           [{"path": "$", "message": f"got {type(raw).__name__}"}])
    wait = wants_projection(request.headers.get("Prefer"))
    outcome = services.get().ingestor.ingest_batch(raw, admit=_admit, wait=wait)
    response = jsonify(outcome.body())
    response.status_code = 200
    return _applied(response, wait)


def _timed(endpoint: str) -> Any:
    return services.get().metrics.ingest_seconds.labels(endpoint=endpoint).time()


@bp.post("/lineage")
@documented(body="One OpenLineage RunEvent, DatasetEvent or JobEvent (spec 2-0-2), or a JSON array of them",
            responses={201: "durably committed (or a duplicate); warnings name what the leniency rule relaxed and "
                            "broken standard facets; with 'Prefer: wait=projected', answered once the graph "
                            "has the event (projected: true) or after the bounded wait (projected: false)",
                       200: "for an array: the batch summary"})
def post_lineage() -> Response:
    """One OpenLineage event -> 201 (``{status, kind, projected, warnings}``); a JSON array -> the batch
    answer. The answer comes at the durable commit; ``Prefer: wait=projected`` waits for the graph."""
    raw = read_json(request)
    with _timed("lineage"):
        if isinstance(raw, list):
            return _batch(raw)
        wait = wants_projection(request.headers.get("Prefer"))
        try:
            accepted = services.get().ingestor.ingest(raw, admit=_admit, wait=wait)
        except RecursionError as exc:
            raise Unparseable("event is nested too deeply") from exc
    body = {"status": "duplicate" if accepted.duplicate else "accepted",
            "kind": accepted.parsed.kind.value, "projected": accepted.projected, "warnings": accepted.warnings}
    response = jsonify(body)
    response.status_code = 201
    return _applied(response, wait)


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


