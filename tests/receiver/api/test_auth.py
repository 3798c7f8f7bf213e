"""Sign-in, refresh and sign-out with cookies; sessions that really end; CSRF on writes; AUTH=off."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient

from lineagelens.receiver import services
from lineagelens.receiver.auth import passwords
from tests.conftest import anonymous_client, close_app, make_app
from tests.receiver.auth.support import PASSWORD, add_user, sign_in

DASHBOARD = {"name": "d", "nodes": [], "edges": []}


def _cookie(client: FlaskClient, name: str, path: str = "/") -> Any:
    return client.get_cookie(name, path=path)


def test_auth_config_says_auth_is_on_and_no_single_sign_on_yet(app: Flask) -> None:
    assert anonymous_client(app).get("/api/v1/auth/config").get_json() == {
        "auth": True, "oidc": False, "signInUrl": None}


def test_sign_in_answers_the_user_and_sets_the_three_cookies(app: Flask) -> None:
    add_user(app, "ann", "editor")
    client = anonymous_client(app)
    response = client.post("/api/v1/auth/login", json={"username": "ann", "password": PASSWORD})
    assert response.status_code == 200
    body = response.get_json()
    assert body["user"] == {"name": "ann", "role": "editor"}
    expires = datetime.fromisoformat(body["expiresAt"])
    assert 0 < (expires - datetime.now(UTC)).total_seconds() <= 15 * 60
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    session, refresh, csrf = (cookies[n] for n in ("lineagelens_session", "lineagelens_refresh", "lineagelens_csrf"))
    assert "HttpOnly" in session and "SameSite=Strict" in session and "Path=/;" in session + ";"
    assert "HttpOnly" in refresh and "SameSite=Strict" in refresh and "Path=/api/v1/auth" in refresh
    assert "HttpOnly" not in csrf and "SameSite=Strict" in csrf and f"lineagelens_csrf={body['csrfToken']}" in csrf
    assert "Secure" not in session  # plain http here; https requests get Secure cookies
    token = _cookie(client, "lineagelens_session").value
    claims = jwt.decode(token, services.get(app).keyring.derive("session-jwt"), algorithms=["HS256"])
    assert claims["sub"] == "ann" and claims["role"] == "editor" and claims["csrf"] == body["csrfToken"]
    assert {"sid", "exp", "iat", "jti"} <= set(claims)
    me = client.get("/api/v1/auth/me").get_json()
    assert me == {"user": {"name": "ann", "role": "editor"}, "via": "session"}


def test_cookies_are_secure_over_https(app: Flask) -> None:
    add_user(app, "ann", "viewer")
    response = anonymous_client(app).post("/api/v1/auth/login", base_url="https://localhost",
                                          json={"username": "ann", "password": PASSWORD})
    assert all("Secure" in c for c in response.headers.getlist("Set-Cookie"))


def test_wrong_password_and_unknown_user_get_the_same_401_and_both_run_argon2(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    add_user(app, "ann", "viewer")
    verified: list[str] = []
    real = passwords._hasher

    class Counting:
        def hash(self, password: str) -> str:
            return real.hash(password)

        def verify(self, stored: str, password: str) -> bool:
            verified.append(stored)
            return real.verify(stored, password)

    monkeypatch.setattr(passwords, "_hasher", Counting())
    client = anonymous_client(app)
    wrong = client.post("/api/v1/auth/login", json={"username": "ann", "password": "not the password"})
    unknown = client.post("/api/v1/auth/login", json={"username": "nobody", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    assert wrong.get_json()["code"] == "invalid_credentials"
    assert len(verified) == 2 and all(h.startswith("$argon2") for h in verified)
    assert client.get("/api/v1/auth/me").status_code == 401


def test_me_without_a_credential_is_401(app: Flask) -> None:
    response = anonymous_client(app).get("/api/v1/auth/me")
    assert response.status_code == 401 and response.get_json()["code"] == "unauthorized"


def test_sign_out_revokes_the_session_and_its_access_token_is_refused_at_once(app: Flask) -> None:
    ann = sign_in(app, "ann", "viewer")
    token = _cookie(ann.client, "lineagelens_session").value
    assert ann.client.get("/api/v1/namespaces").status_code == 200
    assert ann.client.post("/api/v1/auth/logout").status_code == 204
    assert _cookie(ann.client, "lineagelens_session") is None  # cleared
    replay = anonymous_client(app)
    replay.set_cookie("lineagelens_session", token)
    response = replay.get("/api/v1/namespaces")
    assert response.status_code == 401 and response.get_json()["code"] == "session_expired"


def test_refresh_rotates_the_refresh_token_and_the_old_one_is_refused(app: Flask) -> None:
    ann = sign_in(app, "ann", "editor")
    old = _cookie(ann.client, "lineagelens_refresh", "/api/v1/auth").value
    first = ann.client.post("/api/v1/auth/refresh")
    assert first.status_code == 200
    body = first.get_json()
    assert body["user"] == {"name": "ann", "role": "editor"} and body["csrfToken"] != ann.csrf
    new = _cookie(ann.client, "lineagelens_refresh", "/api/v1/auth").value
    assert new != old
    thief = anonymous_client(app)
    thief.set_cookie("lineagelens_refresh", old, path="/api/v1/auth")
    stolen = thief.post("/api/v1/auth/refresh")
    assert stolen.status_code == 401 and stolen.get_json()["code"] == "session_expired"
    assert ann.client.post("/api/v1/auth/refresh").status_code == 200  # the rotated one works


def test_refresh_of_a_signed_out_session_is_refused(app: Flask) -> None:
    ann = sign_in(app, "ann", "viewer")
    refresh = _cookie(ann.client, "lineagelens_refresh", "/api/v1/auth").value
    ann.client.post("/api/v1/auth/logout")
    again = anonymous_client(app)
    again.set_cookie("lineagelens_refresh", refresh, path="/api/v1/auth")
    assert again.post("/api/v1/auth/refresh").status_code == 401
    assert anonymous_client(app).post("/api/v1/auth/refresh").status_code == 401  # no cookie at all


def test_a_changed_password_revokes_the_users_sessions(app: Flask, client: FlaskClient) -> None:
    ann = sign_in(app, "ann", "editor")
    assert client.patch("/api/v1/users/ann", json={"password": "a brand new password"}).status_code == 200
    assert ann.client.get("/api/v1/namespaces").status_code == 401
    assert ann.client.post("/api/v1/auth/refresh").status_code == 401
    sign_in(app, "ann", password="a brand new password")


def test_a_changed_role_revokes_the_users_sessions(app: Flask, client: FlaskClient) -> None:
    ann = sign_in(app, "ann", "editor")
    assert client.patch("/api/v1/users/ann", json={"role": "viewer"}).status_code == 200
    assert ann.client.get("/api/v1/namespaces").status_code == 401
    assert sign_in(app, "ann").body["user"]["role"] == "viewer"


def test_a_forged_or_expired_session_token_is_refused(app: Flask) -> None:
    sign_in(app, "ann", "admin")
    key = services.get(app).keyring.derive("session-jwt")
    now = int(datetime.now(UTC).timestamp())
    claims = {"sub": "ann", "role": "admin", "sid": "x" * 32, "csrf": "c", "iat": now, "exp": now + 600, "jti": "j"}
    for token in (jwt.encode(claims, b"another key" * 3, algorithm="HS256"),
                  jwt.encode({**claims, "exp": now - 10}, key, algorithm="HS256"),
                  jwt.encode(claims, key, algorithm="HS256")):  # well signed, but no such session
        forged = anonymous_client(app)
        forged.set_cookie("lineagelens_session", token)
        assert forged.get("/api/v1/users").status_code == 401


def test_a_write_with_a_session_cookie_needs_the_csrf_header(app: Flask) -> None:
    ann = sign_in(app, "ann", "editor")
    missing = ann.client.post("/api/v1/dashboards", json=DASHBOARD)
    assert missing.status_code == 403 and missing.get_json()["code"] == "csrf_failed"
    wrong = ann.client.post("/api/v1/dashboards", json=DASHBOARD, headers={"X-CSRF-Token": "guess"})
    assert wrong.status_code == 403 and wrong.get_json()["code"] == "csrf_failed"
    assert ann.client.get("/api/v1/dashboards").get_json()["totalCount"] == 0
    right = ann.write("POST", "/api/v1/dashboards", json=DASHBOARD)
    assert right.status_code == 201


def test_an_api_key_needs_no_csrf_header(app: Flask, client: FlaskClient) -> None:
    assert client.post("/api/v1/dashboards", json=DASHBOARD).status_code == 201


def test_a_viewer_reads_but_may_not_write(app: Flask) -> None:
    vera = sign_in(app, "vera", "viewer")
    assert vera.client.get("/api/v1/dashboards").status_code == 200
    response = vera.write("POST", "/api/v1/dashboards", json=DASHBOARD)
    assert response.status_code == 403 and response.get_json()["code"] == "forbidden"


def test_with_auth_off_every_request_is_the_local_admin(tmp_path: Path) -> None:
    app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/s.db", "AUTH": "off"})
    try:
        client = anonymous_client(app)
        assert client.get("/api/v1/auth/config").get_json()["auth"] is False
        assert client.get("/api/v1/auth/me").get_json() == {"user": {"name": "local", "role": "admin"},
                                                            "via": "auth-off"}
        assert client.post("/api/v1/dashboards", json=DASHBOARD).status_code == 201
    finally:
        close_app(app)


def test_auth_setting_accepts_only_on_or_off(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="on or off"):
        make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/s.db", "AUTH": "maybe"})
