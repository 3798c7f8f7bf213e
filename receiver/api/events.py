"""Marquez's ``GET /api/v1/events/lineage``: the raw OpenLineage events of a time window, from the event log."""

from __future__ import annotations

import json
import logging
from datetime import UTC

from flask import Blueprint, Response, jsonify
from marshmallow import fields, validate

from lineagelens.receiver import services
from lineagelens.receiver.api.args import PageArgs, load_args

log = logging.getLogger(__name__)

bp = Blueprint("events", __name__, url_prefix="/api/v1")


class EventArgs(PageArgs):
    """A window of event times (``since``/``until``; Marquez's ``after``/``before`` also work; naive times
    are UTC) and the order (``sortDirection``: ``desc``, newest first, by default)."""

    since = fields.AwareDateTime(default_timezone=UTC)
    until = fields.AwareDateTime(default_timezone=UTC)
    after = fields.AwareDateTime(default_timezone=UTC)
    before = fields.AwareDateTime(default_timezone=UTC)
    sortDirection = fields.String(load_default="desc",
                                  validate=validate.OneOf(["asc", "desc", "ASC", "DESC"]))


@bp.get("/events/lineage")
def list_lineage_events() -> Response:
    args = load_args(EventArgs())
    payloads, total = services.get().events.between(
        since=args.get("since") or args.get("after"), until=args.get("until") or args.get("before"),
        limit=args["limit"], offset=args["offset"], oldest_first=args["sortDirection"].lower() == "asc")
    return jsonify({"events": [json.loads(p) for p in payloads], "totalCount": total})
