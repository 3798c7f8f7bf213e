"""Domain errors and the one error shape: ``{code, status, message, errors}``.

Views and services raise :class:`ApiError` subclasses; :func:`init_app` maps them, Werkzeug's HTTP
errors and anything unexpected onto the same JSON body.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error a client can act on. ``errors`` lists details, e.g. ``{"path": ..., "message": ...}``."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []


class BadRequest(ApiError):
    status, code = 400, "bad_request"


class Unparseable(ApiError):
    status, code = 400, "unparseable"


class Unauthorized(ApiError):
    status, code = 401, "unauthorized"


class Forbidden(ApiError):
    status, code = 403, "forbidden"


class NotFound(ApiError):
    status, code = 404, "not_found"


class Conflict(ApiError):
    status, code = 409, "conflict"


class PayloadTooLarge(ApiError):
    status, code = 413, "payload_too_large"


class UnsupportedMediaType(ApiError):
    status, code = 415, "unsupported_media_type"


class InvalidEvent(ApiError):
    status, code = 422, "invalid_event"


class ServiceUnavailable(ApiError):
    status, code = 503, "unavailable"


def validation_errors(messages: Any, *, root: str = "$") -> list[dict[str, str]]:
    """marshmallow's error messages (nested dicts and lists, as ``ValidationError.messages``) as ``errors[]``:
    ``[{"path", "message"}]``, one entry per failing field. With ``root="$"`` paths are JSON paths
    (``$.run.runId``, ``$.inputs[0].name``); with another root they are dotted names under it (``config.host``,
    ``nodes.0.id``; ``root=""`` for top-level names)."""
    json_path = root.startswith("$")

    def step(path: str, key: Any) -> str:
        if key == "_schema":
            return path
        if json_path:
            return f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}"
        return f"{path}.{key}" if path else str(key)

    def walk(value: Any, path: str) -> list[dict[str, str]]:
        if isinstance(value, dict):
            return [e for key, inner in value.items() for e in walk(inner, step(path, key))]
        if isinstance(value, list) and all(isinstance(m, str) for m in value):
            return [{"path": path or "$", "message": " ".join(value)}]
        if isinstance(value, list):
            return [e for inner in value for e in walk(inner, path)]
        return [{"path": path or "$", "message": str(value)}]

    return walk(messages, root)


def error_body(status: int, code: str, message: str, errors: list[dict[str, Any]] | None = None,
               ) -> dict[str, Any]:
    return {"code": code, "status": status, "message": message, "errors": errors or []}


def _respond(status: int, code: str, message: str, errors: list[dict[str, Any]] | None = None,
             ) -> Response:
    response = jsonify(error_body(status, code, message, errors))
    response.status_code = status
    return response


def _http_code(exc: HTTPException) -> str:
    return (exc.name or "error").lower().replace(" ", "_").replace("'", "")


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        response = _respond(exc.status, exc.code, exc.message, exc.errors)
        if isinstance(exc, Unauthorized):
            response.headers["WWW-Authenticate"] = 'Bearer realm="lineagelens"'
        return response

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        if status == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH")
            return _respond(413, "payload_too_large", f"request body is larger than {limit} bytes")
        response = _respond(status, _http_code(exc), exc.description or exc.name)
        if status == 405 and exc.get_response().headers.get("Allow"):
            response.headers["Allow"] = exc.get_response().headers["Allow"]
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error")
        return _respond(500, "internal_error", "internal server error")
