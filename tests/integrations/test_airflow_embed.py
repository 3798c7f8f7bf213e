"""LineageLens inside a real Airflow 3.3 api-server, clicked through in Chromium: the DAG tab draws the DAG's
lineage graph (coloured by the live run states), its links open the UI's pages inside the frame (Airflow's
sandbox allows no popups and no top navigation), the nav page is one full-height frame beside the DAG list,
and a browser that cannot reach ``ui_url`` gets a clear message instead of a blank frame.

The browser is driven by ``browser/airflow_embed.mjs`` (playwright-core from ``ui/node_modules``, Debian's
Chromium); the receiver signs Airflow users in with the shared secret and allows Airflow's origin in
``LINEAGELENS_FRAME_ANCESTORS``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integrations.conftest import AIRFLOW_NAMESPACE, ASSETS_DAG, AirflowHome, provider_env
from tests.integrations.support import ROOT, Receiver, free_port, http, run, stop_process, wait_for

pytestmark = pytest.mark.timeout(900)

SECRET = "airflow-embed-e2e-shared-secret-0123456789"
SCRIPT = Path(__file__).with_name("browser") / "airflow_embed.mjs"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PRODUCER = "https://github.com/apache/airflow/tree/providers-openlineage/2.20.3"
ERROR = "lineagelens example failure: orders file is empty"
TASKS = ("extract_orders", "summarize_orders")
DATASETS = ("raw_orders.csv", "orders.csv", "order_totals.csv")


def event(event_type: str, job: str, run_id: str, *, parent: str | None = None, inputs: tuple[str, ...] = (),
          outputs: tuple[str, ...] = (), error: str | None = None) -> bytes:
    """An Airflow-shaped OpenLineage event in the e2e namespace (file datasets under /data)."""
    facets: dict[str, object] = {}
    if parent:
        facets["parent"] = {"_producer": PRODUCER, "_schemaURL": "https://openlineage.io/spec/facets/1-1-0/"
                            "ParentRunFacet.json#/$defs/ParentRunFacet",
                            "run": {"runId": parent}, "job": {"namespace": AIRFLOW_NAMESPACE, "name": ASSETS_DAG}}
    if error:
        facets["errorMessage"] = {"_producer": PRODUCER, "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/"
                                  "ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet",
                                  "message": error, "programmingLanguage": "python"}
    body = {"eventType": event_type, "eventTime": "2026-01-01T00:00:00Z", "producer": PRODUCER,
            "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
            "run": {"runId": run_id, "facets": facets}, "job": {"namespace": AIRFLOW_NAMESPACE, "name": job},
            "inputs": [{"namespace": "file", "name": f"/data/{n}"} for n in inputs],
            "outputs": [{"namespace": "file", "name": f"/data/{n}"} for n in outputs]}
    return json.dumps(body).encode()


@dataclass
class Setup:
    airflow: str
    receiver: Receiver
    token: str


@pytest.fixture(scope="module")
def setup(airflow_home: AirflowHome, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    if not (ROOT / "ui" / "dist" / "index.html").exists() or not (ROOT / "ui" / "node_modules").exists():
        pytest.fail("the UI is not built: run scripts/ui-build.sh first", pytrace=False)
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)", pytrace=False)
    port = free_port()
    airflow = f"http://127.0.0.1:{port}"
    receiver = Receiver(tmp_path_factory.mktemp("receiver-airflow-embed"),
                        settings={"AIRFLOW_SHARED_SECRET": SECRET, "FRAME_ANCESTORS": airflow}).start()
    dag_run, extract_run, summarize_run = (str(uuid.uuid4()) for _ in range(3))
    for body in (event("COMPLETE", ASSETS_DAG, dag_run),
                 event("COMPLETE", f"{ASSETS_DAG}.extract_orders", extract_run, parent=dag_run,
                       inputs=("raw_orders.csv",), outputs=("orders.csv",)),
                 event("FAIL", f"{ASSETS_DAG}.summarize_orders", summarize_run, parent=dag_run,
                       inputs=("orders.csv",), outputs=("order_totals.csv",), error=ERROR)):
        status, _, answer = http("POST", f"{receiver.url}/api/v1/lineage", body=body,
                                 headers={"Content-Type": "application/json", **receiver.auth(receiver.ingest_key)})
        assert status == 201, answer
    receiver.settle()
    env = airflow_home.env(**provider_env(receiver.url), AIRFLOW__LINEAGELENS__API_KEY=receiver.read_key,
                           AIRFLOW__LINEAGELENS__SHARED_SECRET=SECRET, AIRFLOW__LINEAGELENS__ROLE_MAP="admin=viewer",
                           AIRFLOW__API__WORKERS="1", AIRFLOW__API__BASE_URL=airflow)
    # the DAG tab belongs to a DAG Airflow knows: serialize the example DAGs into its database
    code, _, output = run([airflow_home.airflow, "dags", "reserialize"], env=env, cwd=airflow_home.home,
                          log_path=airflow_home.home / "reserialize.log")
    assert code == 0, output[-3000:]
    log_path = airflow_home.home / "api-server-embed.log"
    with log_path.open("wb") as out:
        proc = subprocess.Popen([airflow_home.airflow, "api-server", "--host", "127.0.0.1", "--port", str(port)],
                                env=env, cwd=airflow_home.home, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        wait_for(f"{airflow}/api/v2/monitor/health", proc, log_path, timeout=120)
        status, _, body = http("POST", f"{airflow}/auth/token", headers={"Content-Type": "application/json"},
                               body=json.dumps({"username": "admin", "password": "lineagelens-e2e"}).encode())
        assert status in (200, 201), body
        assert http("GET", f"{airflow}/api/v2/dags/{ASSETS_DAG}",
                    headers={"Authorization": f"Bearer {json.loads(body)['access_token']}"})[0] == 200
        yield Setup(airflow=airflow, receiver=receiver, token=json.loads(body)["access_token"])
    finally:
        stop_process(proc)
        receiver.stop()


def test_lineage_inside_airflow_clicked_through_in_chromium(setup: Setup) -> None:
    config = {"airflow": setup.airflow, "receiver": setup.receiver.url, "token": setup.token, "dag": ASSETS_DAG,
              "namespace": AIRFLOW_NAMESPACE, "tasks": list(TASKS), "datasets": list(DATASETS),
              "failedTask": "summarize_orders", "error": ERROR}
    proc = subprocess.run(["node", str(SCRIPT)], env={**os.environ, "LL_EMBED": json.dumps(config)},
                          capture_output=True, text=True, timeout=600, check=False)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    assert lines, f"no report (exit {proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    report = json.loads(lines[-1])
    print("\n".join(report["checks"]))
    assert proc.returncode == 0 and "error" not in report, (
        "\n".join(report["checks"]) + "\n" + report.get("error", "") + "\n" + proc.stderr[-2000:])
    assert any(check.startswith("Airflow frames the DAG tab with sandbox") for check in report["checks"])
