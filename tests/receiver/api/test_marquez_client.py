"""The real ``marquez-python`` client (0.50.0) against a real receiver over HTTP, after the CLL scenario.

The client URL-encodes namespaces and names (``file`` / ``%2Ftmp%2Fcll_test%2Ftbl1``); the receiver must
answer in Marquez's shapes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import requests
from flask import Flask
from marquez_client import MarquezClient
from marquez_client.errors import APIError
from werkzeug.serving import make_server

from lineagelens.receiver import services
from tests.conftest import TEST_ADMIN_KEY, scenario

SPARK_NS = "testColumnLevelLineage"
APP_JOB = "open_lineage_integration_create_table"
CTAS_JOB = f"{APP_JOB}.execute_create_hive_table_as_select_command.default_tbl1"
CTAS_RUN = "019127df-0850-72bc-b214-b255290588a6"
TBL1 = "/tmp/cll_test/tbl1"


@pytest.fixture
def base_url(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="receiver", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        for event in scenario("CLL"):
            response = requests.post(f"{url}/api/v1/lineage", json=event, timeout=10,
                                     headers={"Authorization": f"Bearer {app.config[TEST_ADMIN_KEY]}"})
            assert response.status_code == 201, response.text
        yield url
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def marquez(app: Flask, base_url: str) -> MarquezClient:
    """The client reads with a read-only API key, sent as marquez-python sends its api_key."""
    _, key = services.get(app).auth.keys.create(name="marquez-client", scope="read", created_by="tests")
    return MarquezClient(url=base_url, timeout_ms=10_000, api_key=key)


def test_client_lists_namespaces_and_gets_one(marquez):
    names = {n["name"] for n in marquez.list_namespaces()["namespaces"]}
    assert names == {"file", SPARK_NS}
    assert marquez.get_namespace("file")["name"] == "file"


def test_client_lists_jobs_and_gets_a_job_with_its_io_and_latest_run(marquez):
    body = marquez.list_jobs(SPARK_NS)
    assert body["totalCount"] == 4
    assert {j["name"] for j in body["jobs"]} >= {APP_JOB, CTAS_JOB}
    job = marquez.get_job(SPARK_NS, CTAS_JOB)
    assert {d["name"] for d in job["inputs"]} == {"/tmp/cll_test/cll_source1", "/tmp/cll_test/cll_source2"}
    assert job["outputs"] == [{"namespace": "file", "name": TBL1}]
    assert job["parentJobName"] == APP_JOB
    assert job["latestRun"]["id"] == CTAS_RUN and job["latestRun"]["state"] == "COMPLETED"


def test_client_lists_datasets_and_gets_a_dataset_whose_name_has_slashes(marquez):
    listed = marquez.list_datasets("file")
    assert {d["name"] for d in listed["datasets"]} == {
        "/tmp/cll_test/cll_source1", "/tmp/cll_test/cll_source2", TBL1}
    tbl1 = marquez.get_dataset("file", TBL1)
    assert tbl1["id"] == {"namespace": "file", "name": TBL1}
    assert [f["name"] for f in tbl1["fields"]] == ["ident", "trans", "agg"]
    assert tbl1["lastLifecycleState"] == "CREATE"
    # The Spark symlink (a Hive table name) is an alias of the same dataset.
    assert marquez.get_dataset("file:/tmp/cll_test", "default.tbl1")["name"] == TBL1


def test_client_lists_dataset_versions_and_gets_one(marquez):
    versions = marquez.list_dataset_versions("file", TBL1)
    assert versions["totalCount"] == 1
    version = versions["versions"][0]["version"]
    assert marquez.get_dataset_version("file", TBL1, version)["createdByRun"]["id"] == CTAS_RUN


def test_client_lists_job_runs_and_gets_a_run(marquez):
    runs = marquez.list_job_runs(SPARK_NS, CTAS_JOB)
    assert [r["id"] for r in runs["runs"]] == [CTAS_RUN]
    run = marquez.get_job_run(CTAS_RUN)
    assert run["state"] == "COMPLETED"
    assert run["durationMs"] == 564
    assert [d["datasetVersionId"]["name"] for d in run["outputDatasetVersions"]] == [TBL1]


def test_client_raises_its_api_error_for_unknown_things(marquez):
    with pytest.raises(APIError):
        marquez.get_dataset("file", "/tmp/nope")
    with pytest.raises(APIError):
        marquez.get_job("nowhere", "x")
