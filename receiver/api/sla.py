"""SLA tracking (``/api/v1/sla``) for a job or dataset, from its deadline and freshness rule evaluations."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify
from marshmallow import EXCLUDE, Schema, fields, validate

from lineagelens.receiver import services
from lineagelens.receiver.alerts.sla import sla_summary
from lineagelens.receiver.api.args import load_args
from lineagelens.receiver.api.openapi import documented

log = logging.getLogger(__name__)

bp = Blueprint("sla", __name__, url_prefix="/api/v1")


class SlaArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    node_id = fields.String(data_key="nodeId", required=True, validate=validate.Length(min=1, max=2000))


@bp.get("/sla")
@documented(query=SlaArgs)
def get_sla() -> Response:
    """On-time percentage over the last 7 and 30 days, current streak and last miss of a job or dataset
    (``null`` percentages when no deadline or freshness rule has evaluated it)."""
    args = load_args(SlaArgs())
    alerts = services.get().alerts
    return jsonify(sla_summary(alerts.rules.engine, args["node_id"], alerts.clock()))
