"""The LineageLens Airflow plugin in a real Airflow 3: loaded from our ``airflow.plugins`` entry point, its pages
served by a started ``airflow api-server`` behind Airflow's authentication (simple auth manager, JWT)."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.integrations.conftest import (
    AIRFLOW_NAMESPACE,
    ASSETS_DAG,
    FAILING_DAG,
    AirflowHome,
    AirflowRuns,
    provider_env,
)
from tests.integrations.support import RecordingProxy, free_port, http, run, stop_process, wait_for

pytestmark = pytest.mark.timeout(600)


def test_airflow_plugins_lists_lineagelens_from_our_entry_point(airflow_home: AirflowHome) -> None:
    code, _, output = run([airflow_home.airflow, "plugins", "-o", "json"], env=airflow_home.env(),
                          cwd=airflow_home.home, log_path=airflow_home.home / "plugins.log")
    assert code == 0, output[-3000:]
    plugins = {p["name"]: p for p in json.loads(output[output.index("["):])}
    plugin = plugins["lineagelens"]
    assert "EntryPoint(name='lineagelens', value='lineagelens.integrations.airflow.plugin:LineageLensPlugin', " \
           "group='airflow.plugins')" in plugin["source"]
    assert plugin["fastapi_apps"] == [{"app": "lineagelens.integrations.airflow.plugin.LazyApp",
                                       "url_prefix": "/lineagelens", "name": "LineageLens"}]
    views = {v["destination"]: v for v in plugin["external_views"]}
    assert views["nav"]["href"] == "lineagelens/"
    assert views["dag"]["href"] == "lineagelens/dags/{DAG_ID}"
    assert plugin["flask_blueprints"] == [] and plugin["appbuilder_views"] == []


def test_importing_the_plugin_builds_no_app(airflow_home: AirflowHome) -> None:
    """Every Airflow process imports plugins; the pages' code loads only on the first request."""
    probe = ("import sys, lineagelens.integrations.airflow.plugin as p; "
             "print(sorted(m for m in sys.modules if m.startswith('lineagelens')), p.LineageLensPlugin."
             "fastapi_apps[0]['app']._app)")
    code, _, output = run([str(airflow_home.python), "-c", probe], env=airflow_home.env(), cwd=airflow_home.home,
                          log_path=airflow_home.home / "plugin-import.log")
    assert code == 0, output
    assert output.strip().splitlines()[-1] == ("['lineagelens', 'lineagelens.integrations', "
                                               "'lineagelens.integrations.airflow', "
                                               "'lineagelens.integrations.airflow.plugin'] None")


@dataclass
class ApiServer:
    url: str
    token: str
    proxy: RecordingProxy

    def get(self, path: str, *, token: str | None = None, cookie: str | None = None) -> tuple[int, str]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if cookie:
            headers["Cookie"] = f"_token={cookie}"
        status, _, body = http("GET", self.url + path, headers=headers, timeout=30)
        return status, body.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def api_server(airflow_home: AirflowHome, airflow_runs: AirflowRuns) -> Iterator[ApiServer]:
    """``airflow api-server`` on 127.0.0.1 with the settings ``lineagelens airflow-config`` prints; the plugin
    reaches the receiver through a proxy the tests can take down."""
    proxy = RecordingProxy(airflow_runs.receiver.url).start()
    port = free_port()
    # the plugin reads the receiver with a read-only key ([lineagelens] api_key)
    env = airflow_home.env(**provider_env(proxy.url), AIRFLOW__LINEAGELENS__API_KEY=airflow_runs.receiver.read_key,
                           AIRFLOW__API__WORKERS="1",
                           AIRFLOW__API__BASE_URL=f"http://127.0.0.1:{port}")
    log_path = airflow_home.home / "api-server.log"
    with log_path.open("wb") as out:
        proc = subprocess.Popen([airflow_home.airflow, "api-server", "--host", "127.0.0.1", "--port", str(port)],
                                env=env, cwd=airflow_home.home, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(f"{url}/api/v2/monitor/health", proc, log_path, timeout=120)
        status, _, body = http("POST", f"{url}/auth/token", headers={"Content-Type": "application/json"},
                               body=json.dumps({"username": "admin", "password": "lineagelens-e2e"}).encode())
        assert status in (200, 201), body
        yield ApiServer(url=url, token=json.loads(body)["access_token"], proxy=proxy)
    finally:
        stop_process(proc)
        proxy.close()


def test_nav_page_needs_airflow_authentication(api_server: ApiServer) -> None:
    assert api_server.get("/lineagelens/")[0] == 401
    assert api_server.get("/lineagelens/", token="not-a-jwt")[0] in (401, 403)
    status, page = api_server.get("/lineagelens/", token=api_server.token)
    assert status == 200
    assert "receiver ready" in page
    # each DAG links into the page's one UI frame (the DAG's graph), never out of Airflow's sandbox
    assert f'data-dag="{ASSETS_DAG}"' in page and f'data-dag="{FAILING_DAG}"' in page
    assert f'href="open?next=%2Fembed%2Fdag%2F{AIRFLOW_NAMESPACE}%2F{ASSETS_DAG}" target="lineagelens-ui"' in page


def test_dag_tab_frames_the_dags_lineage_graph(api_server: ApiServer) -> None:
    # the DAG is a real one of this Airflow
    assert api_server.get(f"/api/v2/dags/{ASSETS_DAG}", token=api_server.token)[0] == 200
    assert api_server.get(f"/lineagelens/dags/{ASSETS_DAG}")[0] == 401
    status, page = api_server.get(f"/lineagelens/dags/{ASSETS_DAG}", token=api_server.token)
    assert status == 200
    # one frame of the UI's graph of this DAG (tests/integrations/test_airflow_embed.py clicks through it)
    assert f'data-src="../open?next=%2Fembed%2Fdag%2F{AIRFLOW_NAMESPACE}%2F{ASSETS_DAG}"' in page
    assert api_server.get("/lineagelens/check.js", token=api_server.token)[0] == 200
    # the browser's iframe authenticates with Airflow's session cookie
    assert api_server.get(f"/lineagelens/dags/{ASSETS_DAG}", cookie=api_server.token)[0] == 200


def test_dag_json_of_the_failing_dag_has_the_error(api_server: ApiServer) -> None:
    status, body = api_server.get(f"/lineagelens/api/dags/{FAILING_DAG}", token=api_server.token)
    assert status == 200
    data: dict[str, Any] = json.loads(body)
    assert data["dag"]["last_run"]["state"] == "FAILED"
    load = next(t for t in data["tasks"] if t["name"] == f"{FAILING_DAG}.load")
    assert load["last_run"]["error"] == "lineagelens example failure: payments file has no amount column"


def test_pages_say_the_receiver_is_unavailable_when_it_is_down(api_server: ApiServer) -> None:
    api_server.proxy.close()
    started = time.monotonic()
    # the DAG tab needs no server-side read (the browser loads the UI); the nav page says what is missing
    assert api_server.get(f"/lineagelens/dags/{ASSETS_DAG}", token=api_server.token)[0] == 200
    status, page = api_server.get("/lineagelens/", token=api_server.token)
    assert status == 200 and "The Airflow server cannot read LineageLens" in page
    assert api_server.get(f"/lineagelens/api/dags/{ASSETS_DAG}", token=api_server.token)[0] == 503
    assert time.monotonic() - started < 10
    # and Airflow itself still answers
    assert api_server.get(f"/api/v2/dags/{ASSETS_DAG}", token=api_server.token)[0] == 200
