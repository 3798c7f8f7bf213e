"""Serving the web UI (built by ``make ui`` into ``receiver/ui_dist``, shipped in the wheel).

Files are served as they are; any other path that is not an API route gets ``index.html`` (the UI routes in
the browser), with the mount point written into ``<meta name="lineagelens-base">`` so one build works at
``/`` and under a prefix (the Airflow plugin mounts the receiver under its own URL).
"""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, request, send_from_directory

log = logging.getLogger(__name__)

DIST = Path(__file__).parent / "ui_dist"
_BASE_META = re.compile(r'(<meta name="lineagelens-base" content=")[^"]*(")')
_RESERVED = ("api/", "healthz", "readyz", "metrics")

bp = Blueprint("webui", __name__)


def _dist() -> Path:
    return Path(current_app.config.get("LINEAGELENS_UI_DIR") or DIST)


def _index() -> Response:
    index = _dist() / "index.html"
    if not index.is_file():
        page = ("<!doctype html><title>LineageLens</title><h1>LineageLens</h1><p>The web UI is not built in this "
                "installation (run <code>make ui</code>, or <code>make run</code> which builds it). The API is "
                'here: <a href="api/v1/docs">api/v1/docs</a>.</p>')
        return Response(page, status=503, mimetype="text/html")
    base = html.escape(request.script_root.rstrip("/") + "/", quote=True)
    text = _BASE_META.sub(lambda m: f"{m.group(1)}{base}{m.group(2)}", index.read_text(encoding="utf-8"), count=1)
    response = Response(text, mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/")
def index() -> Response:
    """The web UI."""
    return _index()


@bp.get("/<path:path>")
def asset_or_route(path: str) -> Response:
    """A file of the UI build, or index.html for a route the UI handles in the browser."""
    if path.startswith(_RESERVED):
        abort(404)
    dist = _dist()
    target = (dist / path).resolve()
    if target.is_file() and dist.resolve() in target.parents:
        response = send_from_directory(dist, path)
        if path.startswith("assets/"):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response
    if path.startswith("assets/"):  # a missing build file, not a UI route (those may hold dots: test.csv)
        abort(404)
    return _index()


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
