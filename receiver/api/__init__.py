"""HTTP API: one module per resource, each a blueprint with its marshmallow schemas."""

from __future__ import annotations

from flask import Flask

from lineagelens.receiver.api import (  # datasets: its handlers register with namespaces' dispatch
    apikeys,
    audit,
    auth,
    dashboards,
    datasets,  # noqa: F401
    events,
    health,
    ingest,
    jobs,
    lineage,
    namespaces,
    openapi,
    plugins,
    search,
    sources,
    users,
)

BLUEPRINTS = (ingest.bp, lineage.bp, namespaces.bp, jobs.bp, events.bp, search.bp, sources.bp,
              dashboards.bp, plugins.bp, health.bp, openapi.bp, auth.bp, users.bp, apikeys.bp, audit.bp)


def init_app(app: Flask) -> None:
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
