"""Local users (``/api/v1/users``, admins only): list, create, change role or password, delete."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, g, jsonify, request

from lineagelens.receiver import services
from lineagelens.receiver.api.body import read_json
from lineagelens.receiver.api.openapi import documented
from lineagelens.receiver.auth.users import InvalidUser

log = logging.getLogger(__name__)

bp = Blueprint("users", __name__, url_prefix="/api/v1")


def _object(allowed: set[str]) -> dict[str, Any]:
    body = read_json(request)
    if not isinstance(body, dict):
        raise InvalidUser("the body must be a JSON object", [{"path": "$", "message": type(body).__name__}])
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise InvalidUser(f"unknown fields: {', '.join(unknown)}", [{"path": k, "message": "unknown"} for k in unknown])
    return body


@bp.get("/users")
def list_users() -> Response:
    """Every local user with their role (passwords are never returned)."""
    return jsonify({"users": [u.as_json() for u in services.get().auth.users.list()]})


@bp.post("/users")
@documented(body="{name, role: viewer|editor|admin, password (at least 12 characters)}",
            responses={201: "the user", 409: "the name is taken", 422: "invalid name, role or password"})
def create_user() -> tuple[Response, int]:
    """Create a local user."""
    body = _object({"name", "role", "password"})
    name = body.get("name")
    g.audit_target = name if isinstance(name, str) else None
    if body.get("password") is None:
        raise InvalidUser("a password is required", [{"path": "password", "message": "required"}])
    user = services.get().auth.users.create(name=name if isinstance(name, str) else "", role=body.get("role"),
                                            password=body.get("password"))
    return jsonify(user.as_json()), 201


@bp.patch("/users/<name>")
@documented(body="{role?, password?}; either change revokes the user's sessions",
            responses={200: "the user", 409: "would leave no admin"})
def update_user(name: str) -> Response:
    """Change a user's role or password (their sessions are revoked)."""
    body = _object({"role", "password"})
    user = services.get().auth.users.update(name, role=body.get("role"), password=body.get("password"))
    return jsonify(user.as_json())


@bp.delete("/users/<name>")
@documented(responses={204: "deleted, sessions revoked", 409: "the last admin cannot be deleted"})
def delete_user(name: str) -> tuple[str, int]:
    """Delete a user and revoke their sessions."""
    services.get().auth.users.delete(name)
    return "", 204
