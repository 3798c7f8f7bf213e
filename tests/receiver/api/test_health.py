"""Liveness, readiness (with the projection backlog) and Prometheus metrics."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lineagelens.receiver import services
from lineagelens.receiver.graph.base import GraphUnavailable
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


def test_readyz_names_a_failing_store_but_never_echoes_its_error(app: Flask, client: FlaskClient,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    s = services.get(app)
    secret = "connection to server at \"db.internal.example\" (10.20.30.40), port 5432 failed: user lineagelens"

    def unreachable(*args: object, **kwargs: object) -> None:
        raise sa.exc.OperationalError("SELECT 1", {}, Exception(secret))

    def graph_down() -> None:
        raise GraphUnavailable("bolt://neo4j.internal.example:7687 (10.20.30.41) refused the connection")

    monkeypatch.setattr(s.engine, "connect", unreachable)
    monkeypatch.setattr(s.graph, "ping", graph_down)
    with caplog.at_level(logging.WARNING, logger="lineagelens.receiver.api.health"):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["checks"]["state"] == {"ok": False, "backend": "sqlite"}
    assert body["checks"]["graph"] == {"ok": False, "backend": s.graph.name}
    text = response.get_data(as_text=True)
    for leak in ("10.20.30.4", "internal.example", "5432", "7687", "lineagelens"):
        assert leak not in text
    assert "10.20.30.40" in caplog.text and "10.20.30.41" in caplog.text  # the operator still learns why
