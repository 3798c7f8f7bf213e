"""The delivery log (``/api/v1/notifications``): each notification's status, attempts, last error and the
target's HTTP status — never what the target answered. Viewers read it."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify
from marshmallow import fields, validate

from lineagelens.receiver import services
from lineagelens.receiver.api.args import MAX_INT, PageArgs, load_args
from lineagelens.receiver.api.openapi import documented

log = logging.getLogger(__name__)

bp = Blueprint("notifications", __name__, url_prefix="/api/v1")


class NotificationArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(["pending", "delivered", "failed"]))
    channel_id = fields.String(data_key="channelId", validate=validate.Length(max=36))
    incident_id = fields.Integer(data_key="incidentId", validate=validate.Range(min=0, max=MAX_INT))


@bp.get("/notifications")
@documented(query=NotificationArgs)
def list_notifications() -> Response:
    """Notifications, newest first, filtered by status, channel or incident."""
    args = load_args(NotificationArgs())
    found, total = services.get().alerts.delivery.find(
        status=args.get("status"), channel_id=args.get("channel_id"), incident_id=args.get("incident_id"),
        limit=args["limit"], offset=args["offset"])
    return jsonify({"notifications": found, "totalCount": total})
