"""Configured notification channels (``/api/v1/channels``): CRUD with write-only secrets, and a test send.
Viewers read them (secrets never shown); editors create, change, delete and test them."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify
from marshmallow import fields, validate

from lineagelens.receiver import services
from lineagelens.receiver.alerts.channels import TEST_MESSAGE, ChannelBody
from lineagelens.receiver.api.args import PageArgs, load_args
from lineagelens.receiver.api.openapi import documented
from lineagelens.receiver.api.sources import load_body
from lineagelens.receiver.sources.network import NetworkRefused
from lineagelens.receiver.sources.service import Refused
from lineagelens.receiver.sources.types import DeliveryFailed
from lineagelens.receiver.state.db import transaction

log = logging.getLogger(__name__)

bp = Blueprint("channels", __name__, url_prefix="/api/v1")


class ChannelListArgs(PageArgs):
    kind = fields.String(validate=validate.Length(max=64))


@bp.get("/channels")
@documented(query=ChannelListArgs)
def list_channels() -> Response:
    """Configured notification channels (secret config fields left out; ``secretsSet`` names those stored)."""
    args = load_args(ChannelListArgs())
    found, total = services.get().alerts.channels.find(kind=args.get("kind"), limit=args["limit"],
                                                       offset=args["offset"])
    return jsonify({"channels": found, "totalCount": total})


@bp.post("/channels")
@documented(body="{name, kind, config, owners?, enabled?, rateLimitPerMinute?}",
            responses={201: "the channel (secrets left out)", 409: "the name is taken"})
def create_channel() -> tuple[Response, int]:
    """Create a channel of a registered kind; its config is validated against the kind's schema and its
    secret fields are stored encrypted."""
    body = load_body(ChannelBody())
    return jsonify(services.get().alerts.channels.create(body)), 201


@bp.get("/channels/<channel>")
def get_channel(channel: str) -> Response:
    """One channel (secrets left out)."""
    return jsonify(services.get().alerts.channels.get(channel))


@bp.route("/channels/<channel>", methods=["PUT", "PATCH"])
@documented(body="{name?, config?, owners?, enabled?, rateLimitPerMinute?}; secret fields left out keep their "
                 "stored values unless the update changes where the channel points (URL, host, port)")
def update_channel(channel: str) -> Response:
    """Change a channel."""
    body = load_body(ChannelBody(partial=True))
    body.pop("kind", None)
    return jsonify(services.get().alerts.channels.update(channel, body))


@bp.delete("/channels/<channel>")
def delete_channel(channel: str) -> tuple[str, int]:
    """Delete a channel and take it out of every rule (its delivery log stays)."""
    alerts = services.get().alerts
    with transaction(alerts.channels.engine) as conn:
        alerts.channels.delete(conn, channel)
        alerts.rules.forget_channel(conn, channel)
    return "", 204


@bp.post("/channels/<channel>/test")
@documented(responses={200: "{ok, message, responseStatus}: delivered, or why not (never the target's answer)",
                       403: "refused by the network guard"})
def test_channel_send(channel: str) -> Response:
    """Send the fixed test notification through the stored channel now, and log it in the delivery log."""
    alerts = services.get().alerts
    alerts.channels.get(channel)  # 404
    configured = alerts.channels.configured(channel)
    assert configured is not None
    if configured.channel is None:
        return jsonify({"ok": False, "message": f"no plugin provides channel kind {configured.kind!r}",
                        "responseStatus": None})
    try:
        status = configured.channel.send(dict(TEST_MESSAGE), configured.config, alerts.channels.context())
    except NetworkRefused as exc:
        alerts.delivery.record_test(channel, message=TEST_MESSAGE, ok=False, error=f"refused: {exc}", status=None)
        raise Refused(f"refused by the network guard: {exc}", [{"path": "config", "message": str(exc)}]) from exc
    except DeliveryFailed as exc:
        alerts.delivery.record_test(channel, message=TEST_MESSAGE, ok=False, error=str(exc), status=exc.status)
        return jsonify({"ok": False, "message": str(exc), "responseStatus": exc.status})
    alerts.delivery.record_test(channel, message=TEST_MESSAGE, ok=True, error=None, status=status)
    return jsonify({"ok": True, "message": "delivered", "responseStatus": status})
