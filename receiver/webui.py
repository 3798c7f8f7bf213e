"""Serving the web UI (built by ``make ui`` into ``receiver/ui_dist``, shipped in the wheel).

Files are served as they are; any other path that is not an API route gets ``index.html`` (the UI routes in
the browser), with the mount point written into ``<meta name="lineagelens-base">`` so one build works at
``/`` and under a prefix (the Airflow plugin mounts the receiver under its own URL).

The Content-Security-Policy allows index.html's inline scripts by their sha256 (:func:`script_hashes`), computed
from the served file at startup and again whenever the file changes, so a new build never needs a code change.
"""

from __future__ import annotations

import html
import logging
import re
import threading
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, request, send_from_directory

from lineagelens.receiver.web_security import inline_hashes

log = logging.getLogger(__name__)

DIST = Path(__file__).parent / "ui_dist"
_BASE_META = re.compile(r'(<meta name="lineagelens-base" content=")[^"]*(")')
_RESERVED = ("api/", "healthz", "readyz", "metrics")
KEY = "lineagelens.webui"

bp = Blueprint("webui", __name__)


def _dist() -> Path:
    return Path(current_app.config.get("LINEAGELENS_UI_DIR") or DIST)


def inline_script_hashes(page: str) -> tuple[str, ...]:
    """CSP hash sources (``sha256-<base64>``) of a page's inline scripts, in page order, without repeats."""
    return inline_hashes(page, "script")


class ScriptHashes:
    """The inline-script hashes of one index.html, read again when its size or modification time changes."""

    def __init__(self, index: Path) -> None:
        self.index = index
        self._lock = threading.Lock()
        self._seen: tuple[int, int] | None = None
        self._hashes: tuple[str, ...] = ()

    def get(self) -> tuple[str, ...]:
        try:
            stat = self.index.stat()
        except OSError:
            return ()
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if stamp != self._seen:
                try:
                    self._hashes = inline_script_hashes(self.index.read_text(encoding="utf-8"))
                except (OSError, UnicodeDecodeError) as exc:
                    log.warning("cannot read %s for its inline scripts: %s", self.index, exc)
                    return ()
                self._seen = stamp
                log.info("CSP: %d inline script(s) in %s", len(self._hashes), self.index)
            return self._hashes


def script_hashes() -> tuple[str, ...]:
    """The CSP hashes of the current app's served index.html (none without a UI build)."""
    found: ScriptHashes | None = current_app.extensions.get(KEY)
    return found.get() if found is not None else ()


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
    hashes = ScriptHashes(Path(app.config.get("LINEAGELENS_UI_DIR") or DIST) / "index.html")
    hashes.get()  # read at startup, so a broken build shows in the log at once
    app.extensions[KEY] = hashes
    app.register_blueprint(bp)
