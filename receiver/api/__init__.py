"""HTTP API: one module per resource, each a blueprint with its marshmallow schemas."""

from __future__ import annotations

from flask import Flask

from lineagelens.receiver.api import (
    dashboards,
    datasets,
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
)

BLUEPRINTS = (ingest.bp, lineage.bp, namespaces.bp, jobs.bp, datasets.bp, events.bp, search.bp, sources.bp,
              dashboards.bp, plugins.bp, health.bp, openapi.bp)


def init_app(app: Flask) -> None:
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
