"""Who may call what: the one table the access check reads. Deny by default.

- ``PUBLIC`` endpoints answer without a credential.
- ``INGEST`` endpoints need, for POST, a principal that may ingest (an ``ingest`` or ``admin`` API key, or a
  signed-in editor or admin).
- Endpoints of ``ADMIN_BLUEPRINTS`` and ``ADMIN_ENDPOINTS`` need an admin.
- Every other endpoint needs a viewer for reads (GET, HEAD, OPTIONS) and an editor for any other method.

A route added later falls under the last rule without anyone having to remember a decorator.
"""

from __future__ import annotations

import logging
from typing import Final, Literal

from lineagelens.receiver.auth.principal import Role

log = logging.getLogger(__name__)

SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})

PUBLIC: Final = frozenset({
    "health.healthz",
    "health.readyz",
    "static",
    "webui.index",
    "webui.asset_or_route",
    "openapi.openapi_json",
    "openapi.docs_page",
    "auth.auth_config",
    "auth.login",
    "auth.refresh",
    "auth.logout",
    "sso.oidc_login",
    "sso.oidc_callback",
    "sso.airflow_signin",
})

INGEST: Final = frozenset({"ingest.post_lineage", "ingest.post_batch"})

ADMIN_BLUEPRINTS: Final = frozenset({"users", "apikeys", "audit"})
ADMIN_ENDPOINTS: Final = frozenset[str]()

# Live monitoring streams (WebSocket handshakes are GET requests): viewer reads, checked here like any read;
# a refused upgrade is closed with 4000 + the status (receiver/api/live.py).
STREAMS: Final = frozenset({"live.monitoring", "live.lineage", "live.events"})

# Writes that are not recorded by the generic audit hook: ingest (one row per event would grow the audit
# table with every event: the ingest metrics count it) and the sign-in routes, which record themselves.
NOT_AUDITED: Final = INGEST | frozenset({"auth.login", "auth.refresh", "auth.logout"})

Need = Role | Literal["public", "ingest"]


def required(endpoint: str, method: str) -> Need:
    """What a request to ``endpoint`` with ``method`` needs."""
    if endpoint in PUBLIC:
        return "public"
    if endpoint in STREAMS:
        return Role.viewer
    safe = method.upper() in SAFE_METHODS
    if endpoint in INGEST and not safe:
        return "ingest"
    if endpoint in ADMIN_ENDPOINTS or endpoint.split(".", 1)[0] in ADMIN_BLUEPRINTS:
        return Role.admin
    return Role.viewer if safe else Role.editor
