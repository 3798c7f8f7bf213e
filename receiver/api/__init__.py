"""HTTP API: one module per resource, each a blueprint with its marshmallow schemas."""

from __future__ import annotations

from flask import Flask

from lineagelens.receiver.api import (  # datasets: its handlers register with namespaces' dispatch
    alert_rules,
    apikeys,
    audit,
    auth,
    browse,
    channels,
    dashboards,
    datasets,  # noqa: F401
    events,
    health,
    identity,
    incidents,
    ingest,
    jobs,
    lineage,
    live,
    namespaces,
    notifications,
    openapi,
    plugins,
    runs,
    search,
    sla,
    sources,
    sso,
    users,
)

BLUEPRINTS = (ingest.bp, lineage.bp, namespaces.bp, jobs.bp, events.bp, search.bp, sources.bp,
              dashboards.bp, plugins.bp, health.bp, openapi.bp, auth.bp, sso.bp, users.bp, apikeys.bp, audit.bp,
              live.bp, channels.bp, alert_rules.bp, incidents.bp, notifications.bp, sla.bp,
              runs.bp, browse.bp, identity.bp)


def init_app(app: Flask) -> None:
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
