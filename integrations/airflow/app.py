"""The FastAPI app the Airflow plugin mounts on the api-server at ``/lineagelens``.

Every route sits behind Airflow's authentication (``requires_authenticated()``; the DAG routes also check
read access to that DAG with ``requires_access_dag``), so the pages are exactly as private as Airflow's own.
The pages are one full-height frame of the LineageLens UI (see :mod:`.views` for what Airflow's iframe sandbox
allows); the browser checks that it can reach the UI before loading it (``check.js``). The receiver is called
server-side only for the nav page's DAG list and the JSON route, with a short timeout; when it is missing or
unreachable the pages say so (HTTP 200) and the JSON route answers 503 — never a 500, and Airflow itself is
not slowed.

Built only when the first request arrives (see :class:`lineagelens.integrations.airflow.plugin.LazyApp`).
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from fastapi import Depends, FastAPI  # type: ignore[import-not-found, unused-ignore]
from fastapi.responses import (  # type: ignore[import-not-found, unused-ignore]
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)

from lineagelens.integrations.airflow import views
from lineagelens.integrations.airflow.client import (
    ReceiverClient,
    ReceiverSettings,
    ReceiverUnavailable,
    dag_lineage,
    root_jobs,
    settings_from,
)
from lineagelens.integrations.airflow.signin import SignInSettings, signin_settings, signin_url

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


def airflow_signin_settings() -> SignInSettings | None:
    """``[lineagelens] shared_secret`` and ``role_map``: None when the embedded UI signs in by itself."""
    from airflow.configuration import conf  # type: ignore[import-not-found, unused-ignore]

    def get(section: str, key: str) -> str | None:
        value = conf.get(section, key, fallback=None)
        return None if value is None else str(value)

    return signin_settings(get)


def _dag_access() -> Any:
    from airflow.api_fastapi.core_api.security import (  # type: ignore[import-not-found, unused-ignore]
        requires_access_dag,
    )

    return requires_access_dag(method="GET")


def create_app() -> Any:
    """The plugin's FastAPI application (all routes authenticated by Airflow)."""
    from airflow.api_fastapi.core_api.security import (  # type: ignore[import-not-found, unused-ignore]
        get_user,
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
        except ReceiverUnavailable as exc:
            # The browser may still reach the UI (check.js decides); only the DAG list is missing.
            log.warning("LineageLens index: %s", exc)
            return HTMLResponse(views.index_page(settings, status="unreachable", roots=[], truncated=False,
                                                 server_error=str(exc)))
        return HTMLResponse(views.index_page(settings, status=status, roots=roots, truncated=truncated))

    @app.get("/dags/{dag_id}", response_class=HTMLResponse, dependencies=[Depends(_dag_access())])
    def dag_tab(dag_id: str) -> HTMLResponse:
        settings = airflow_settings()
        if settings is None:
            return HTMLResponse(views.unavailable(None, "not configured", title=f"Lineage of {dag_id}"))
        return HTMLResponse(views.dag_page(settings, dag_id))

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

    @app.get("/open")
    def open_ui(next: str = "/", user: Any = Depends(get_user)) -> Response:  # noqa: B008 (FastAPI style)
        """Open the LineageLens UI at ``next`` signed in as this Airflow user (the embedded iframe's source)."""
        settings = airflow_settings()
        if settings is None:
            return HTMLResponse(views.unavailable(None, "not configured", title="LineageLens"))
        target = signin_url(settings.browser_url, airflow_signin_settings(), str(user.get_name()), next)
        return RedirectResponse(target, status_code=302, headers={"Cache-Control": "no-store",
                                                                  "Referrer-Policy": "no-referrer"})

    @app.get("/check.js")
    def check_js() -> Response:
        return Response(views.check_script(), media_type="text/javascript",
                        headers={"Cache-Control": "max-age=300"})

    @app.get("/icon.svg")
    def icon() -> Response:
        return Response(ICON, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})

    return app
