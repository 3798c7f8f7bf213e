"""POST /api/v1/lineage and /lineage/batch: acceptance, the batch answer, and every kind of bad input."""

from __future__ import annotations

import copy
import gzip
import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lineagelens.receiver import services
from tests.conftest import DATA, anonymous_client, close_app, load, make_app

EVENT = DATA / "examples" / "pyclient_example_full_event.json"
ERROR_KEYS = {"code", "status", "message", "errors"}


@pytest.fixture
def event() -> dict[str, Any]:
    return load(EVENT)


def _stored(app: Flask) -> int:
    return services.get(app).events.count()


def _assert_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert set(body) == ERROR_KEYS and body["status"] == status
    return body


def test_single_event_is_committed_and_answered_201(client: FlaskClient, app: Flask, event: dict) -> None:
    response = client.post("/api/v1/lineage", json=event)
    assert response.status_code == 201
    assert response.get_json() == {"status": "accepted", "kind": "run", "projected": True, "warnings": []}
    assert _stored(app) == 1


def test_resent_event_is_a_no_op_that_still_succeeds(client: FlaskClient, app: Flask, event: dict) -> None:
    client.post("/api/v1/lineage", json=event)
    # the same JSON with other key order and whitespace is the same event
    body = json.dumps(dict(reversed(list(event.items()))), indent=3)
    response = client.post("/api/v1/lineage", data=body, content_type="application/json")
    assert response.status_code == 201 and response.get_json()["status"] == "duplicate"
    assert _stored(app) == 1


def test_json_array_gets_the_batch_summary(client: FlaskClient, app: Flask, event: dict) -> None:
    broken = copy.deepcopy(event)
    del broken["run"]["runId"]
    response = client.post("/api/v1/lineage", json=[event, broken, event])
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "PARTIAL_SUCCESS"
    assert body["summary"] == {"received": 3, "successful": 2, "failed": 1, "retriable": 0, "nonRetriable": 1}
    assert body["failedEvents"][0]["index"] == 1 and body["failedEvents"][0]["retriable"] is False
    assert body["failedEvents"][0]["errors"] == [{"path": "$.run.runId",
                                                  "message": "Missing data for required field."}]
    assert _stored(app) == 1


def test_batch_endpoint_takes_the_openlineage_batch_shape(client: FlaskClient, app: Flask) -> None:
    events = [load(p) for p in sorted((DATA / "scenarios" / "CLL" / "events").glob("*.json"))]
    response = client.post("/api/v1/lineage/batch", json={"events": events})
    assert response.status_code == 200
    assert response.get_json()["summary"]["successful"] == len(events)
    assert _stored(app) == len(events)


def test_gzip_body_is_accepted(client: FlaskClient, app: Flask, event: dict) -> None:
    response = client.post("/api/v1/lineage", data=gzip.compress(json.dumps(event).encode()),
                           headers={"Content-Encoding": "gzip", "Content-Type": "application/json"})
    assert response.status_code == 201
    assert _stored(app) == 1


def test_broken_standard_facet_is_accepted_with_a_warning_and_counted(client: FlaskClient, app: Flask) -> None:
    response = client.post("/api/v1/lineage", json=load(DATA / "invalid" / "event_invalid_output_dataset_facet.json"))
    assert response.status_code == 201
    warning, = response.get_json()["warnings"]
    assert warning["path"] == "$.outputs[0].outputFacets.outputStatistics"
    assert "rowCount" in warning["message"]
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'lineagelens_facet_warnings_total{facet="outputStatistics"} 1.0' in metrics


def test_strict_facets_answers_422_and_stores_nothing(tmp_path: Any) -> None:
    app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/s.db", "STRICT_FACETS": "true"})
    try:
        response = app.test_client().post(
            "/api/v1/lineage", json=load(DATA / "invalid" / "event_invalid_run_facet.json"))
        body = _assert_error(response, 422)
        assert body["errors"][0]["path"] == "$.run.facets.parent"
        assert _stored(app) == 0
    finally:
        close_app(app)


@pytest.mark.parametrize("path", sorted((DATA / "invalid").glob("*.json")), ids=lambda p: p.name)
def test_every_invalid_reference_event_gets_a_4xx_or_a_warning(client: FlaskClient, path: Any) -> None:
    response = client.post("/api/v1/lineage", json=load(path))
    if path.name == "event_no_run_id.json":
        assert _assert_error(response, 422)["errors"][0]["path"] == "$.run.runId"
    else:
        assert response.status_code == 201 and response.get_json()["warnings"]


def test_core_structure_error_is_422_naming_the_path_and_nothing_is_stored(
        client: FlaskClient, app: Flask) -> None:
    response = client.post("/api/v1/lineage",
                           json=load(DATA / "scenarios" / "simple_run_event" / "events" / "simple_run_event.json"))
    body = _assert_error(response, 422)
    assert body["code"] == "invalid_event" and body["errors"][0]["path"] == "$.run.runId"
    assert _stored(app) == 0


@pytest.mark.parametrize(("data", "headers", "status"), [
    (b"{not json", {"Content-Type": "application/json"}, 400),
    (b"\xff\xfe\x00", {"Content-Type": "application/json"}, 400),
    (b'{"a": NaN}', {"Content-Type": "application/json"}, 400),
    (b"", {"Content-Type": "application/json"}, 400),
    (b"{}", {"Content-Type": "text/plain"}, 415),
    (b"{}", {}, 415),
    (b"{}", {"Content-Type": "application/json", "Content-Encoding": "br"}, 415),
    (b"not gzip", {"Content-Type": "application/json", "Content-Encoding": "gzip"}, 400),
    (b"[" * 10_000 + b"]" * 10_000, {"Content-Type": "application/json"}, 400),
    (b'{"a":' * 10_000 + b"1" + b"}" * 10_000, {"Content-Type": "application/json"}, 400),
    (b"5", {"Content-Type": "application/json"}, 422),
    (b"null", {"Content-Type": "application/json"}, 422),
], ids=["unparseable", "not-utf8", "nan", "empty", "text-plain", "no-content-type", "brotli", "bad-gzip",
        "deep-array", "deep-object", "number", "null"])
def test_bad_bodies_get_a_clear_4xx_in_the_one_error_shape(client: FlaskClient, data: bytes, headers: dict,
                                                           status: int) -> None:
    _assert_error(client.post("/api/v1/lineage", data=data, headers=headers), status)


def test_oversized_body_is_413(tmp_path: Any, event: dict) -> None:
    app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/s.db", "MAX_CONTENT_LENGTH": 8192})
    try:
        client = app.test_client()
        event["run"]["facets"]["big"] = {"blob": "x" * 20_000}
        _assert_error(client.post("/api/v1/lineage", json=event), 413)
        bomb = gzip.compress(json.dumps(event).encode())
        assert len(bomb) < 8192
        _assert_error(client.post("/api/v1/lineage", data=bomb, headers={
            "Content-Encoding": "gzip", "Content-Type": "application/json"}), 413)
        del event["run"]["facets"]["big"]
        assert client.post("/api/v1/lineage", json=event).status_code == 201
    finally:
        close_app(app)


def _wrong_types(event: dict[str, Any]) -> list[dict[str, Any]]:
    """The event with each value, at every depth, swapped for values of other JSON types."""
    variants = []

    def walk(node: Any, path: list[Any]) -> None:
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
        for key, value in items:
            for other in (None, 1, "s", [], {}, True):
                if type(other) is not type(value):
                    variant = copy.deepcopy(event)
                    target = variant
                    for step in path:
                        target = target[step]
                    target[key] = other
                    variants.append(variant)
            walk(value, [*path, key])

    walk(event, [])
    return variants


def test_wrong_types_everywhere_never_yield_a_5xx(client: FlaskClient, app: Flask, event: dict) -> None:
    variants = _wrong_types(event)
    assert len(variants) > 200
    response = client.post("/api/v1/lineage/batch", json=variants)
    assert response.status_code == 200
    summary = response.get_json()["summary"]
    assert summary["received"] == len(variants) and summary["successful"] + summary["failed"] == len(variants)
    for variant in variants[:80]:
        assert client.post("/api/v1/lineage", json=variant).status_code < 500
    assert client.post("/api/v1/lineage", json=event).status_code == 201
    assert client.get("/readyz").status_code == 200


def test_valid_event_is_accepted_right_after_bad_input(client: FlaskClient, event: dict) -> None:
    client.post("/api/v1/lineage", data=b"[" * 100_000, content_type="application/json")
    client.post("/api/v1/lineage", data=b"{}", content_type="text/plain")
    assert client.post("/api/v1/lineage", json=event).status_code == 201


def test_unknown_routes_and_methods_use_the_error_shape(client: FlaskClient) -> None:
    _assert_error(client.get("/api/v1/nope"), 404)
    _assert_error(client.delete("/api/v1/lineage"), 405)


def test_ingest_needs_a_valid_api_key_and_the_configured_ingest_keys_work(tmp_path: Any, event: dict) -> None:
    app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/s.db", "INGEST_API_KEYS": "k1, s3cret-key"})
    try:
        client = anonymous_client(app)
        missing = client.post("/api/v1/lineage", json=event)
        assert _assert_error(missing, 401)["code"] == "unauthorized"
        assert missing.headers["WWW-Authenticate"].startswith("Bearer")
        wrong = client.post("/api/v1/lineage", json=event, headers={"Authorization": "Bearer nope"})
        assert _assert_error(wrong, 401)["code"] == "invalid_credentials"
        _assert_error(client.post("/api/v1/lineage/batch", json=[event]), 401)
        ok = client.post("/api/v1/lineage", json=event, headers={"Authorization": "Bearer s3cret-key"})
        assert ok.status_code == 201
        assert _stored(app) == 1
        batch = client.post("/api/v1/lineage/batch", json=[event], headers={"Authorization": "Bearer k1"})
        assert batch.status_code == 200 and batch.get_json()["summary"]["successful"] == 1
        # an ingest key is for ingest only
        _assert_error(client.get("/api/v1/namespaces", headers={"Authorization": "Bearer s3cret-key"}), 403)
        assert client.get("/healthz").status_code == 200
    finally:
        close_app(app)
