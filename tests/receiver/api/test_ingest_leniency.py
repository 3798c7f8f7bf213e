"""The leniency rule over HTTP: what real producers send is answered 201 with warnings (never a 4xx that the
producer would not retry), counted per rule, stored as sent, and refused only in strict mode."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lineagelens.receiver import services
from tests.conftest import DATA, close_app, load, make_app

EVENT = DATA / "examples" / "pyclient_example_full_event.json"


@pytest.fixture
def event() -> dict[str, Any]:
    found: dict[str, Any] = load(EVENT)
    del found["schemaURL"], found["producer"]
    found["eventTime"] = "2024-05-01T10:11:12.123456789"
    return found


@pytest.fixture
def strict_client(tmp_path: Any) -> Any:
    app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/strict.db", "STRICT_FACETS": "true"})
    yield app.test_client()
    close_app(app)


def test_event_without_schema_url_and_producer_is_accepted_with_warnings(client: FlaskClient, app: Flask,
                                                                         event: dict[str, Any]) -> None:
    response = client.post("/api/v1/lineage", json=event)
    assert response.status_code == 201, response.get_data(as_text=True)
    codes = [w["code"] for w in response.get_json()["warnings"]]
    assert codes == ["missing_producer", "missing_schema_url", "time_precision_truncated", "time_without_zone"]
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'lineagelens_leniency_total{rule="missing_schema_url"} 1.0' in metrics


def test_lenient_event_is_stored_exactly_as_sent(client: FlaskClient, app: Flask, event: dict[str, Any]) -> None:
    client.post("/api/v1/lineage", json=event)
    stored, = services.get(app).events.pending(limit=10) or [None]
    if stored is None:  # already projected: read it back from the log
        payloads, _ = services.get(app).events.between(since=None, until=None, limit=10, offset=0)
        assert json.loads(payloads[0]) == event
    else:
        assert json.loads(stored.payload) == event


def test_job_event_with_a_stray_event_type_reaches_the_graph(client: FlaskClient, app: Flask) -> None:
    job_event = load(DATA / "examples" / "pyclient_serde_example_job_event.json")
    job_event["eventType"] = "COMPLETE"
    response = client.post("/api/v1/lineage", json=job_event, headers={"Prefer": "wait=projected"})
    assert response.status_code == 201 and response.get_json()["kind"] == "job"
    job = job_event["job"]
    found = client.get(f"/api/v1/lineage?nodeId=job:{job['namespace']}:{job['name']}&depth=1").get_json()
    ids = {n["id"] for n in found["graph"]}
    assert {f"dataset:{d['namespace']}:{d['name']}" for d in job_event["inputs"]} <= ids


def test_batch_reports_leniency_warnings_by_index(client: FlaskClient, event: dict[str, Any]) -> None:
    valid = load(EVENT)
    response = client.post("/api/v1/lineage/batch", json=[valid, event])
    body = response.get_json()
    assert body["status"] == "SUCCESS" and body["summary"]["successful"] == 2
    assert {w["index"] for w in body["warnings"]} == {1}


def test_strict_mode_refuses_the_same_event_with_its_paths(strict_client: FlaskClient, event: dict[str, Any],
                                                           ) -> None:
    response = strict_client.post("/api/v1/lineage", json=event)
    assert response.status_code == 422
    paths = {e["path"] for e in response.get_json()["errors"]}
    assert {"$.schemaURL", "$.producer", "$.eventTime"} <= paths
