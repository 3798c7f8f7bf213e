"""Incidents (``/api/v1/incidents``): list and filter, detail with the downstream impact and owners, and the
state changes acknowledge and resolve. Viewers read; editors acknowledge and resolve."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify
from marshmallow import fields, validate

from lineagelens.receiver import services
from lineagelens.receiver.alerts import model as M
from lineagelens.receiver.api.args import MAX_INT, PageArgs, load_args
from lineagelens.receiver.api.openapi import documented
from lineagelens.receiver.auth.guard import require_principal
from lineagelens.receiver.errors import NotFound

log = logging.getLogger(__name__)

bp = Blueprint("incidents", __name__, url_prefix="/api/v1")


class IncidentListArgs(PageArgs):
    state = fields.String(validate=validate.OneOf([*M.ACTIVE, M.RESOLVED, "active"]))
    node_id = fields.String(data_key="nodeId", validate=validate.Length(max=2000))
    rule_id = fields.String(data_key="ruleId", validate=validate.Length(max=36))
    severity = fields.String(validate=validate.OneOf(M.SEVERITIES))


def _id(incident: str) -> int:
    if not incident.isdigit() or int(incident) > MAX_INT:
        raise NotFound(f"no incident {incident!r}")
    return int(incident)


@bp.get("/incidents")
@documented(query=IncidentListArgs)
def list_incidents() -> Response:
    """Incidents, newest first; ``state=active`` is open or acknowledged."""
    args = load_args(IncidentListArgs())
    found, total = services.get().alerts.incidents.find(
        state=args.get("state"), node_id=args.get("node_id"), rule_id=args.get("rule_id"),
        severity=args.get("severity"), limit=args["limit"], offset=args["offset"])
    return jsonify({"incidents": found, "totalCount": total})


@bp.get("/incidents/<incident>")
def get_incident(incident: str) -> Response:
    """One incident: its root, impacted datasets, jobs and dashboards with their owners, what was attached to
    it, and its timeline."""
    return jsonify(services.get().alerts.incidents.get(_id(incident)))


@bp.post("/incidents/<incident>/ack")
@documented(responses={200: "the incident, acknowledged", 409: "not open"})
def acknowledge_incident(incident: str) -> Response:
    """Acknowledge an open incident (someone is on it)."""
    return jsonify(services.get().alerts.incidents.acknowledge(_id(incident), by=require_principal().name))


@bp.post("/incidents/<incident>/resolve")
@documented(responses={200: "the incident, resolved; a resolve notification is queued", 409: "already resolved"})
def resolve_incident(incident: str) -> Response:
    """Resolve an incident by hand; the channels told of it get a resolve notification."""
    return jsonify(services.get().alerts.incidents.resolve(_id(incident), by=require_principal().name))
