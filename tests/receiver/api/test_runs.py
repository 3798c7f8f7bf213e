"""``GET /api/v1/runs/{runId}`` (the run page) and ``GET /api/v1/runs/durations``."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from flask.testing import FlaskClient

from tests.conftest import post_events, scenario
from tests.receiver.api.conftest import RunEventFactory, dataset, facet


def _times(minute_start: int, seconds: int) -> tuple[str, str]:
    return (f"2024-05-01T10:{minute_start:02d}:00Z", f"2024-05-01T10:{minute_start:02d}:{seconds:02d}Z")


def test_a_failed_run_shows_its_error_timeline_datasets_and_the_jobs_p50_p95(
        client: FlaskClient, run_event: RunEventFactory) -> None:
    job = ("etl", "load")
    for i, seconds in enumerate((10, 20, 30, 40)):
        run_id = str(uuid.uuid4())
        start, end = _times(i, seconds)
        post_events(client, [run_event(job=job, run_id=run_id, event_type="START", time=start),
                             run_event(job=job, run_id=run_id, event_type="COMPLETE", time=end)])
    failed = str(uuid.uuid4())
    error = {"errorMessage": facet("1-0-0/ErrorMessageRunFacet.json", message="division by zero",
                                   programmingLanguage="python", stackTrace="Traceback ...\nZeroDivisionError")}
    post_events(client, [
        run_event(job=job, run_id=failed, event_type="START", time="2024-05-01T11:00:00Z",
                  inputs=[dataset("db", "raw", [("id", "int")])]),
        run_event(job=job, run_id=failed, event_type="RUNNING", time="2024-05-01T11:00:30Z"),
        run_event(job=job, run_id=failed, event_type="FAIL", time="2024-05-01T11:01:00Z",
                  outputs=[dataset("db", "clean", [("id", "int")])], run_facets=error),
    ])
    response = client.get(f"/api/v1/runs/{failed}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["state"] == "FAILED"
    assert body["error"] == {"message": "division by zero", "programmingLanguage": "python",
                             "stackTrace": "Traceback ...\nZeroDivisionError"}
    assert [e["eventType"] for e in body["timeline"]] == ["START", "RUNNING", "FAIL"]
    assert body["timeline"][0]["eventTime"].startswith("2024-05-01T11:00:00")
    assert body["job"] == {"id": "job:etl:load", "namespace": "etl", "name": "load"}
    assert body["durationMs"] == 60_000
    assert body["jobDurations"] == {"count": 4, "p50Ms": 25_000, "p95Ms": 38_500}
    assert [d["datasetVersionId"]["name"] for d in body["inputDatasetVersions"]] == ["raw"]
    outputs = body["outputDatasetVersions"]
    assert [d["datasetVersionId"]["name"] for d in outputs] == ["clean"] and outputs[0]["datasetVersionId"]["version"]
    assert body["parent"] is None and body["children"] == [] and body["orchestrator"] is None


def test_an_airflow_task_run_links_its_dag_run_and_the_task_log(client: FlaskClient) -> None:
    events = scenario("airflow")
    post_events(client, events)
    task = next(e for e in events if "parent" in e["run"]["facets"] and "airflow" in e["run"]["facets"])
    run_id = task["run"]["runId"]
    body = client.get(f"/api/v1/runs/{run_id}").get_json()
    assert body["orchestrator"]["kind"] == "airflow"
    assert body["orchestrator"]["url"] == task["run"]["facets"]["airflow"]["taskInstance"]["log_url"]
    parent_id = task["run"]["facets"]["parent"]["run"]["runId"]
    assert body["parent"]["id"] == parent_id
    parent = client.get(f"/api/v1/runs/{parent_id}").get_json()
    assert run_id in {c["id"] for c in parent["children"]}


def test_only_http_links_are_offered(client: FlaskClient, run_event: RunEventFactory) -> None:
    run_id = str(uuid.uuid4())
    bad = {"airflow": facet("x.json", taskInstance={"log_url": "javascript:alert(1)"})}
    post_events(client, [run_event(run_id=run_id, run_facets=bad)])
    assert client.get(f"/api/v1/runs/{run_id}").get_json()["orchestrator"] is None


def test_an_unknown_run_is_404(client: FlaskClient) -> None:
    response = client.get(f"/api/v1/runs/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.get_json()["code"]


def test_durations_of_several_jobs(client: FlaskClient, run_event: RunEventFactory) -> None:
    for job, seconds in ((("a", "one"), (10, 20)), (("b", "two"), (5,))):
        for i, s in enumerate(seconds):
            run_id = str(uuid.uuid4())
            start, end = _times(i, s)
            post_events(client, [run_event(job=job, run_id=run_id, event_type="START", time=start,
                                           outputs=[dataset("db", f"{job[1]}_out", [("x", "int")])]),
                                 run_event(job=job, run_id=run_id, event_type="COMPLETE", time=end)])
    ids = ["job:a:one", "job:b:two", "job:nope:none"]
    body = client.get("/api/v1/runs/durations?" + "&".join(f"jobId={quote(i)}" for i in ids)).get_json()
    assert body["jobs"] == {"job:a:one": {"count": 2, "p50Ms": 15_000, "p95Ms": 19_500},
                            "job:b:two": {"count": 1, "p50Ms": 5_000, "p95Ms": 5_000}}
    assert client.get("/api/v1/runs/durations").status_code == 400
