"""The audit log (``/api/v1/audit``, admins only): every write, sign-in and sign-out, newest first."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify
from marshmallow import fields, validate

from lineagelens.receiver import services
from lineagelens.receiver.api.args import PageArgs, load_args
from lineagelens.receiver.api.openapi import documented

log = logging.getLogger(__name__)

bp = Blueprint("audit", __name__, url_prefix="/api/v1")


class AuditArgs(PageArgs):
    actor = fields.String(validate=validate.Length(min=1, max=200))
    action = fields.String(validate=validate.Length(min=1, max=128))


@bp.get("/audit")
@documented(query=AuditArgs, responses={200: "{entries[{id, at, actor, via, action, method, path, target, "
                                             "status}], total}"})
def list_audit() -> Response:
    """Audit entries, newest first; ``action`` matches exactly, or as a prefix when it ends in '.'."""
    args = load_args(AuditArgs())
    entries, total = services.get().auth.audit.find(limit=args["limit"], offset=args["offset"],
                                                     actor=args.get("actor"), action=args.get("action"))
    return jsonify({"entries": entries, "total": total})
