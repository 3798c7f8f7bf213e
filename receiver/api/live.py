"""Live monitoring streams (WebSocket): ``/ws/monitoring/<dashboard_id>``, ``/ws/lineage`` and ``/ws/events``.

The handshake is an ordinary Flask request: the access check (viewer), the cross-site check and the error
handling all apply. Once accepted, the view answers ``101 Switching Protocols`` itself, detaches the socket
from the WSGI server and hands it to the process's stream loop (``receiver/monitoring/hub.py``), so a socket
holds no worker thread. A refused upgrade is accepted and closed at once with ``4000 + the HTTP status``
(4401 no credential, 4403 forbidden, 4404 unknown dashboard or node): a browser cannot read the status of a
refused handshake, only a close code. A plain GET (no upgrade) gets the usual JSON error.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import socket
import struct
from typing import Any

from flask import Blueprint, Response, jsonify, request
from marshmallow import Schema, fields, validate

from lineagelens.receiver import services
from lineagelens.receiver.api.args import load_args
from lineagelens.receiver.api.openapi import documented
from lineagelens.receiver.errors import ApiError, BadRequest, Unauthorized, error_body
from lineagelens.receiver.monitoring.hub import Scope

log = logging.getLogger(__name__)

bp = Blueprint("live", __name__, url_prefix="/ws")

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class UpgradeRequired(ApiError):
    status, code = 426, "upgrade_required"


class StreamArgs(Schema):
    since = fields.Integer(validate=validate.Range(min=0), metadata={"description": "resume after this seq"})


class LineageStreamArgs(StreamArgs):
    nodeId = fields.String(required=True, validate=validate.Length(min=1))
    depth = fields.Integer(load_default=2, validate=validate.Range(min=0))


def _is_upgrade() -> bool:
    return (request.headers.get("Upgrade", "").lower() == "websocket"
            and "upgrade" in request.headers.get("Connection", "").lower())


def _accept_value() -> str:
    key = request.headers.get("Sec-WebSocket-Key", "")
    try:
        valid = len(base64.b64decode(key, validate=True)) == 16
    except (binascii.Error, ValueError):
        valid = False
    if not valid or request.headers.get("Sec-WebSocket-Version") != "13":
        raise UpgradeRequired("a WebSocket handshake needs Sec-WebSocket-Key and Sec-WebSocket-Version: 13")
    return base64.b64encode(hashlib.sha1(key.encode("ascii") + GUID).digest()).decode("ascii")


def _take_socket() -> socket.socket:
    """Detach the connection from the WSGI server (it then neither answers nor closes it)."""
    raw = request.environ.get("gunicorn.socket") or request.environ.get("werkzeug.socket")
    if raw is None:
        raise UpgradeRequired("this server cannot hand over connections: serve with `lineagelens serve`")
    return socket.socket(fileno=raw.detach())


def _switch(sock: socket.socket, accept: str) -> None:
    sock.setblocking(True)
    sock.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 b"Sec-WebSocket-Accept: " + accept.encode("ascii") + b"\r\n\r\n")


class _HandedOver(Response):
    """The response of an upgraded request: tells the WSGI server the connection is no longer its own."""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if "werkzeug.socket" in environ:
            raise ConnectionAbortedError("the connection was handed to the stream loop")
        raise StopIteration  # gunicorn: stop handling this connection (its socket object is detached)


def _close_frame(code: int, reason: str) -> bytes:
    body = struct.pack("!H", code) + reason.encode("utf-8")[:120]
    return bytes((0x88, len(body))) + body


def _refuse(exc: ApiError) -> Response:
    """Accept the upgrade and close at once with 4000 + the HTTP status (what a browser can see)."""
    accept = _accept_value()
    sock = _take_socket()
    try:
        _switch(sock, accept)
        sock.sendall(_close_frame(4000 + exc.status, exc.message))
    except OSError:
        pass
    finally:
        sock.close()
    return _HandedOver()


@bp.errorhandler(ApiError)
def _stream_error(exc: ApiError) -> Response:
    """Errors of the stream routes, the access check's included (it runs before the view)."""
    if _is_upgrade() and not isinstance(exc, UpgradeRequired):
        try:
            return _refuse(exc)
        except ApiError:
            pass  # not a real handshake (no socket to take): answer with the error itself
    response = jsonify(error_body(exc.status, exc.code, exc.message, exc.errors))
    response.status_code = exc.status
    if isinstance(exc, Unauthorized):
        response.headers["WWW-Authenticate"] = 'Bearer realm="lineagelens"'
    return response


def _serve(scope_of: Any) -> Response:
    if not _is_upgrade():
        raise UpgradeRequired("this is a WebSocket endpoint: connect with a WebSocket client "
                              "(see docs/monitoring.md)")
    accept = _accept_value()
    monitor = services.get().monitor
    scope: Scope = scope_of(monitor)
    since = request.args.get("since")
    try:
        sock = _take_socket()
    except ApiError:
        monitor.hub.release(scope)
        raise
    try:
        _switch(sock, accept)
    except OSError as exc:
        log.debug("stream client went away during the handshake: %s", exc)
        monitor.hub.release(scope)
        sock.close()
        return _HandedOver()
    monitor.attach(sock, scope, int(since) if since is not None else None)
    return _HandedOver()


def _route(path: str) -> Any:
    """A GET rule for WebSocket handshakes and one for plain requests (Werkzeug matches an upgrade only to a
    ``websocket=True`` rule; a plain GET gets the access check and a 426 from the same view)."""
    def register(view: Any) -> Any:
        bp.add_url_rule(path, view_func=view, methods=["GET"], websocket=True)
        bp.add_url_rule(path, view_func=view, methods=["GET"])
        return view

    return register


@_route("/monitoring/<dashboard_id>")
@documented(query=StreamArgs, responses={101: "switching to the WebSocket stream", 426: "not a WebSocket "
                                         "handshake"})
def monitoring(dashboard_id: str) -> Response:
    """Live status of every node on a dashboard (WebSocket).

    First a ``snapshot`` message, then ``run.state``, ``node.status``, ``source.health`` and ``graph.changed``
    deltas and a ``heartbeat`` every 15 s of silence; messages are ``{type, seq, ts, payload}`` (schema in
    ``x-websockets`` of openapi.json and docs/monitoring.md). ``since=<seq>`` resumes. Close codes: 4401,
    4403, 4404 unknown dashboard, 4408 slow client dropped, 1001 server going away.
    """
    load_args(StreamArgs())
    return _serve(lambda monitor: monitor.dashboard_scope(dashboard_id))


@_route("/lineage")
@documented(query=LineageStreamArgs, responses={101: "switching to the WebSocket stream",
                                                426: "not a WebSocket handshake"})
def lineage() -> Response:
    """Live status of every node of a lineage view, both directions from nodeId (WebSocket).

    The same messages as ``/ws/monitoring/{dashboard_id}``; ``graph.changed`` grows the view as new nodes
    and edges appear within ``depth`` (capped like ``/api/v1/lineage``). 4404: unknown node.
    """
    args = load_args(LineageStreamArgs())
    limit = int(services.get().settings["MAX_DEPTH"])
    if args["depth"] > limit:
        raise BadRequest(f"depth must be at most {limit}", [{"path": "depth", "message": "too deep"}])
    return _serve(lambda monitor: monitor.lineage_scope(args["nodeId"], args["depth"]))


@_route("/events")
@documented(query=StreamArgs, responses={101: "switching to the WebSocket stream", 426: "not a WebSocket handshake"})
def events() -> Response:
    """Everything the caller may see, live (WebSocket).

    Narrow it by sending ``{"type": "subscribe", "nodeIds": [...], "namespaces": [...]}`` (a message passes
    when it is about one of the nodes or in one of the namespaces; an empty or missing list is no filter);
    each subscribe is answered with a fresh ``snapshot``.
    """
    load_args(StreamArgs())
    return _serve(lambda monitor: monitor.events_scope())


_TIME = {"type": ["string", "null"], "format": "date-time"}
_RUN = {"type": "object", "properties": {
    "jobId": {"type": "string"}, "runId": {"type": "string"},
    "state": {"enum": ["START", "RUNNING", "COMPLETE", "FAIL", "ABORT", "OTHER", None]},
    "startedAt": _TIME, "endedAt": _TIME, "durationMs": {"type": ["integer", "null"]},
    "error": {"type": ["object", "null"], "properties": {"message": {"type": "string"},
                                                         "stackTrace": {"type": "string"}}},
    "rows": {"type": ["integer", "null"]}, "bytes": {"type": ["integer", "null"]}}}
_DATASET = {"type": "object", "properties": {"nodeId": {"type": "string"}, "kind": {"const": "dataset"},
                                             "lastProducedAt": _TIME, "runId": {"type": ["string", "null"]},
                                             "producedBy": {"type": ["string", "null"]},
                                             "state": {"type": ["string", "null"]}}}
_SOURCE = {"type": "object", "properties": {"nodeId": {"type": "string"}, "sourceId": {"type": "string"},
                                            "health": {"enum": ["healthy", "unhealthy", "unknown"]},
                                            "checkedAt": _TIME, "latencyMs": {"type": ["number", "null"]},
                                            "message": {"type": ["string", "null"]}}}

# The wire schema of the streams, served as ``x-websockets`` in openapi.json and on the docs page.
WIRE_SCHEMA: dict[str, Any] = {
    "description": "Live monitoring streams (docs/monitoring.md). Every server message is "
                   "{type, seq, ts, payload}; seq increases per deployment (the change feed's id), ts is RFC 3339 "
                   "UTC. The first message is a snapshot; then deltas; clients ignore unknown types. "
                   "?since=<seq> resumes (a snapshot with resync true when too old). Close codes: 4401 no or "
                   "invalid credential, 4403 forbidden, 4404 unknown dashboard or node, 4408 slow client dropped "
                   "(send queue overflow), 1001 server going away.",
    "streams": ["/ws/monitoring/{dashboard_id}", "/ws/lineage?nodeId=&depth=", "/ws/events"],
    "clientMessages": {"subscribe": {"type": "object", "description": "/ws/events only: replaces the filter; "
                                     "answered with a fresh snapshot", "properties": {
                                         "type": {"const": "subscribe"},
                                         "nodeIds": {"type": "array", "items": {"type": "string"}},
                                         "namespaces": {"type": "array", "items": {"type": "string"}}}}},
    "serverMessages": {
        "snapshot": {"type": "object", "properties": {
            "nodes": {"type": "object", "description": "node id -> status: job {kind, state, runId, startedAt, "
                      "endedAt, durationMs, error, rows, bytes}; dataset {kind, lastProducedAt, runId, producedBy, "
                      "state}; source {kind, health, checkedAt, latencyMs, message}"},
            "resync": {"type": "boolean"}}},
        "run.state": _RUN,
        "node.status": _DATASET,
        "source.health": _SOURCE,
        "graph.changed": {"type": "object", "properties": {
            "nodes": {"type": "array", "items": {"type": "string"}},
            "edges": {"type": "array", "items": {"type": "object", "properties": {
                "source": {"type": "string"}, "target": {"type": "string"}, "type": {"type": "string"}}}}}},
        "heartbeat": {"type": "object", "description": "every 15 s without other traffic"},
    },
}
