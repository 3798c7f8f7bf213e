"""The audit log: every write that reached a view (failed ones too), sign-in and sign-out, readable by admins;
ingest is not recorded per event."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import DATA, anonymous_client, load
from tests.receiver.auth.support import PASSWORD, add_user, sign_in


def _entries(client: FlaskClient, **query: Any) -> list[dict[str, Any]]:
    response = client.get("/api/v1/audit", query_string=query)
    assert response.status_code == 200
    return list(response.get_json()["entries"])


def test_writes_are_recorded_with_who_what_and_the_resulting_status(app: Flask, client: FlaskClient) -> None:
    created = client.post("/api/v1/dashboards", json={"name": "d"}).get_json()
    client.delete(f"/api/v1/dashboards/{created['id']}")
    client.delete(f"/api/v1/dashboards/{created['id']}")  # 404: failed writes are worth auditing too
    client.get("/api/v1/dashboards")  # reads are not recorded
    entries = _entries(client, action="dashboards.")
    assert [(e["action"], e["method"], e["status"]) for e in entries] == [
        ("dashboards.delete_dashboard", "DELETE", 404), ("dashboards.delete_dashboard", "DELETE", 204),
        ("dashboards.create_dashboard", "POST", 201)]
    assert entries[0]["target"] == created["id"] and entries[0]["path"] == f"/api/v1/dashboards/{created['id']}"
    assert {(e["actor"], e["via"]) for e in entries} == {("tests-admin", "apikey")}
    assert entries[0]["at"].endswith("Z") and isinstance(entries[0]["id"], int)


def test_sign_in_success_failure_and_sign_out_are_recorded(app: Flask, client: FlaskClient) -> None:
    add_user(app, "ann", "viewer")
    anonymous_client(app).post("/api/v1/auth/login", json={"username": "ann", "password": "wrong password!"})
    ann = sign_in(app, "ann")
    ann.client.post("/api/v1/auth/logout")
    entries = _entries(client, actor="ann")
    assert [(e["action"], e["status"]) for e in entries] == [
        ("auth.logout", 204), ("auth.login", 200), ("auth.login_failed", 401)]


def test_user_and_key_changes_are_recorded_with_their_target(client: FlaskClient) -> None:
    client.post("/api/v1/users", json={"name": "bob", "role": "viewer", "password": PASSWORD})
    key = client.post("/api/v1/api-keys", json={"name": "k", "scope": "read"}).get_json()
    client.delete(f"/api/v1/api-keys/{key['id']}")
    entries = _entries(client)
    assert [(e["action"], e["target"]) for e in entries[:3]] == [
        ("apikeys.revoke_api_key", key["id"]), ("apikeys.create_api_key", key["id"]), ("users.create_user", "bob")]
    assert _entries(client, action="users.create_user", limit=1)[0]["target"] == "bob"


def test_ingest_is_not_recorded_per_event(client: FlaskClient) -> None:
    event = load(DATA / "examples" / "pyclient_example_full_event.json")
    assert client.post("/api/v1/lineage", json=event).status_code == 201
    assert client.get("/api/v1/audit").get_json()["total"] == 0


def test_paging_and_admins_only(app: Flask, client: FlaskClient) -> None:
    for name in ("a", "b", "c"):
        client.post("/api/v1/dashboards", json={"name": name})
    body = client.get("/api/v1/audit?limit=2&offset=1").get_json()
    assert body["total"] == 3 and len(body["entries"]) == 2
    eddie = sign_in(app, "eddie", "editor")
    assert eddie.client.get("/api/v1/audit").status_code == 403
