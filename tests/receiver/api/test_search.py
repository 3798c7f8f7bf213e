"""GET /api/v1/search on every backend."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.conftest import post_events, scenario


def test_search_finds_datasets_jobs_and_fields_ranked_by_match(any_client: FlaskClient) -> None:
    post_events(any_client, scenario("CLL"))
    body = any_client.get("/api/v1/search", query_string={"q": "tbl1"}).get_json()
    ids = [r["id"] for r in body["results"]]
    assert "dataset:file:/tmp/cll_test/tbl1" in ids
    assert any(r["type"] == "JOB" for r in body["results"])
    fields = any_client.get("/api/v1/search", query_string={"q": "agg", "filter": "field"}).get_json()
    assert fields["results"][0] == {
        "type": "DATASET_FIELD", "id": "datasetField:file:/tmp/cll_test/tbl1:agg",
        "nodeId": "datasetField:file:/tmp/cll_test/tbl1:agg", "namespace": "file", "name": "agg",
        "updatedAt": fields["results"][0]["updatedAt"], "datasetId": "dataset:file:/tmp/cll_test/tbl1"}


def test_search_filter_limits_kinds_and_limit_caps_results(any_client: FlaskClient) -> None:
    post_events(any_client, scenario("CLL"))
    jobs = any_client.get("/api/v1/search", query_string={"q": "cll", "filter": "JOB", "limit": 2}).get_json()
    assert len(jobs["results"]) == 2 and {r["type"] for r in jobs["results"]} == {"JOB"}


def test_search_treats_like_wildcards_literally(any_client: FlaskClient) -> None:
    post_events(any_client, scenario("CLL"))
    assert any_client.get("/api/v1/search", query_string={"q": "%"}).get_json()["results"] == []
    assert any_client.get("/api/v1/search", query_string={"q": "_"}).get_json()["results"] != []


def test_search_without_query_is_a_400_naming_q(client: FlaskClient) -> None:
    response = client.get("/api/v1/search")
    assert response.status_code == 400 and response.get_json()["errors"][0]["path"] == "q"
