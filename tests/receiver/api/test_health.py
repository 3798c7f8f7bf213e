"""Liveness, readiness (with the projection backlog) and Prometheus metrics."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.conftest import DATA, load


def test_healthz_is_always_ok(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_readyz_reports_both_stores_and_the_backlog(any_client: FlaskClient) -> None:
    body = any_client.get("/readyz").get_json()
    assert body["status"] == "ready"
    assert body["checks"]["state"]["ok"] and body["checks"]["graph"]["ok"]
    assert body["checks"]["projection"]["backlog"] == 0


def test_metrics_count_events_by_kind_and_outcome(client: FlaskClient) -> None:
    event = load(DATA / "examples" / "pyclient_serde_example_dataset_event.json")
    client.post("/api/v1/lineage", json=event)
    client.post("/api/v1/lineage", json=event)
    text = client.get("/metrics").get_data(as_text=True)
    assert 'lineagelens_events_total{kind="dataset",outcome="accepted"} 1.0' in text
    assert 'lineagelens_events_total{kind="dataset",outcome="duplicate"} 1.0' in text
    assert "lineagelens_projection_backlog 0.0" in text
