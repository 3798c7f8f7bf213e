"""Dashboards (``/api/v1/dashboards``): CRUD with optimistic concurrency (ETag / If-Match), export and
import. Every dashboard edge is manual lineage (see :mod:`lineagelens.receiver.dashboards`)."""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Blueprint, Response, jsonify, request
from marshmallow import fields, validate

from lineagelens.receiver import services
from lineagelens.receiver.api.args import MAX_INT, PageArgs, load_args
from lineagelens.receiver.api.body import read_json
from lineagelens.receiver.api.openapi import documented
from lineagelens.receiver.auth.guard import require_principal
from lineagelens.receiver.errors import BadRequest

log = logging.getLogger(__name__)

bp = Blueprint("dashboards", __name__, url_prefix="/api/v1")


class DashboardListArgs(PageArgs):
    q = fields.String(validate=validate.Length(max=200))


def _author() -> str:
    """The author of manual lineage is who the credential says (any X-LineageLens-User header is ignored)."""
    return require_principal().name


def _with_etag(body: dict[str, Any], status: int = 200) -> tuple[Response, int]:
    response = jsonify(body)
    response.headers["ETag"] = f'"{body["version"]}"'
    return response, status


def _expected_version(body: Any) -> int | None:
    """From If-Match (``"3"`` or ``W/"3"``), else from the body's ``version``."""
    header = request.headers.get("If-Match")
    if header:
        match = re.fullmatch(r'\s*(?:W/)?"?(\d+)"?\s*', header)
        if not match:
            raise BadRequest("If-Match must be the dashboard version in quotes, e.g. \"3\"",
                             [{"path": "If-Match", "message": header[:100]}])
        return _bounded(int(match.group(1)), "If-Match")
    version = body.get("version") if isinstance(body, dict) else None
    return _bounded(version, "version") if isinstance(version, int) and not isinstance(version, bool) else None


def _bounded(version: int, path: str) -> int:
    if not 0 <= version <= MAX_INT:  # a database integer overflows past 64 bits
        raise BadRequest(f"{path} is not a dashboard version", [{"path": path, "message": f"at most {MAX_INT}"}])
    return version


@bp.get("/dashboards")
@documented(query=DashboardListArgs)
def list_dashboards() -> Response:
    """Dashboards, most recently changed first."""
    args = load_args(DashboardListArgs())
    found, total = services.get().dashboards.find(q=args.get("q"), limit=args["limit"], offset=args["offset"])
    return jsonify({"dashboards": found, "totalCount": total})


@bp.post("/dashboards")
@documented(body="{name, description?, viewport?, nodes?, edges?}", responses={201: "the dashboard, with ETag"})
def create_dashboard() -> tuple[Response, int]:
    """Create a dashboard; its edges become manual lineage."""
    return _with_etag(services.get().dashboards.create(read_json(request), author=_author()), 201)


@bp.get("/dashboards/<dashboard>")
def get_dashboard(dashboard: str) -> tuple[Response, int]:
    """One dashboard, with its version as ETag."""
    return _with_etag(services.get().dashboards.get(dashboard))


@bp.put("/dashboards/<dashboard>")
@documented(body="the whole dashboard document; send If-Match: \"<version>\"",
            responses={200: "saved (version + 1)", 409: "someone saved first: errors[0].currentVersion",
                       428: "no version given"})
def save_dashboard(dashboard: str) -> tuple[Response, int]:
    """Save a dashboard if nobody saved since the version you had (optimistic concurrency)."""
    body = read_json(request)
    saved = services.get().dashboards.update(dashboard, body, expected_version=_expected_version(body),
                                             author=_author())
    return _with_etag(saved)


@bp.delete("/dashboards/<dashboard>")
def delete_dashboard(dashboard: str) -> tuple[str, int]:
    """Delete a dashboard and the manual lineage only it drew."""
    services.get().dashboards.delete(dashboard)
    return "", 204


@bp.get("/dashboards/<dashboard>/export")
def export_dashboard(dashboard: str) -> Response:
    """One self-contained, versioned JSON document: the dashboard and the sources it shows (no secrets)."""
    document = services.get().dashboards.export(dashboard)
    response = jsonify(document)
    response.headers["Content-Disposition"] = f'attachment; filename="dashboard-{dashboard}.json"'
    return response


@bp.post("/dashboards/import")
@documented(body="an exported dashboard document", responses={201: "imported", 200: "already imported"})
def import_dashboard() -> tuple[Response, int]:
    """Import an exported dashboard: ids are remapped, and the same document twice gives one dashboard."""
    dashboard, created = services.get().dashboards.import_(read_json(request), author=_author())
    return _with_etag(dashboard, 201 if created else 200)
