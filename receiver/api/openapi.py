"""The OpenAPI document, generated from the routes themselves, and a browsable docs page.

Every route of the app is listed (a test checks none is missing). A view's docstring gives its summary
(first line) and description; ``@documented(query=Schema)`` adds its query parameters from the same
marshmallow schema the view parses with.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable
from importlib import metadata
from typing import Any, TypeVar

from flask import Blueprint, Flask, Response, current_app, jsonify
from marshmallow import Schema, fields, missing

from lineagelens.receiver.web_security import allow_inline_styles

log = logging.getLogger(__name__)

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

F = TypeVar("F", bound=Callable[..., Any])

_TYPES: list[tuple[type[fields.Field], dict[str, Any]]] = [
    (fields.Boolean, {"type": "boolean"}),
    (fields.Integer, {"type": "integer"}),
    (fields.Float, {"type": "number"}),
    (fields.DateTime, {"type": "string", "format": "date-time"}),
    (fields.String, {"type": "string"}),
    (fields.List, {"type": "array", "items": {"type": "string"}}),
]

ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "status", "message", "errors"],
    "properties": {
        "code": {"type": "string", "example": "invalid_event"},
        "status": {"type": "integer", "example": 422},
        "message": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "additionalProperties": True}},
    },
}


def documented(*, query: type[Schema] | None = None, body: str | None = None,
               responses: dict[int, str] | None = None) -> Callable[[F], F]:
    """Attach OpenAPI details to a view: its query schema, request body and response descriptions."""

    def mark(view: F) -> F:
        view.__dict__["openapi"] = {"query": query, "body": body, "responses": responses or {}}
        return view

    return mark


def _field_schema(field: fields.Field) -> dict[str, Any]:
    for cls, schema in _TYPES:
        if isinstance(field, cls):
            found = dict(schema)
            break
    else:
        found = {"type": "string"}
    for validator in field.validators:
        choices = getattr(validator, "choices", None)
        if choices:
            found["enum"] = list(choices)
        for attr, key in (("min", "minimum"), ("max", "maximum")):
            value = getattr(validator, attr, None)
            if isinstance(value, int) and found.get("type") == "integer":
                found[key] = value
    if field.load_default not in (None, missing) and not callable(field.load_default):
        found["default"] = field.load_default
    return found


def _parameters(path: str, query: type[Schema] | None) -> list[dict[str, Any]]:
    params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
              for name in re.findall(r"{(\w+)}", path)]
    if query is not None:
        for name, field in query().fields.items():
            params.append({"name": field.data_key or name, "in": "query", "required": field.required,
                           "schema": _field_schema(field)})
    return params


def _operation(view: Callable[..., Any], path: str, method: str) -> dict[str, Any]:
    doc = (view.__doc__ or "").strip()
    summary, _, description = doc.partition("\n")
    info = view.__dict__.get("openapi", {})
    responses: dict[str, Any] = {str(code): {"description": text}
                                 for code, text in info.get("responses", {}).items()}
    responses.setdefault("200" if method != "post" else "201", {"description": "success"})
    responses["default"] = {"description": "error", "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    op: dict[str, Any] = {
        "operationId": view.__name__,
        "summary": summary.strip() or view.__name__.replace("_", " "),
        "tags": [view.__module__.rsplit(".", 1)[-1]],
        "parameters": _parameters(path, info.get("query")),
        "responses": responses,
    }
    if description.strip():
        op["description"] = " ".join(description.split())
    if method in {"post", "put", "patch"}:
        op["requestBody"] = {"content": {"application/json": {"schema": {
            "type": "object", "description": info.get("body") or "JSON body"}}}}
    return op


def spec(app: Flask) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        view = app.view_functions[rule.endpoint]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(view, path, method.lower())
    return {
        "openapi": "3.1.0",
        "info": {"title": "LineageLens API", "version": metadata.version("lineagelens"),
                 "description": "OpenLineage ingest, Marquez-compatible reads and LineageLens lineage queries."},
        "paths": paths,
        "components": {"schemas": {"Error": ERROR_SCHEMA}},
        "x-websockets": _websockets(),
    }


def _websockets() -> dict[str, Any]:
    """The live streams' message schema (receiver/api/live.py), imported late: that module uses this one."""
    from lineagelens.receiver.api.live import WIRE_SCHEMA

    return WIRE_SCHEMA


def _fields(schema: dict[str, Any]) -> str:
    return "{" + ", ".join(schema.get("properties", {})) + "}"


@bp.get("/openapi.json")
def openapi_json() -> Response:
    """This API as an OpenAPI 3.1 document."""
    return jsonify(spec(current_app))


@bp.get("/docs")
def docs_page() -> Response:
    """A browsable page of every endpoint (self-contained: no assets from elsewhere)."""
    document = spec(current_app)
    rows = []
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            params = ", ".join(f"{p['name']}{'*' if p['required'] else ''} ({p['in']})" for p in op["parameters"])
            rows.append(
                f"<tr><td class=m>{method.upper()}</td><td><code>{html.escape(path)}</code></td>"
                f"<td>{html.escape(op['summary'])}<div class=d>{html.escape(op.get('description', ''))}</div></td>"
                f"<td>{html.escape(params)}</td></tr>")
    page = f"""<!doctype html><html lang=en><meta charset=utf-8><title>LineageLens API</title>
<style>body{{font:14px system-ui,sans-serif;margin:2rem;color:#1d2430}}
table{{border-collapse:collapse;width:100%}}
td,th{{border-bottom:1px solid #e3e7ee;padding:.45rem;text-align:left;vertical-align:top}}
.m{{font-weight:600;color:#3157d5}}
.d{{color:#5b6575;font-size:12px}}code{{font-size:13px}}</style>
<h1>LineageLens API</h1><p>Version {html.escape(document['info']['version'])}.
Machine-readable: <a href="openapi.json">openapi.json</a>. Errors always have the shape
<code>{{code, status, message, errors}}</code>.</p>
<table><tr><th>Method</th><th>Path</th><th>What</th><th>Parameters (* required)</th></tr>{''.join(rows)}</table>
<h2>Live monitoring (WebSocket)</h2><p>{html.escape(document['x-websockets']['description'])}</p>
<table><tr><th>Message</th><th>Payload</th></tr>{''.join(
        f"<tr><td><code>{html.escape(name)}</code></td><td><code>{html.escape(_fields(schema))}</code>"
        f"<div class=d>{html.escape(schema.get('description', ''))}</div></td></tr>"
        for name, schema in {**document['x-websockets']['serverMessages'],
                             **document['x-websockets']['clientMessages']}.items())}</table>"""
    return allow_inline_styles(Response(page, mimetype="text/html"))  # its <style> by hash in the CSP
