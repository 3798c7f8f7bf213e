"""The application factory."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from lineagelens.receiver import api, config, errors, ratelimit, web_security, webui, wiring
from lineagelens.receiver.auth import guard

log = logging.getLogger(__name__)


def create_app(config_overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build a receiver. ``config_overrides`` wins over files and ``LINEAGELENS_*`` variables; keys that
    are not LineageLens settings (``TESTING`` ...) go to Flask's config as they are."""
    # instance_path is given: Flask cannot find it through the lineagelens.* namespace mapping.
    app = Flask(__name__, instance_path=str(Path.cwd() / "instance"))
    settings = config.load(config_overrides)
    app.config.update({k: v for k, v in (config_overrides or {}).items()
                       if k.removeprefix(config.PREFIX) not in settings})
    app.config["LINEAGELENS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings["MAX_CONTENT_LENGTH"]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    errors.init_app(app)
    web_security.init_app(app, script_hashes=webui.script_hashes)  # first: Host, cross-site, headers
    wiring.init_app(app)
    guard.init_app(app)  # every request: who is asking, and may they (deny by default)
    api.init_app(app)
    webui.init_app(app)
    ratelimit.init_app(app)  # after the API: it wraps the ingest views
    return app
