"""Helpers for the auth tests: users that sign in through the real sign-in route, and API keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from lineagelens.receiver import services
from tests.conftest import anonymous_client

PASSWORD = "correct horse battery"


@dataclass
class Session:
    client: FlaskClient
    csrf: str
    body: dict[str, Any]

    def write(self, method: str, path: str, **kwargs: Any) -> Any:
        """An unsafe request with the CSRF header, as the UI sends it."""
        headers = {"X-CSRF-Token": self.csrf, **kwargs.pop("headers", {})}
        return self.client.open(path, method=method, headers=headers, **kwargs)


def add_user(app: Flask, name: str, role: str, password: str = PASSWORD) -> None:
    services.get(app).auth.users.create(name=name, role=role, password=password)


def sign_in(app: Flask, name: str, role: str | None = None, password: str = PASSWORD) -> Session:
    """A browser-like client signed in as ``name`` (created first with ``role`` when given)."""
    if role is not None:
        add_user(app, name, role, password)
    client = anonymous_client(app)
    response = client.post("/api/v1/auth/login", json={"username": name, "password": password})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    return Session(client=client, csrf=body["csrfToken"], body=body)


def api_key(app: Flask, scope: str, namespaces: list[str] | None = None, name: str | None = None) -> str:
    _, key = services.get(app).auth.keys.create(name=name or f"{scope}-key", scope=scope, namespaces=namespaces,
                                                created_by="tests")
    return key


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
