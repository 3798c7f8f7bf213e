"""The receiver's side of the Airflow plugin's sign-in: tokens minted by the plugin's own code
(lineagelens.integrations.airflow.signin) start a session for airflow:<user>; forged, expired, replayed, too
long-lived and audience-less tokens are refused; the cookies' SameSite follows LINEAGELENS_COOKIE_SAMESITE.
The same flow through a real Airflow api-server: tests/integrations/test_airflow_signin.py."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient

from lineagelens.integrations.airflow.signin import SignInSettings, mint_token, parse_role_map, signin_url
from lineagelens.receiver import services
from tests.conftest import anonymous_client, backend_config, close_app, make_app

SECRET = "airflow-shared-secret-for-the-tests-0123456789"


def airflow_app(tmp_path: Path, **settings: object) -> Flask:
    tmp_path.mkdir(parents=True, exist_ok=True)
    return make_app({**backend_config("sqlite", tmp_path), "AIRFLOW_SHARED_SECRET": SECRET, **settings})


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    application = airflow_app(tmp_path)
    yield application
    close_app(application)


def plugin(role_map: str = "") -> SignInSettings:
    mapping, default = parse_role_map(role_map)
    return SignInSettings(shared_secret=SECRET, role_map=mapping, default_role=default)


def open_with(client: FlaskClient, token: str, next_path: str = "/", **headers: str) -> object:
    return client.get("/api/v1/auth/airflow", query_string={"token": token, "next": next_path}, headers=headers)


def test_a_plugin_token_starts_a_session_for_the_airflow_user(app: Flask) -> None:
    client = anonymous_client(app)
    response = open_with(client, mint_token(plugin(), "ada"), "/lineage?node=job%3Aairflow%3Aetl")
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response.headers["Location"] == "/lineage?node=job%3Aairflow%3Aetl"  # type: ignore[attr-defined]
    assert client.get("/api/v1/auth/me").get_json() == {"user": {"name": "airflow:ada", "role": "viewer"},
                                                        "via": "session"}
    user = services.get(app).auth.users.get("airflow:ada")
    assert user.password_hash is None
    entries, _ = services.get(app).auth.audit.find(limit=5, offset=0, actor="airflow:ada", action="auth.login")
    assert [(e["via"], e["target"]) for e in entries] == [("airflow", "viewer")]


def test_the_role_comes_from_the_plugins_mapping_capped_by_the_receiver(tmp_path: Path) -> None:
    application = airflow_app(tmp_path, AIRFLOW_MAX_ROLE="editor")
    try:
        settings = plugin("ops=editor,root=admin")
        for user, role in (("ops", "editor"), ("root", "editor"), ("someone", "viewer")):
            client = anonymous_client(application)
            assert open_with(client, mint_token(settings, user)).status_code == 302  # type: ignore[attr-defined]
            assert client.get("/api/v1/auth/me").get_json()["user"] == {"name": f"airflow:{user}", "role": role}
    finally:
        close_app(application)
    raised = airflow_app(tmp_path / "admin", AIRFLOW_MAX_ROLE="admin")
    try:
        client = anonymous_client(raised)
        assert open_with(client, mint_token(plugin("root=admin"), "root")).status_code == 302  # type: ignore
        assert client.get("/api/v1/auth/me").get_json()["user"]["role"] == "admin"
        # the plugin's mapping changed: the next sign-in brings the role down, but never removes the last admin
        refused = open_with(anonymous_client(raised), mint_token(plugin(), "root"))
        assert refused.status_code == 403 and "last admin" in refused.get_json()["message"]  # type: ignore
        services.get(raised).auth.users.create(name="local-admin", role="admin", password="correct horse battery")
        client = anonymous_client(raised)
        assert open_with(client, mint_token(plugin(), "root")).status_code == 302  # type: ignore[attr-defined]
        assert client.get("/api/v1/auth/me").get_json()["user"]["role"] == "viewer"
    finally:
        close_app(raised)


def test_a_token_is_used_once(app: Flask) -> None:
    token = mint_token(plugin(), "ada")
    assert open_with(anonymous_client(app), token).status_code == 302  # type: ignore[attr-defined]
    again = anonymous_client(app)
    response = open_with(again, token)
    assert response.status_code == 401  # type: ignore[attr-defined]
    assert "already used" in response.get_json()["message"]  # type: ignore[attr-defined]
    assert again.get("/api/v1/auth/me").status_code == 401


def test_forged_expired_and_long_lived_tokens_are_refused(app: Flask) -> None:
    now = int(time.time())
    forged = mint_token(SignInSettings(shared_secret="x" * 40), "ada")
    expired = mint_token(plugin(), "ada", now=now - 120)
    long_lived = mint_token(plugin(), "ada", ttl=3600)
    other_audience = jwt.encode({"aud": "airflow", "sub": "ada", "iat": now, "exp": now + 60, "jti": "j" * 20},
                                SECRET, algorithm="HS256")
    no_jti = jwt.encode({"aud": "lineagelens", "sub": "ada", "iat": now, "exp": now + 60}, SECRET,
                        algorithm="HS256")
    unsigned = jwt.encode({"aud": "lineagelens", "sub": "ada", "iat": now, "exp": now + 60, "jti": "j" * 20},
                          None, algorithm="none")
    bad_name = mint_token(plugin(), "ada lovelace")
    for token, message in ((forged, "Signature verification failed"), (expired, "expired"),
                           (long_lived, "lives longer"), (other_audience, "Audience"), (no_jti, "jti"),
                           (unsigned, "not valid"), (bad_name, "not usable"), ("", "no sign-in token")):
        client = anonymous_client(app)
        response = open_with(client, token)
        assert response.status_code == 401, (message, response.get_json())  # type: ignore[attr-defined]
        assert message in response.get_json()["message"]  # type: ignore[attr-defined]
        assert client.get("/api/v1/auth/me").status_code == 401
    assert services.get(app).auth.users.find("airflow:ada") is None
    _, failures = services.get(app).auth.audit.find(limit=1, offset=0, action="auth.airflow_failed")
    assert failures == 8


def test_next_never_leads_to_another_site(app: Flask) -> None:
    for evil in ("https://evil.example/", "//evil.example", "/\\evil.example"):
        response = open_with(anonymous_client(app), mint_token(plugin(), "ada"), evil)
        assert response.headers["Location"] == "/"  # type: ignore[attr-defined]


def test_the_route_is_off_without_a_shared_secret(tmp_path: Path) -> None:
    application = make_app(backend_config("sqlite", tmp_path))
    try:
        response = open_with(anonymous_client(application), mint_token(plugin(), "ada"))
        assert response.status_code == 404  # type: ignore[attr-defined]
    finally:
        close_app(application)
    with pytest.raises(ValueError, match="at least 32"):
        airflow_app(tmp_path / "short", AIRFLOW_SHARED_SECRET="short")


def test_cookies_are_strict_by_default_and_cross_site_ready_when_configured(app: Flask, tmp_path: Path) -> None:
    response = open_with(anonymous_client(app), mint_token(plugin(), "ada"), **{"Sec-Fetch-Site": "same-site"})
    cookies = response.headers.getlist("Set-Cookie")  # type: ignore[attr-defined]
    assert len(cookies) == 3 and all("SameSite=Strict" in c and "Secure" not in c for c in cookies)
    # opened from another site with Strict cookies: the browser would drop them, so say how to deploy instead
    cross = open_with(anonymous_client(app), mint_token(plugin(), "ada"), **{"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 400  # type: ignore[attr-defined]
    assert "LINEAGELENS_COOKIE_SAMESITE=none" in cross.get_json()["message"]  # type: ignore[attr-defined]
    embedded = airflow_app(tmp_path / "none", COOKIE_SAMESITE="none")
    try:
        response = open_with(anonymous_client(embedded), mint_token(plugin(), "ada"),
                             **{"Sec-Fetch-Site": "cross-site"})
        assert response.status_code == 302  # type: ignore[attr-defined]
        cookies = response.headers.getlist("Set-Cookie")  # type: ignore[attr-defined]
        assert all("SameSite=None" in c and "Secure" in c and "Partitioned" in c for c in cookies)
    finally:
        close_app(embedded)
    with pytest.raises(ValueError, match="COOKIE_SAMESITE"):
        airflow_app(tmp_path / "bad", COOKIE_SAMESITE="sometimes")


def test_the_plugin_sends_the_browser_through_the_sign_in_only_with_a_secret() -> None:
    assert signin_url("https://ll.example/", None, "ada", "/x") == "https://ll.example/x"
    url = signin_url("https://ll.example", plugin(), "ada", "https://evil.example")
    assert url.startswith("https://ll.example/api/v1/auth/airflow?token=") and url.endswith("&next=%2F")
    claims = jwt.decode(url.split("token=")[1].split("&")[0], SECRET, algorithms=["HS256"], audience="lineagelens")
    assert claims["sub"] == "ada" and claims["role"] == "viewer" and claims["exp"] - claims["iat"] == 60
    assert len(claims["jti"]) >= 16
    with pytest.raises(ValueError, match="is not user="):
        parse_role_map("ada=owner")
