"""Rate limits (flask-limiter, one limiter per app): ingest per API key or client address, sign-in per client
address and user name, 429 in the one error shape with Retry-After, off when the setting is empty."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, jsonify
from flask.testing import FlaskClient
from limits import parse_many

from lineagelens.receiver import config, ratelimit
from tests.conftest import anonymous_client, close_app, make_app


@pytest.fixture
def build_app(tmp_path: Path) -> Iterator[Any]:
    """``build_app(**settings)``: a receiver on SQLite with auth off (the limits apply the same either way);
    the tests use clients without the fixtures' admin key, so a request without a key is keyed by address."""
    made: list[Flask] = []

    def build(**settings: Any) -> Flask:
        app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/s{len(made)}.db", "AUTH": "off", **settings})
        made.append(app)
        return app

    yield build
    for app in made:
        close_app(app)


def _post(client: FlaskClient, path: str = "/api/v1/lineage", **headers: str) -> Any:
    return client.post(path, json=[], headers=headers)


def test_ingest_over_the_limit_gets_429_with_retry_after(build_app: Any) -> None:
    client = anonymous_client(build_app(INGEST_RATE_LIMIT="3/minute"))
    assert [_post(client).status_code for _ in range(3)] == [200, 200, 200]
    response = _post(client)
    assert response.status_code == 429
    body = response.get_json()
    assert body["code"] == "too_many_requests" and body["status"] == 429 and body["errors"] == []
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert response.headers["X-Content-Type-Options"] == "nosniff"  # still a hardened answer


def test_single_and_batch_ingest_share_one_budget_per_api_key(build_app: Any) -> None:
    client = anonymous_client(build_app(INGEST_RATE_LIMIT="2/minute"))
    first = {"Authorization": "Bearer producer-one"}
    assert _post(client, **first).status_code == 200
    assert _post(client, "/api/v1/lineage/batch", **first).status_code == 200
    assert _post(client, "/api/v1/lineage/batch", **first).status_code == 429
    assert _post(client, **{"Authorization": "Bearer producer-two"}).status_code == 200  # its own budget
    assert _post(client).status_code == 200  # no key: the client address's budget


def test_reads_are_not_counted_against_ingest(build_app: Any) -> None:
    client = anonymous_client(build_app(INGEST_RATE_LIMIT="1/minute"))
    assert _post(client).status_code == 200
    for _ in range(3):
        assert client.get("/api/v1/namespaces").status_code == 200


def test_an_empty_limit_turns_it_off(build_app: Any) -> None:
    client = anonymous_client(build_app(INGEST_RATE_LIMIT=""))
    assert {_post(client).status_code for _ in range(20)} == {200}


def test_a_limit_that_does_not_parse_stops_the_start(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="INGEST_RATE_LIMIT"):
        make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/s.db", "INGEST_RATE_LIMIT": "lots"})


def test_the_default_ingest_limit_leaves_room_for_the_benchmark_rate() -> None:
    """bench/ingest.py drives ~2,000 single-event requests/s from 8 clients on one address and no key."""
    default = next(s.default for s in config.SETTINGS if s.name == "INGEST_RATE_LIMIT")
    for item in parse_many(default):
        assert item.amount / item.get_expiry() >= 2 * 2000


def test_the_client_address_comes_from_the_proxy_only_when_trusted(build_app: Any) -> None:
    trusting = anonymous_client(build_app(INGEST_RATE_LIMIT="1/minute", PROXY_FIX=1))
    assert _post(trusting, **{"X-Forwarded-For": "10.0.0.1"}).status_code == 200
    assert _post(trusting, **{"X-Forwarded-For": "10.0.0.1"}).status_code == 429
    assert _post(trusting, **{"X-Forwarded-For": "10.0.0.2"}).status_code == 200
    direct = anonymous_client(build_app(INGEST_RATE_LIMIT="1/minute"))
    assert _post(direct, **{"X-Forwarded-For": "10.0.0.1"}).status_code == 200
    assert _post(direct, **{"X-Forwarded-For": "10.0.0.2"}).status_code == 429  # a forged header changes nothing


def test_the_limiter_belongs_to_its_app(build_app: Any) -> None:
    first, second = build_app(INGEST_RATE_LIMIT="1/minute"), build_app(INGEST_RATE_LIMIT="1/minute")
    assert ratelimit.get(first).limiter is not ratelimit.get(second).limiter
    assert _post(anonymous_client(first)).status_code == 200
    assert _post(anonymous_client(second)).status_code == 200  # counters are not shared between apps


def test_the_signin_decorator_limits_per_address_and_user_name(build_app: Any) -> None:
    app = build_app(SIGNIN_RATE_LIMIT="2/minute")

    @ratelimit.signin_rate_limited
    def fake_login() -> Any:
        return jsonify({"ok": True})

    app.add_url_rule("/test-login", "test_login", fake_login, methods=["POST"])
    client = anonymous_client(app)

    def attempt(username: str, address: str = "127.0.0.1") -> int:
        return client.post("/test-login", json={"username": username, "password": "x"},
                           environ_base={"REMOTE_ADDR": address}).status_code

    assert [attempt("alice"), attempt(" Alice "), attempt("alice")] == [200, 200, 429]
    assert attempt("bob") == 200
    assert attempt("alice", address="127.0.0.2") == 200


def test_password_signin_is_rate_limited(build_app: Any) -> None:
    client = anonymous_client(build_app(AUTH="on", SIGNIN_RATE_LIMIT="2/minute"))
    if "auth.login" not in client.application.view_functions:
        pytest.fail("POST /api/v1/auth/login is missing")
    wrong = {"username": "nobody", "password": "wrong password"}
    statuses = [client.post("/api/v1/auth/login", json=wrong).status_code for _ in range(3)]
    assert statuses[:2] != [429, 429] and statuses[2] == 429
    response = client.post("/api/v1/auth/login", json=wrong)
    assert response.get_json()["code"] == "too_many_requests" and int(response.headers["Retry-After"]) >= 1
