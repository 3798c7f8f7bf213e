"""Alert rules (``/api/v1/alert-rules``): CRUD, the rule types with their parameter schemas, and a preview
("would have fired N times in the last 7 days"). Viewers read; editors write."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from flask import Blueprint, Response, jsonify, request
from marshmallow import fields, validate

from lineagelens.receiver import services
from lineagelens.receiver.alerts import model as M
from lineagelens.receiver.alerts.preview import preview
from lineagelens.receiver.alerts.rules import PARAMS, ScopeSchema, load_rule_body
from lineagelens.receiver.api.args import PageArgs, load_args
from lineagelens.receiver.api.body import read_json
from lineagelens.receiver.api.openapi import documented
from lineagelens.receiver.sources.registry import json_schema

log = logging.getLogger(__name__)

bp = Blueprint("alert_rules", __name__, url_prefix="/api/v1")

RULE_BODY = ("{name, type, enabled?, severity?, scope{namespaces, jobs, datasets, sources, owners}, params, "
             "channelIds}")


class RuleListArgs(PageArgs):
    type = fields.String(validate=validate.OneOf(M.RULE_TYPES))


@bp.get("/alert-rule-types")
def rule_types() -> Response:
    """Every rule type: what it watches (job, dataset, source), whether it is time-driven, and the JSON Schema
    of its params and of the scope (for a form)."""
    return jsonify({"ruleTypes": [{"type": t, "subject": M.SUBJECT[t], "timeDriven": t in M.TIME_DRIVEN,
                                   "paramsSchema": json_schema(PARAMS[t])} for t in M.RULE_TYPES],
                    "scopeSchema": json_schema(ScopeSchema), "severities": list(M.SEVERITIES)})


@bp.get("/alert-rules")
@documented(query=RuleListArgs)
def list_rules() -> Response:
    """Alert rules, by name."""
    args = load_args(RuleListArgs())
    found, total = services.get().alerts.rules.find(rule_type=args.get("type"), limit=args["limit"],
                                                    offset=args["offset"])
    return jsonify({"rules": found, "totalCount": total})


@bp.post("/alert-rules")
@documented(body=RULE_BODY, responses={201: "the rule", 422: "invalid rule (errors name each field)"})
def create_rule() -> tuple[Response, int]:
    """Create a rule; its params are validated against its type's schema."""
    return jsonify(services.get().alerts.rules.create(read_json(request))), 201


@bp.post("/alert-rules/preview")
@documented(body=RULE_BODY, responses={200: "{wouldFire, days, nodes, firings[{nodeId, at, title}]}"})
def preview_rule() -> Response:
    """Evaluate a rule body over the stored runs of the last 7 days, without opening incidents or sending
    anything: how many times it would have fired, and the latest firings."""
    body = load_rule_body(read_json(request))
    alerts = services.get().alerts
    rule = M.Rule(id=str(uuid.uuid4()), name=body["name"], type=body["type"], severity=body["severity"],
                  scope=M.Scope.of(body["scope"]), params=body["params"], channel_ids=(), created_at=None)
    return jsonify(preview(alerts.facts, rule, alerts.clock()))


@bp.get("/alert-rules/<rule>")
def get_rule(rule: str) -> Response:
    """One rule."""
    return jsonify(services.get().alerts.rules.get(rule))


@bp.route("/alert-rules/<rule>", methods=["PUT", "PATCH"])
@documented(body=RULE_BODY + " (fields left out keep their values)")
def update_rule(rule: str) -> Response:
    """Change a rule."""
    raw: Any = read_json(request)
    return jsonify(services.get().alerts.rules.update(rule, raw))


@bp.delete("/alert-rules/<rule>")
def delete_rule(rule: str) -> tuple[str, int]:
    """Delete a rule (its incidents stay)."""
    services.get().alerts.rules.delete(rule)
    return "", 204
