"""Marquez job reads: ``/namespaces/{ns}/jobs[/{job}[/runs]]``, ``/jobs`` and ``/jobs/runs/{id}``."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from lineagelens.receiver import marquez, services
from lineagelens.receiver.state.queries import Queries
from tests.conftest import post_events
from tests.receiver.api.conftest import dataset, enc, facet


def test_job_inputs_and_outputs_accumulate_over_all_runs(client, run_event):
    post_events(client, [
        run_event(time="2024-05-01T10:00:00Z", inputs=[dataset("db", "a")], outputs=[dataset("db", "x")]),
        run_event(time="2024-05-02T10:00:00Z", inputs=[dataset("db", "b")], outputs=[dataset("db", "x")]),
    ])
    body = client.get("/api/v1/namespaces/etl/jobs").get_json()
    assert body["totalCount"] == 1
    job = body["jobs"][0]
    assert job["id"] == {"namespace": "etl", "name": "load"}
    assert job["inputs"] == [{"namespace": "db", "name": "a"}, {"namespace": "db", "name": "b"}]
    assert job["outputs"] == [{"namespace": "db", "name": "x"}]


def test_job_carries_its_latest_run_with_the_datasets_of_that_run(client, run_event):
    old, new = str(uuid.uuid4()), str(uuid.uuid4())
    post_events(client, [
        run_event(run_id=old, time="2024-05-01T10:00:00Z", inputs=[dataset("db", "a", [("id", "int")])]),
        run_event(run_id=new, event_type="START", time="2024-05-02T10:00:00Z",
                  inputs=[dataset("db", "b")]),
    ])
    job = client.get("/api/v1/namespaces/etl/jobs/load").get_json()
    latest = job["latestRun"]
    assert latest["id"] == new
    assert latest["state"] == "RUNNING"
    assert [d["datasetVersionId"]["name"] for d in latest["inputDatasetVersions"]] == ["b"]


def test_job_presents_type_location_description_and_parent(client, run_event):
    parent_run = str(uuid.uuid4())
    post_events(client, [run_event(
        job=("etl", "dag.task"),
        job_facets={
            "jobType": facet("2-0-3/JobTypeJobFacet.json#/$defs/JobTypeJobFacet", processingType="STREAMING",
                             integration="FLINK", jobType="JOB"),
            "sourceCodeLocation": facet("1-0-1/SourceCodeLocationJobFacet.json#/$defs/SourceCodeLocationJobFacet",
                                        type="git", url="https://github.com/org/repo/blob/main/dag.py"),
            "documentation": facet("1-0-1/DocumentationJobFacet.json#/$defs/DocumentationJobFacet",
                                   description="loads things"),
        },
        run_facets={"parent": facet("1-1-0/ParentRunFacet.json#/$defs/ParentRunFacet",
                                    run={"runId": parent_run}, job={"namespace": "etl", "name": "dag"})},
    )])
    job = client.get("/api/v1/namespaces/etl/jobs/dag.task").get_json()
    assert job["type"] == "STREAM"
    assert job["simpleName"] == "task"
    assert job["parentJobName"] == "dag"
    assert job["location"] == "https://github.com/org/repo/blob/main/dag.py"
    assert job["description"] == "loads things"
    assert job["currentVersion"] is None
    assert "jobType" in job["facets"]


def test_runs_of_a_job_are_newest_first_and_paged(client, run_event):
    ids = [str(uuid.uuid4()) for _ in range(3)]
    post_events(client, [run_event(run_id=r, time=f"2024-05-0{i + 1}T10:00:00Z") for i, r in enumerate(ids)])
    body = client.get("/api/v1/namespaces/etl/jobs/load/runs?limit=2").get_json()
    assert body["totalCount"] == 3
    assert [r["id"] for r in body["runs"]] == [ids[2], ids[1]]
    rest = client.get("/api/v1/namespaces/etl/jobs/load/runs?limit=2&offset=2").get_json()
    assert [r["id"] for r in rest["runs"]] == [ids[0]]


def test_run_by_id_has_marquez_state_times_and_duration(client, run_event):
    run = str(uuid.uuid4())
    post_events(client, [
        run_event(run_id=run, event_type="START", time="2024-05-01T10:00:00Z"),
        run_event(run_id=run, event_type="FAIL", time="2024-05-01T10:00:02.5Z",
                  outputs=[dataset("db", "x", [("id", "int")])]),
    ])
    body = client.get(f"/api/v1/jobs/runs/{run}").get_json()
    assert body["state"] == "FAILED"
    assert body["startedAt"] == "2024-05-01T10:00:00.000000Z"
    assert body["endedAt"] == "2024-05-01T10:00:02.500000Z"
    assert body["durationMs"] == 2500
    assert body["jobVersion"] == {"namespace": "etl", "name": "load", "version": None}
    assert body["outputDatasetVersions"][0]["datasetVersionId"]["name"] == "x"
    assert body["outputDatasetVersions"][0]["datasetVersionId"]["version"]


def test_unknown_run_job_and_namespace_are_404(client, run_event):
    post_events(client, [run_event()])
    assert client.get(f"/api/v1/jobs/runs/{uuid.uuid4()}").status_code == 404
    missing = client.get("/api/v1/namespaces/etl/jobs/nope")
    assert missing.status_code == 404
    assert missing.get_json()["message"] == "job 'nope' not found in namespace 'etl'"
    assert client.get("/api/v1/namespaces/etl/jobs/nope/runs").status_code == 404
    assert client.get("/api/v1/namespaces/nowhere/jobs").get_json()["message"] == \
        "namespace 'nowhere' not found"


def test_all_jobs_lists_every_namespace(client, run_event):
    post_events(client, [run_event(job=("b", "j2")), run_event(job=("a", "j1"))])
    body = client.get("/api/v1/jobs").get_json()
    assert [(j["namespace"], j["name"]) for j in body["jobs"]] == [("a", "j1"), ("b", "j2")]
    assert body["totalCount"] == 2


def test_job_and_namespace_names_with_slashes_resolve_against_what_is_stored(client, run_event):
    post_events(client, [
        run_event(job=("gs://bucket", "etl/daily/load")),
        run_event(job=("gs://bucket", "report/runs")),  # a job whose name ends in /runs
    ])
    base = f"/api/v1/namespaces/{enc('gs://bucket')}/jobs"
    assert client.get(f"{base}/{enc('etl/daily/load')}").get_json()["name"] == "etl/daily/load"
    assert client.get(f"{base}/{enc('etl/daily/load')}/runs").get_json()["totalCount"] == 1
    assert client.get(f"{base}/{enc('report/runs')}").get_json()["name"] == "report/runs"
    assert client.get(f"{base}/{enc('report/runs')}/runs").get_json()["totalCount"] == 1


def test_bad_limit_on_runs_is_400(client, run_event):
    post_events(client, [run_event()])
    response = client.get("/api/v1/namespaces/etl/jobs/load/runs?limit=x")
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["path"] == "limit"


def _statements(app, action) -> int:
    engine = services.get(app).engine
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_job_lists_and_jobs_data_take_the_same_number_of_queries_for_2_or_20_jobs(app, client, run_event):
    post_events(client, [run_event(job=("few", f"j{i}"), inputs=[dataset("db", f"in{i}")]) for i in range(2)])
    post_events(client, [run_event(job=("many", f"j{i}"), inputs=[dataset("db", f"in{i}")]) for i in range(20)])
    queries = Queries(services.get(app).engine)
    few = _statements(app, lambda: client.get("/api/v1/namespaces/few/jobs"))
    many = _statements(app, lambda: client.get("/api/v1/namespaces/many/jobs"))
    assert few == many
    keys = [("many", f"j{i}") for i in range(20)]
    assert _statements(app, lambda: marquez.jobs_data(queries, keys)) == 2
    data = marquez.jobs_data(queries, keys)
    assert data[("many", "j3")]["inputs"] == [{"namespace": "db", "name": "in3"}]
    assert data[("many", "j3")]["latestRun"]["state"] == "COMPLETED"
