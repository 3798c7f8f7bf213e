"""``GET /api/v1/plugins``: the loaded plugins with their versions and hooks."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify

from lineagelens.receiver import plugins, services

log = logging.getLogger(__name__)

bp = Blueprint("plugins", __name__, url_prefix="/api/v1")


@bp.get("/plugins")
def list_plugins() -> Response:
    return jsonify({"plugins": plugins.describe(services.get().plugins)})
