"""The FastAPI app the Airflow plugin mounts on the api-server at ``/lineagelens``.

Every route sits behind Airflow's authentication (``requires_authenticated()``; the DAG routes also check
read access to that DAG with ``requires_access_dag``), so the pages are exactly as private as Airflow's own.
The receiver is called server-side with a short timeout; when it is missing or unreachable the HTML pages say
so (HTTP 200) and the JSON route answers 503 — never a 500, and Airflow itself is not slowed.

Built only when the first request arrives (see :class:`lineagelens.integrations.airflow.plugin.LazyApp`).
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from fastapi import Depends, FastAPI  # type: ignore[import-not-found, unused-ignore]
from fastapi.responses import HTMLResponse, JSONResponse, Response  # type: ignore[import-not-found, unused-ignore]

from lineagelens.integrations.airflow import views
from lineagelens.integrations.airflow.client import (
    ReceiverClient,
    ReceiverSettings,
    ReceiverUnavailable,
    dag_lineage,
    root_jobs,
    settings_from,
)

log = logging.getLogger(__name__)

ICON = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="currentColor" '
        'stroke-width="2"><circle cx="5" cy="6" r="2.5"/><circle cx="5" cy="18" r="2.5"/>'
        '<circle cx="19" cy="12" r="2.5"/><path d="M7.5 6.5 16.5 11M7.5 17.5l9-4.5"/></svg>')


def airflow_settings() -> ReceiverSettings | None:
    """The receiver settings from Airflow's configuration (``[lineagelens]``, then ``[openlineage]``)."""
    from airflow.configuration import conf  # type: ignore[import-not-found, unused-ignore]

    def get(section: str, key: str) -> str | None:
        value = conf.get(section, key, fallback=None)
        return None if value is None else str(value)

    return settings_from(get)


def _dag_access() -> Any:
    from airflow.api_fastapi.core_api.security import (  # type: ignore[import-not-found, unused-ignore]
        requires_access_dag,
    )

    return requires_access_dag(method="GET")


def create_app() -> Any:
    """The plugin's FastAPI application (all routes authenticated by Airflow)."""
    from airflow.api_fastapi.core_api.security import (  # type: ignore[import-not-found, unused-ignore]
        requires_authenticated,
    )

    app = FastAPI(title="LineageLens for Airflow", dependencies=[Depends(requires_authenticated())],
                  docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/", response_class=HTMLResponse)
    def index() -> HTMLResponse:
        settings = airflow_settings()
        if settings is None:
            return HTMLResponse(views.unavailable(None, "not configured", title="LineageLens"))
        client = ReceiverClient(settings)
        try:
            status = str(client.ready().get("status", "unknown"))
            roots, truncated = root_jobs(client)
            embed = client.probe_html("/")
        except ReceiverUnavailable as exc:
            log.warning("LineageLens index: %s", exc)
            return HTMLResponse(views.unavailable(settings, str(exc), title="LineageLens"))
        return HTMLResponse(views.index_page(settings, status=status, roots=roots, truncated=truncated,
                                             embed_ui=embed))

    @app.get("/dags/{dag_id}", response_class=HTMLResponse, dependencies=[Depends(_dag_access())])
    def dag_tab(dag_id: str) -> HTMLResponse:
        settings = airflow_settings()
        title = f"Lineage of {dag_id}"
        if settings is None:
            return HTMLResponse(views.unavailable(None, "not configured", title=title))
        try:
            lineage = dag_lineage(ReceiverClient(settings), dag_id)
        except ReceiverUnavailable as exc:
            log.warning("LineageLens DAG page for %s: %s", dag_id, exc)
            return HTMLResponse(views.unavailable(settings, str(exc), title=title))
        return HTMLResponse(views.dag_page(settings, lineage))

    @app.get("/api/dags/{dag_id}", dependencies=[Depends(_dag_access())])
    def dag_json(dag_id: str) -> JSONResponse:
        settings = airflow_settings()
        if settings is None:
            return JSONResponse({"available": False, "message": "no LineageLens receiver configured"}, 503)
        try:
            lineage = dag_lineage(ReceiverClient(settings), dag_id)
        except ReceiverUnavailable as exc:
            return JSONResponse({"available": False, "message": str(exc)}, 503)
        body = asdict(lineage)
        body.update(available=True, externalInputs=lineage.external_inputs, finalOutputs=lineage.final_outputs)
        return JSONResponse(body)

    @app.get("/icon.svg")
    def icon() -> Response:
        return Response(ICON, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})

    return app
