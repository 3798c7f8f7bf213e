"""``GET /api/v1/browse/datasets|jobs``: facet filters (OR within a facet, AND across), facet counts that
ignore the facet's own filter, a name query, sorting and paging."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import post_events
from tests.receiver.api.conftest import RunEventFactory, dataset, facet


def _owners(*names: str) -> dict[str, Any]:
    return {"ownership": facet("1-0-1/OwnershipJobFacet.json", owners=[{"name": n} for n in names])}


def _tags(*keys: str) -> dict[str, Any]:
    return {"tags": facet("1-0-0/TagsJobFacet.json", tags=[{"key": k, "value": "true"} for k in keys])}


@pytest.fixture
def estate(client: FlaskClient, run_event: RunEventFactory) -> FlaskClient:
    post_events(client, [
        run_event(job=("sales", "extract"), time="2024-05-01T10:00:00Z", inputs=[dataset("pg", "orders")],
                  outputs=[dataset("pg", "orders_clean", datasetType=facet("x.json", datasetType="table"),
                                   **_owners("alice"), **_tags("pii"))],
                  job_facets={**_owners("team:sales"), **_tags("daily"),
                              "jobType": facet("x.json", jobType="TASK", integration="AIRFLOW",
                                               processingType="BATCH")}),
        run_event(job=("sales", "report"), event_type="FAIL", time="2024-05-02T10:00:00Z",
                  inputs=[dataset("pg", "orders_clean")], outputs=[dataset("bq", "report")],
                  job_facets=_owners("team:sales", "bob")),
        run_event(job=("ops", "backup"), time="2024-05-03T10:00:00Z", inputs=[dataset("pg", "orders")],
                  outputs=[dataset("s3", "backup")]),
    ])
    return client


def _get(client: FlaskClient, path: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/browse/{path}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _counts(body: dict[str, Any], facet_name: str) -> dict[str, int]:
    return {v["value"]: v["count"] for v in body["facets"][facet_name]}


def test_jobs_are_filtered_by_owner_and_state_with_counts(estate: FlaskClient) -> None:
    body = _get(estate, "jobs")
    assert body["totalCount"] == 3
    assert _counts(body, "owner") == {"team:sales": 2, "bob": 1, "(none)": 1}
    assert _counts(body, "state") == {"COMPLETED": 2, "FAILED": 1}
    assert _counts(body, "namespace") == {"sales": 2, "ops": 1}
    assert _counts(body, "type") == {"TASK": 1, "JOB": 2}
    assert _counts(body, "tag") == {"daily": 1, "(none)": 2}
    failed = _get(estate, "jobs?state=FAILED")
    assert [j["name"] for j in failed["jobs"]] == ["report"]
    assert failed["jobs"][0]["owners"] == ["team:sales", "bob"]
    # a facet's own counts ignore its filter (so the other states stay offered), others narrow it
    assert _counts(failed, "state") == {"COMPLETED": 2, "FAILED": 1}
    assert _counts(failed, "namespace") == {"sales": 1}
    both = _get(estate, "jobs?state=FAILED&state=COMPLETED&namespace=sales")
    assert {j["name"] for j in both["jobs"]} == {"extract", "report"}


def test_datasets_take_the_state_of_the_run_that_wrote_them(estate: FlaskClient) -> None:
    body = _get(estate, "datasets")
    states = {d["name"]: d["lastRunState"] for d in body["datasets"]}
    assert states == {"orders": None, "orders_clean": "COMPLETED", "report": "FAILED", "backup": "COMPLETED"}
    assert _counts(body, "state")["(none)"] == 1
    clean = _get(estate, "datasets?tag=pii")["datasets"]
    assert [(d["name"], d["type"], d["owners"]) for d in clean] == [("orders_clean", "TABLE", ["alice"])]
    assert _get(estate, "datasets?owner=(none)")["totalCount"] == 3


def test_sorting_paging_and_the_name_query(estate: FlaskClient) -> None:
    names = [d["name"] for d in _get(estate, "datasets?sort=name&order=desc")["datasets"]]
    assert names == sorted(names, reverse=True)
    page = _get(estate, "datasets?sort=name&limit=2&offset=2")
    assert page["totalCount"] == 4 and [d["name"] for d in page["datasets"]] == names[::-1][2:4]
    newest = _get(estate, "jobs?sort=updatedAt&order=desc")["jobs"]
    assert [j["name"] for j in newest] == ["backup", "report", "extract"]
    found = _get(estate, "datasets?q=ORDERS")
    assert {d["name"] for d in found["datasets"]} == {"orders", "orders_clean"}
    assert _counts(found, "namespace") == {"pg": 2}


def test_bad_sort_is_400(estate: FlaskClient) -> None:
    assert estate.get("/api/v1/browse/jobs?sort=password").status_code == 400
    assert estate.get("/api/v1/browse/jobs?order=up").status_code == 400
