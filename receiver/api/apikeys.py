"""API keys (``/api/v1/api-keys``, admins only): list, create (the key is shown once), revoke."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, g, jsonify, request

from lineagelens.receiver import services
from lineagelens.receiver.api.body import read_json
from lineagelens.receiver.api.openapi import documented
from lineagelens.receiver.auth.apikeys import InvalidKey
from lineagelens.receiver.auth.guard import require_principal

log = logging.getLogger(__name__)

bp = Blueprint("apikeys", __name__, url_prefix="/api/v1")


@bp.get("/api-keys")
def list_api_keys() -> Response:
    """Every API key, revoked ones included (the keys themselves are never shown again)."""
    return jsonify({"apiKeys": [k.as_json() for k in services.get().auth.keys.list()]})


@bp.post("/api-keys")
@documented(body="{name, scope: ingest|read|admin, namespaces?: [...] (ingest keys only)}",
            responses={201: "the key's record plus \"key\": shown only in this answer"})
def create_api_key() -> tuple[Response, int]:
    """Create an API key; send it as 'Authorization: Bearer <key>'."""
    body = read_json(request)
    if not isinstance(body, dict):
        raise InvalidKey("the body must be a JSON object", [{"path": "$", "message": type(body).__name__}])
    unknown = sorted(set(body) - {"name", "scope", "namespaces"})
    if unknown:
        raise InvalidKey(f"unknown fields: {', '.join(unknown)}", [{"path": k, "message": "unknown"} for k in unknown])
    record, key = services.get().auth.keys.create(name=body.get("name"), scope=body.get("scope"),
                                                  namespaces=body.get("namespaces"),
                                                  created_by=require_principal().name)
    g.audit_target = record.id
    return jsonify({**record.as_json(), "key": key}), 201


@bp.delete("/api-keys/<key_id>")
@documented(responses={204: "revoked (it stops working at once)"})
def revoke_api_key(key_id: str) -> tuple[str, int]:
    """Revoke an API key."""
    services.get().auth.keys.revoke(key_id)
    return "", 204
