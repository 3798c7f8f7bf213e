"""``GET /api/v1/namespaces`` and ``/namespaces/{ns}``, and how paths under it are parsed."""

from __future__ import annotations

from lineagelens.receiver.api.namespaces import candidates
from tests.conftest import post_events
from tests.receiver.api.conftest import dataset, enc


def test_namespaces_span_jobs_and_datasets_with_first_and_last_seen(client, run_event):
    post_events(client, [
        run_event(job=("etl", "a"), time="2024-05-01T10:00:00Z",
                  outputs=[dataset("postgres://db:5432", "public.t")]),
        run_event(job=("etl", "b"), time="2024-05-02T10:00:00Z"),
    ])
    body = client.get("/api/v1/namespaces").get_json()
    assert body["totalCount"] == 2
    by_name = {n["name"]: n for n in body["namespaces"]}
    assert by_name["etl"] == {"name": "etl", "createdAt": "2024-05-01T10:00:00.000000Z",
                              "updatedAt": "2024-05-02T10:00:00.000000Z", "ownerName": "",
                              "description": None, "isHidden": False}
    assert by_name["postgres://db:5432"]["createdAt"] == "2024-05-01T10:00:00.000000Z"


def test_namespace_with_slashes_and_colons_is_found_when_url_encoded(client, run_event):
    post_events(client, [run_event(outputs=[dataset("gs://bucket", "raw/events")])])
    response = client.get(f"/api/v1/namespaces/{enc('gs://bucket')}")
    assert response.status_code == 200
    assert response.get_json()["name"] == "gs://bucket"


def test_unknown_namespace_is_404_with_the_error_shape(client):
    response = client.get("/api/v1/namespaces/nowhere")
    assert response.status_code == 404
    assert response.get_json() == {"code": "not_found", "status": 404,
                                   "message": "namespace 'nowhere' not found", "errors": []}


def test_namespaces_page_with_limit_and_offset_and_count_all(client, run_event):
    post_events(client, [run_event(job=(f"ns{i}", "j")) for i in range(3)])
    body = client.get("/api/v1/namespaces?limit=1&offset=1").get_json()
    assert [n["name"] for n in body["namespaces"]] == ["ns1"]
    assert body["totalCount"] == 3


def test_bad_paging_parameters_are_400_naming_the_parameter(client):
    for query, name in [("limit=abc", "limit"), ("limit=1001", "limit"), ("offset=-1", "offset")]:
        response = client.get(f"/api/v1/namespaces?{query}")
        assert response.status_code == 400, query
        body = response.get_json()
        assert body["code"] == "bad_request"
        assert [e["path"] for e in body["errors"]] == [name]


def test_a_path_is_read_at_every_jobs_and_datasets_marker():
    kinds = {(c.kind, c.namespace, c.name, c.version) for c in candidates("file/datasets//tmp/x/versions/v1")}
    assert ("dataset", "file", "/tmp/x/versions/v1", None) in kinds
    assert ("version", "file", "/tmp/x", "v1") in kinds
    assert ("namespace", "file/datasets//tmp/x/versions/v1", None, None) in kinds
    jobs = {(c.kind, c.namespace, c.name) for c in candidates("a/jobs/b/jobs/c/runs")}
    assert {("runs", "a", "b/jobs/c"), ("runs", "a/jobs/b", "c"), ("job", "a", "b/jobs/c/runs")} <= jobs


def test_a_namespace_that_ends_in_jobs_is_still_reachable(client, run_event):
    post_events(client, [run_event(job=("team/jobs", "x"))])
    assert client.get(f"/api/v1/namespaces/{enc('team/jobs')}").get_json()["name"] == "team/jobs"
    listed = client.get(f"/api/v1/namespaces/{enc('team/jobs')}/jobs").get_json()
    assert [j["name"] for j in listed["jobs"]] == ["x"]
