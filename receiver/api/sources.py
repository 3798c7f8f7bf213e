"""Sources (``/api/v1/sources``), the palette of source types (``/api/v1/node-types``) and notification
channel types (``/api/v1/channel-types``)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, jsonify, request
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

from lineagelens.receiver import services
from lineagelens.receiver.api.args import PageArgs, load_args
from lineagelens.receiver.api.body import read_json
from lineagelens.receiver.api.openapi import documented
from lineagelens.receiver.errors import ApiError, NotFound, validation_errors
from lineagelens.receiver.monitoring.health import history as health_history
from lineagelens.receiver.sources.network import NetworkRefused
from lineagelens.receiver.sources.service import InvalidConfig, Refused
from lineagelens.receiver.sources.types import CheckContext, DeliveryFailed

log = logging.getLogger(__name__)

bp = Blueprint("sources", __name__, url_prefix="/api/v1")


class InvalidBody(ApiError):
    status, code = 422, "invalid_body"


class SourceListArgs(PageArgs):
    kind = fields.String()
    q = fields.String(validate=validate.Length(max=200))


class SourceCreate(Schema):
    class Meta:
        unknown = RAISE

    kind = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default="", allow_none=True, validate=validate.Length(max=2000))
    config = fields.Raw(load_default=dict)
    checkIntervalSeconds = fields.Integer(allow_none=True, validate=validate.Range(min=10, max=7 * 86400),
                                          metadata={"description": "periodic health checks of this source"})


class SourceUpdate(Schema):
    class Meta:
        unknown = EXCLUDE  # the UI sends back what it read (id, status ...): ignored

    name = fields.String(validate=validate.Length(min=1, max=200))
    description = fields.String(validate=validate.Length(max=2000))
    config = fields.Raw()
    checkIntervalSeconds = fields.Integer(allow_none=True, validate=validate.Range(min=10, max=7 * 86400))


class ChannelTest(Schema):
    class Meta:
        unknown = RAISE  # a "message" is refused: a test sends TEST_NOTIFICATION, never the client's JSON

    config = fields.Raw(required=True)


TEST_NOTIFICATION = {"title": "LineageLens test notification", "text": "If you can read this, the channel works.",
                     "severity": "info"}


def load_body(schema: Schema) -> dict[str, Any]:
    raw = read_json(request)
    if not isinstance(raw, dict):
        raise InvalidBody("the body must be a JSON object", [{"path": "$", "message": type(raw).__name__}])
    try:
        loaded: dict[str, Any] = schema.load(raw)
    except ValidationError as exc:
        raise InvalidBody("invalid request body", validation_errors(exc.normalized_messages(), root="")) from exc
    return loaded


@bp.get("/node-types")
def node_types() -> Response:
    """The palette: every registered source type with its label, category, icon, default config and
    config schema (JSON Schema; secret fields are writeOnly)."""
    registry = services.get().registry
    return jsonify({"nodeTypes": [registry.describe_source_type(t)
                                  for t in sorted(registry.sources.values(), key=lambda t: (t.category, t.label))]})


@bp.get("/channel-types")
def channel_types() -> Response:
    """Notification channel types (from the register_notification_channels hook)."""
    registry = services.get().registry
    return jsonify({"channelTypes": [registry.describe_channel(c) for c in registry.channels.values()]})


@bp.post("/channel-types/<kind>/test")
@documented(body="{config}: send the fixed test notification through a channel of this kind",
            responses={200: "{ok, message}: delivered, or why not (the HTTP status, never the answer)",
                       403: "refused by the network guard"})
def test_channel(kind: str) -> Response:
    """Send the fixed test notification through the network guard; 200 with ``{ok, message}`` (ok false
    when delivery failed), 403 ``network_refused`` when the guard refuses the address."""
    s = services.get()
    channel = s.registry.channels.get(kind)
    if channel is None:
        raise NotFound(f"no channel type {kind!r}")
    body = load_body(ChannelTest())
    try:
        config = channel.config_schema(unknown=RAISE).load(body["config"])
    except ValidationError as exc:
        raise InvalidConfig(f"config does not fit the {kind} schema",
                            validation_errors(exc.normalized_messages(), root="config")) from exc
    try:
        channel.send(dict(TEST_NOTIFICATION), config, CheckContext(timeout=s.sources.timeout, guard=s.sources.guard))
    except NetworkRefused as exc:
        raise Refused(f"refused by the network guard: {exc}", [{"path": "config", "message": str(exc)}]) from exc
    except DeliveryFailed as exc:
        return jsonify({"ok": False, "message": str(exc)})
    return jsonify({"ok": True, "message": "delivered"})


@bp.get("/sources")
@documented(query=SourceListArgs)
def list_sources() -> Response:
    """Sources, filtered by kind and a search over name and description."""
    args = load_args(SourceListArgs())
    found, total = services.get().sources.find(kind=args.get("kind"), q=args.get("q"), limit=args["limit"],
                                               offset=args["offset"])
    return jsonify({"sources": found, "totalCount": total})


@bp.post("/sources")
@documented(body="{kind, name, description?, config, checkIntervalSeconds?}",
            responses={201: "the source (secrets left out)"})
def create_source() -> tuple[Response, int]:
    """Create a source of a registered kind; its config is validated against the kind's schema."""
    body = load_body(SourceCreate())
    s = services.get()
    created = s.sources.create(kind=body["kind"], name=body["name"], description=body["description"] or "",
                               config=body["config"])
    if "checkIntervalSeconds" in body:
        s.health.set_interval(created["id"], body["checkIntervalSeconds"])
    return jsonify({**created, "checkIntervalSeconds": s.health.interval_of(created["id"])}), 201


@bp.get("/sources/<source>")
def get_source(source: str) -> Response:
    """One source (secrets left out)."""
    s = services.get()
    return jsonify({**s.sources.get(source), "checkIntervalSeconds": s.health.interval_of(source)})


@bp.route("/sources/<source>", methods=["PUT", "PATCH"])
@documented(body="{name?, description?, config?, checkIntervalSeconds?}; secret fields left out keep their "
                 "stored values, unless the update changes where the source points (host, port, URL …): then "
                 "they are dropped")
def update_source(source: str) -> Response:
    """Rename, describe or reconfigure a source."""
    body = load_body(SourceUpdate())
    s = services.get()
    updated = s.sources.update(source, name=body.get("name"), description=body.get("description"),
                               config=body.get("config"))
    if "checkIntervalSeconds" in body:
        s.health.set_interval(source, body["checkIntervalSeconds"])
    return jsonify({**updated, "checkIntervalSeconds": s.health.interval_of(source)})


@bp.delete("/sources/<source>")
def delete_source(source: str) -> tuple[str, int]:
    """Delete a source, its status history, and its nodes on dashboards."""
    s = services.get()
    s.sources.get(source)  # 404 before touching dashboards
    s.dashboards.forget_source(source)
    s.sources.delete(source)
    return "", 204


@bp.post("/sources/<source>/test")
@documented(responses={200: "{ok, message, latencyMs, details}", 403: "refused by the network guard"})
def test_source(source: str) -> Response:
    """Run the source type's real connection test (with a timeout) and record the result as its status.

    It counts as a health check: kept in the history, and a change of status goes on the live streams."""
    return jsonify(services.get().health.check(source))


class HealthArgs(Schema):
    since = fields.AwareDateTime(metadata={"description": "only checks at or after this time (RFC 3339)"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


@bp.get("/sources/<source>/health")
@documented(query=HealthArgs, responses={200: "{checks: [{status, latencyMs, message, checkedAt}], total}"})
def source_health(source: str) -> Response:
    """Health-check history of a source (periodic and on-demand checks), newest first."""
    args = load_args(HealthArgs())
    checks, total = health_history(services.get().engine, source, since=args.get("since"), limit=args["limit"])
    return jsonify({"checks": checks, "total": total})


@bp.get("/sources/<source>/status-history")
@documented(query=PageArgs)
def source_history(source: str) -> Response:
    """Connection-test results, newest first."""
    args = load_args(PageArgs())
    return jsonify({"history": services.get().sources.history(source, limit=args["limit"] or 100)})


@bp.get("/sources/<source>/datasets")
@documented(query=PageArgs)
def source_datasets(source: str) -> Response:
    """Observed datasets whose namespace belongs to this source."""
    args = load_args(PageArgs())
    return jsonify({"datasets": services.get().sources.datasets(source, limit=args["limit"] or 100)})
