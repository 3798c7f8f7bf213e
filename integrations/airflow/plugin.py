"""The LineageLens Airflow plugin (Airflow 3.1+), registered through the ``airflow.plugins`` entry point::

    [options.entry_points]
    airflow.plugins =
        lineagelens = lineagelens.integrations.airflow.plugin:LineageLensPlugin

It adds, on the api-server only:

- ``fastapi_apps``: the pages at ``/lineagelens/`` (see :mod:`.app`), behind Airflow's authentication;
- ``external_views``: a "LineageLens" nav entry (the receiver's status, the DAGs it knows, its UI), and a
  "Lineage" tab on every DAG page (``/lineagelens/dags/{DAG_ID}``).

Airflow imports plugins in every process (scheduler, dag processor, task runners), so this module only
declares: FastAPI and the page code load on the first request to ``/lineagelens`` (:class:`LazyApp`). No Flask
blueprints or AppBuilder views: those make the Airflow 3 api-server refuse to start without the FAB provider.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from airflow.plugins_manager import AirflowPlugin  # type: ignore[import-not-found, unused-ignore]

log = logging.getLogger(__name__)

URL_PREFIX = "/lineagelens"
APP_FACTORY = "lineagelens.integrations.airflow.app:create_app"

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class LazyApp:
    """An ASGI app that builds the real one (``module:factory``) on its first request."""

    def __init__(self, factory: str) -> None:
        self.factory = factory
        self._app: Any = None

    def load(self) -> Any:
        if self._app is None:
            module, _, name = self.factory.partition(":")
            self._app = getattr(importlib.import_module(module), name)()
            log.info("LineageLens plugin app loaded from %s", self.factory)
        return self._app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.load()(scope, receive, send)


class LineageLensPlugin(AirflowPlugin):  # type: ignore[misc, unused-ignore]
    """LineageLens inside the Airflow 3 UI: a nav entry and a lineage tab on each DAG page."""

    name = "lineagelens"
    fastapi_apps = [{"app": LazyApp(APP_FACTORY), "url_prefix": URL_PREFIX, "name": "LineageLens"}]
    external_views = [
        {
            "name": "LineageLens",
            "href": "lineagelens/",
            "icon": "lineagelens/icon.svg",
            "url_route": "lineagelens",
            "destination": "nav",
        },
        {
            "name": "Lineage",
            "href": "lineagelens/dags/{DAG_ID}",
            "icon": "lineagelens/icon.svg",
            "url_route": "lineagelens-dag",
            "destination": "dag",
        },
    ]
