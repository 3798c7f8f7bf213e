"""Users (admins only): create, list, change, delete; passwords hashed with argon2 and never returned; the last
admin stays."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lineagelens.receiver import services
from lineagelens.receiver.state.tables import users
from tests.receiver.auth.support import PASSWORD, sign_in


def test_admin_creates_lists_and_deletes_users_and_passwords_are_never_returned(
        app: Flask, client: FlaskClient) -> None:
    created = client.post("/api/v1/users", json={"name": "ann", "role": "editor", "password": PASSWORD})
    assert created.status_code == 201
    assert set(created.get_json()) == {"name", "role", "createdAt", "updatedAt"}
    listed = client.get("/api/v1/users").get_json()["users"]
    assert [(u["name"], u["role"]) for u in listed] == [("ann", "editor")]
    assert PASSWORD not in client.get("/api/v1/users").get_data(as_text=True)
    with services.get(app).engine.connect() as conn:
        stored = conn.execute(sa.select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert client.delete("/api/v1/users/ann").status_code == 204
    assert client.get("/api/v1/users").get_json()["users"] == []


def test_user_input_is_checked(client: FlaskClient) -> None:
    def create(**body: object) -> tuple[int, str]:
        response = client.post("/api/v1/users", json=body)
        return response.status_code, response.get_json().get("code", "")

    assert create(name="ann", role="editor", password="short") == (422, "invalid_user")
    assert create(name="ann", role="owner", password=PASSWORD) == (422, "invalid_user")
    assert create(name="bad name!", role="viewer", password=PASSWORD) == (422, "invalid_user")
    assert create(name="ann", role="viewer") == (422, "invalid_user")
    assert create(name="ann", role="viewer", password=PASSWORD, admin=True) == (422, "invalid_user")
    assert create(name="ann", role="viewer", password=PASSWORD)[0] == 201
    assert create(name="ann", role="viewer", password=PASSWORD) == (409, "conflict")
    assert client.patch("/api/v1/users/nobody", json={"role": "viewer"}).status_code == 404


def test_the_last_admin_cannot_be_deleted_or_demoted(app: Flask, client: FlaskClient) -> None:
    client.post("/api/v1/users", json={"name": "root", "role": "admin", "password": PASSWORD})
    demote = client.patch("/api/v1/users/root", json={"role": "editor"})
    assert demote.status_code == 409 and demote.get_json()["code"] == "last_admin"
    assert client.delete("/api/v1/users/root").status_code == 409
    client.post("/api/v1/users", json={"name": "second", "role": "admin", "password": PASSWORD})
    assert client.patch("/api/v1/users/root", json={"role": "editor"}).status_code == 200
    assert client.delete("/api/v1/users/second").status_code == 409  # now the last one


def test_deleting_a_user_ends_their_sessions(app: Flask, client: FlaskClient) -> None:
    ann = sign_in(app, "ann", "viewer")
    assert ann.client.get("/api/v1/namespaces").status_code == 200
    assert client.delete("/api/v1/users/ann").status_code == 204
    assert ann.client.get("/api/v1/namespaces").status_code == 401


def test_only_admins_manage_users(app: Flask) -> None:
    eddie = sign_in(app, "eddie", "editor")
    assert eddie.client.get("/api/v1/users").status_code == 403
    response = eddie.write("POST", "/api/v1/users", json={"name": "x", "role": "admin", "password": PASSWORD})
    assert response.status_code == 403
    assert eddie.write("PATCH", "/api/v1/users/eddie", json={"role": "admin"}).status_code == 403
