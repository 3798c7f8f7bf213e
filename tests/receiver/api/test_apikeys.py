"""API keys: created by admins and shown once, stored hashed, revocable, and ingest keys limited to namespaces."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lineagelens.receiver import services
from lineagelens.receiver.state.tables import api_keys, lineage_events
from tests.conftest import DATA, anonymous_client, load
from tests.receiver.auth.support import api_key, bearer

FIELDS = {"id", "name", "scope", "namespaces", "createdAt", "createdBy", "lastUsedAt", "revokedAt"}


@pytest.fixture
def event() -> dict[str, Any]:
    return load(DATA / "examples" / "pyclient_example_full_event.json")


def _in_namespace(event: dict[str, Any], namespace: str) -> dict[str, Any]:
    found = copy.deepcopy(event)
    found["job"]["namespace"] = namespace
    return found


def _stored(app: Flask) -> int:
    with services.get(app).engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(lineage_events)).scalar_one())


def test_a_key_is_shown_once_and_stored_only_as_a_hash(app: Flask, client: FlaskClient) -> None:
    created = client.post("/api/v1/api-keys", json={"name": "airflow prod", "scope": "ingest",
                                                      "namespaces": ["airflow-prod"]})
    assert created.status_code == 201
    body = created.get_json()
    key = body.pop("key")
    assert key.startswith("ll_") and len(key) > 40
    assert set(body) == FIELDS and body["createdBy"] == "tests-admin" and body["namespaces"] == ["airflow-prod"]
    listed = client.get("/api/v1/api-keys").get_data(as_text=True)
    assert key not in listed and key[3:15] in listed  # the id is its public prefix
    with services.get(app).engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(sa.select(api_keys))]
    assert rows and all(key not in str(value) for row in rows for value in row.values())


def test_a_revoked_key_stops_working_at_once(app: Flask, client: FlaskClient) -> None:
    created = client.post("/api/v1/api-keys", json={"name": "script", "scope": "read"}).get_json()
    reader = anonymous_client(app)
    assert reader.get("/api/v1/namespaces", headers=bearer(created["key"])).status_code == 200
    assert client.delete(f"/api/v1/api-keys/{created['id']}").status_code == 204
    response = reader.get("/api/v1/namespaces", headers=bearer(created["key"]))
    assert response.status_code == 401 and response.get_json()["code"] == "invalid_credentials"
    listed = {k["id"]: k for k in client.get("/api/v1/api-keys").get_json()["apiKeys"]}
    assert listed[created["id"]]["revokedAt"] is not None and listed[created["id"]]["lastUsedAt"] is not None
    assert client.delete("/api/v1/api-keys/nope").status_code == 404


def test_a_key_that_is_almost_right_is_refused(app: Flask) -> None:
    key = api_key(app, "admin")
    reader = anonymous_client(app)
    assert reader.get("/api/v1/users", headers=bearer(key[:-1] + ("A" if key[-1] != "A" else "B"))).status_code == 401
    assert reader.get("/api/v1/users", headers=bearer(key)).status_code == 200


def test_key_requests_are_checked(client: FlaskClient) -> None:
    for body in ({"name": "x", "scope": "root"}, {"name": "", "scope": "read"},
                 {"name": "x", "scope": "read", "namespaces": ["a"]},
                 {"name": "x", "scope": "ingest", "namespaces": "a"},
                 {"name": "x", "scope": "read", "key": "mine"}):
        response = client.post("/api/v1/api-keys", json=body)
        assert response.status_code == 422 and response.get_json()["code"] == "invalid_api_key", body


def test_scopes_read_admin_and_ingest(app: Flask, event: dict[str, Any]) -> None:
    client = anonymous_client(app)
    read, admin, ingest = (api_key(app, s) for s in ("read", "admin", "ingest"))
    assert client.get("/api/v1/namespaces", headers=bearer(read)).status_code == 200
    assert client.post("/api/v1/lineage", json=event, headers=bearer(read)).status_code == 403
    assert client.get("/api/v1/users", headers=bearer(read)).status_code == 403
    assert client.get("/api/v1/users", headers=bearer(admin)).status_code == 200
    assert client.post("/api/v1/lineage", json=event, headers=bearer(admin)).status_code == 201
    assert client.post("/api/v1/lineage", json=event, headers=bearer(ingest)).status_code == 201
    assert client.get("/api/v1/auth/me", headers=bearer(read)).get_json() == {
        "user": {"name": "read-key", "role": "viewer"}, "via": "apikey"}


def test_an_ingest_key_limited_to_namespaces_gets_403_for_a_single_event_outside_them(
        app: Flask, event: dict[str, Any]) -> None:
    key = api_key(app, "ingest", namespaces=["team-a", "team-b"])
    client = anonymous_client(app)
    outside = client.post("/api/v1/lineage", json=_in_namespace(event, "team-c"), headers=bearer(key))
    assert outside.status_code == 403 and outside.get_json()["code"] == "namespace_forbidden"
    assert _stored(app) == 0
    inside = client.post("/api/v1/lineage", json=_in_namespace(event, "team-b"), headers=bearer(key))
    assert inside.status_code == 201 and _stored(app) == 1


def test_a_batch_reports_events_outside_the_keys_namespaces_and_accepts_the_others(
        app: Flask, event: dict[str, Any]) -> None:
    key = api_key(app, "ingest", namespaces=["team-a"])
    dataset_event = {"eventTime": "2024-01-01T00:00:00Z", "producer": "p",
                     "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent",
                     "dataset": {"namespace": "team-z", "name": "t"}}
    batch = [_in_namespace(event, "team-a"), _in_namespace(event, "elsewhere"), dataset_event]
    for path in ("/api/v1/lineage/batch", "/api/v1/lineage"):
        response = anonymous_client(app).post(path, json=batch, headers=bearer(key))
        assert response.status_code == 200
        body = response.get_json()
        assert body["status"] == "PARTIAL_SUCCESS"
        assert body["summary"]["successful"] == 1 and body["summary"]["nonRetriable"] == 2
        assert [f["index"] for f in body["failedEvents"]] == [1, 2]
        assert body["failedEvents"][1]["errors"][0]["path"] == "$.dataset.namespace"
    assert _stored(app) == 1  # the same event twice: one row
