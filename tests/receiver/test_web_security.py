"""Web hardening: security headers with the UI's inline script by hash, the Host allow-list (DNS rebinding),
CORS only for configured origins, and cross-site writes refused whatever the auth mode."""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lineagelens.receiver import webui
from lineagelens.receiver.web_security import (
    WebPolicy,
    content_security_policy,
    cross_site_reason,
    host_allowed,
    inline_hashes,
    normalize_origin,
)
from tests.conftest import close_app, make_app

REPO = Path(__file__).resolve().parents[2]
SCRIPT = "window.answer = 42;"


def sha256_source(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def csp(response: Any) -> dict[str, str]:
    directives = [d.strip().split(" ", 1) for d in response.headers["Content-Security-Policy"].split(";")]
    return {d[0]: d[1] if len(d) > 1 else "" for d in directives}


@pytest.fixture
def build_app(tmp_path: Path) -> Iterator[Any]:
    """``build_app(**settings)``: a receiver on SQLite with a UI build whose index.html has one inline script."""
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(f'<html><head><meta name="lineagelens-base" content="/" /><script>{SCRIPT}'
                                     '</script><script type="module" src="./assets/app.js"></script></head>'
                                     "<body></body></html>")
    made: list[Flask] = []

    def build(**settings: Any) -> Flask:
        app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/s{len(made)}.db", "LINEAGELENS_UI_DIR": str(dist),
                        **settings})
        made.append(app)
        return app

    yield build
    for app in made:
        close_app(app)


@pytest.fixture
def ui_client(build_app: Any) -> FlaskClient:
    client: FlaskClient = build_app().test_client()
    return client


# --- headers -------------------------------------------------------------------------------------------------

def test_every_response_carries_csp_frame_nosniff_referrer_and_opener_headers(ui_client: FlaskClient) -> None:
    for path in ("/", "/lineage", "/healthz", "/api/v1/namespaces", "/api/v1/nothing-here"):
        response = ui_client.get(path)
        policy = csp(response)
        assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'", path
        assert policy["frame-ancestors"] == "'none'" and policy["base-uri"] == "'self'", path
        assert policy["form-action"] == "'self'" and policy["img-src"] == "'self' data:", path
        assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"], path
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Referrer-Policy"] == "same-origin", path
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin", path


def test_connect_src_allows_this_hosts_websockets(ui_client: FlaskClient) -> None:
    policy = csp(ui_client.get("/", headers={"Host": "127.0.0.1:5055"}))
    assert policy["connect-src"] == "'self' ws://127.0.0.1:5055 wss://127.0.0.1:5055"


def test_api_answers_are_never_stored_by_caches(ui_client: FlaskClient) -> None:
    for path in ("/api/v1/namespaces", "/api/v1/openapi.json", "/readyz"):
        assert ui_client.get(path).headers["Cache-Control"] == "no-store", path
    assert ui_client.get("/").headers["Cache-Control"] == "no-cache"  # the UI page keeps its own policy


def test_the_csp_allows_the_ui_inline_script_by_its_hash_only(ui_client: FlaskClient) -> None:
    scripts = csp(ui_client.get("/")).get("script-src", "").split()
    assert scripts == ["'self'", f"'{sha256_source(SCRIPT)}'"]  # the src= script is not hashed


def test_the_script_hash_follows_a_new_build_without_a_restart(build_app: Any, tmp_path: Path) -> None:
    client = build_app().test_client()
    assert sha256_source(SCRIPT) in client.get("/").headers["Content-Security-Policy"]
    index = tmp_path / "dist" / "index.html"
    index.write_text("<html><head><script>window.rebuilt = true;</script></head></html>")
    stat = index.stat()
    os.utime(index, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    header = client.get("/").headers["Content-Security-Policy"]
    assert sha256_source("window.rebuilt = true;") in header and sha256_source(SCRIPT) not in header


def test_the_hash_of_the_real_ui_index_script_matches_its_text() -> None:
    page = (REPO / "ui" / "index.html").read_text(encoding="utf-8")
    inline = re.findall(r"<script>(.*?)</script>", page, flags=re.S)
    assert inline, "ui/index.html has an inline script the CSP must allow"
    assert webui.inline_script_hashes(page) == tuple(sha256_source(text) for text in inline)


def test_inline_hashes_take_the_raw_text_of_each_element_once() -> None:
    page = "<style>a{color:red}</style><script>if (a < b && c > d) {}</script><script>x()</script><script>x()</script>"
    assert inline_hashes(page, "script") == (sha256_source("if (a < b && c > d) {}"), sha256_source("x()"))
    assert inline_hashes(page, "style") == (sha256_source("a{color:red}"),)


def test_the_docs_page_allows_only_its_own_style_by_hash(ui_client: FlaskClient) -> None:
    response = ui_client.get("/api/v1/docs")
    if response.status_code == 200:
        style = re.search(r"<style>(.*?)</style>", response.get_data(as_text=True), flags=re.S)
        assert style is not None
        assert csp(response)["style-src"] == f"'self' '{sha256_source(style.group(1))}'"
    else:  # behind sign-in: the error answer allows no inline style at all
        assert csp(response)["style-src"] == "'self'"


def test_frame_ancestors_come_from_the_setting_and_drop_x_frame_options(build_app: Any) -> None:
    client = build_app(FRAME_ANCESTORS="'self'  https://airflow.example.com").test_client()
    response = client.get("/")
    assert csp(response)["frame-ancestors"] == "'self' https://airflow.example.com"
    assert "X-Frame-Options" not in response.headers


@pytest.mark.parametrize("value", ["'none' https://a.example.com", "https://a.example.com; script-src *",
                                   "javascript:alert(1)", "https://a.example.com,https://b.example.com"])
def test_a_frame_ancestors_value_that_is_not_a_source_list_stops_the_start(value: str) -> None:
    with pytest.raises(ValueError, match="FRAME_ANCESTORS"):
        WebPolicy.from_settings({"ALLOWED_HOSTS": "localhost", "CORS_ORIGINS": "", "FRAME_ANCESTORS": value,
                                 "PROXY_FIX": 0})


def test_the_csp_never_echoes_a_host_that_could_break_the_header() -> None:
    header = content_security_policy(script_hashes=(), frame_ancestors="'none'", host="a.com; script-src *")
    assert "script-src *" not in header and "ws://" not in header


# --- Host allow-list (DNS rebinding) ------------------------------------------------------------------------

def test_a_request_for_another_host_is_refused_before_anything_else(build_app: Any) -> None:
    client = build_app(AUTH="off").test_client()
    for host in ("evil.example.com", "evil.example.com:5055", "localhost.evil.example.com", "127.0.0.1.nip.io"):
        response = client.get("/api/v1/namespaces", headers={"Host": host})
        assert response.status_code == 400, host
        assert response.get_json()["code"] == "host_not_allowed", host
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_probes_and_scrapers_by_pod_ip_reach_only_the_health_endpoints(build_app: Any) -> None:
    client = build_app(ALLOWED_HOSTS="lineage.example.com").test_client()
    for path in ("/healthz", "/readyz"):
        assert client.get(path, headers={"Host": "10.1.2.3:5000"}).status_code == 200, path
    assert client.get("/metrics", headers={"Host": "10.1.2.3:5000"}).status_code != 400
    assert client.post("/readyz", headers={"Host": "10.1.2.3:5000"}).status_code == 400
    assert client.get("/", headers={"Host": "10.1.2.3:5000"}).status_code == 400


def test_the_default_hosts_answer_on_any_port(build_app: Any) -> None:
    client = build_app().test_client()
    for host in ("localhost", "localhost:5055", "127.0.0.1:8080", "[::1]:5055", "[::1]", "LOCALHOST"):
        assert client.get("/api/v1/auth/config", headers={"Host": host}).status_code == 200, host


def test_configured_hosts_exact_names_and_subdomains(build_app: Any) -> None:
    client = build_app(ALLOWED_HOSTS="lineage.example.com, .example.org").test_client()
    for host, status in (("lineage.example.com", 200), ("lineage.example.com:443", 200), ("example.org", 200),
                         ("a.b.example.org", 200), ("localhost", 400), ("badexample.org", 400),
                         ("example.com", 400)):
        assert client.get("/api/v1/auth/config", headers={"Host": host}).status_code == status, host


def test_any_host_only_when_written_as_a_star(build_app: Any) -> None:
    client = build_app(ALLOWED_HOSTS="*").test_client()
    assert client.get("/api/v1/auth/config", headers={"Host": "whatever.example.net"}).status_code == 200


@pytest.mark.parametrize("host, allowed, expected", [
    ("localhost:1", ["localhost"], True), ("[::1]:5055", ["[::1]"], True), ("[::1]", ["[::1]"], True),
    ("evil.com", ["localhost"], False), ("", ["localhost"], False), ("local host", ["*"], False),
    ("a.example.com.", [".example.com"], True), ("example.com", [".example.com"], True),
    ("xexample.com", [".example.com"], False), ("[::1]", ["localhost"], False),
])
def test_host_allowed(host: str, allowed: list[str], expected: bool) -> None:
    assert host_allowed(host, allowed) is expected


def test_a_bare_ipv6_entry_matches_its_bracketed_host() -> None:
    policy = WebPolicy.from_settings({"ALLOWED_HOSTS": "::1, Lineage.Example.com:8443", "CORS_ORIGINS": "",
                                      "FRAME_ANCESTORS": "'none'", "PROXY_FIX": 0})
    assert policy.allowed_hosts == ("[::1]", "lineage.example.com")


# --- CORS ----------------------------------------------------------------------------------------------------

APP_ORIGIN = "https://app.example.com"


def test_cors_is_off_unless_configured(build_app: Any) -> None:
    client = build_app().test_client()
    response = client.get("/healthz", headers={"Origin": APP_ORIGIN})
    assert "Access-Control-Allow-Origin" not in response.headers
    preflight = client.options("/api/v1/lineage", headers={"Origin": APP_ORIGIN,
                                                           "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_cors_answers_preflights_and_requests_of_configured_origins_only(build_app: Any) -> None:
    client = build_app(CORS_ORIGINS=f"{APP_ORIGIN}, http://localhost:3000").test_client()
    preflight = client.options("/api/v1/lineage", headers={
        "Origin": APP_ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert preflight.headers["Access-Control-Allow-Credentials"] == "true"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Headers"] == "authorization, content-type"
    response = client.get("/healthz", headers={"Origin": "http://localhost:3000"})
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert "Origin" in response.headers["Vary"]
    other = client.get("/healthz", headers={"Origin": "https://evil.example.com"})
    assert "Access-Control-Allow-Origin" not in other.headers


@pytest.mark.parametrize("value", ["*", "app.example.com", "https://app.example.com/path", "null"])
def test_cors_origins_must_be_exact_origins(value: str) -> None:
    with pytest.raises(ValueError, match="CORS_ORIGINS"):
        WebPolicy.from_settings({"ALLOWED_HOSTS": "localhost", "CORS_ORIGINS": value,
                                 "FRAME_ANCESTORS": "'none'", "PROXY_FIX": 0})


# --- cross-site writes -----------------------------------------------------------------------------------------

def _refused(response: Any) -> bool:
    return response.status_code == 403 and (response.get_json() or {}).get("code") == "cross_site_refused"


def test_a_cross_site_body_less_post_is_refused_even_with_auth_off(build_app: Any) -> None:
    client = build_app(AUTH="off").test_client()
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example.com"},
                    {"Origin": "null"}, {"Origin": "https://evil.example.com", "Sec-Fetch-Site": "same-site"}):
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            response = client.open("/api/v1/sources/1/test", method=method, headers=headers)
            assert _refused(response), (method, headers, response.status_code)


def test_writes_from_this_site_and_from_non_browsers_go_on(build_app: Any) -> None:
    client = build_app(AUTH="off").test_client()
    for headers in ({}, {"Origin": "http://localhost"}, {"Sec-Fetch-Site": "same-origin"},
                    {"Sec-Fetch-Site": "none"}, {"Origin": "https://localhost", "Sec-Fetch-Site": "same-origin"}):
        response = client.post("/api/v1/lineage", json=[], headers=headers)
        assert not _refused(response) and response.status_code == 200, headers


def test_a_cors_allowed_origin_may_write(build_app: Any) -> None:
    client = build_app(AUTH="off", CORS_ORIGINS=APP_ORIGIN).test_client()
    response = client.post("/api/v1/lineage", json=[], headers={"Origin": APP_ORIGIN, "Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 200


def test_a_cross_site_websocket_handshake_is_refused(build_app: Any) -> None:
    client = build_app(AUTH="off").test_client()
    response = client.get("/api/v1/stream", headers={"Upgrade": "websocket", "Connection": "Upgrade",
                                                    "Origin": "https://evil.example.com"})
    assert _refused(response)


def test_behind_a_trusted_tls_proxy_the_https_origin_is_this_sites(build_app: Any) -> None:
    client = build_app(AUTH="off", PROXY_FIX=1, ALLOWED_HOSTS="lineage.example.com").test_client()
    headers = {"Host": "lineage.example.com", "Origin": "https://lineage.example.com"}
    assert _refused(client.post("/api/v1/lineage", json=[], headers=headers))  # the proxy's scheme is unknown
    response = client.post("/api/v1/lineage", json=[], headers={**headers, "X-Forwarded-Proto": "https"})
    assert response.status_code == 200


@pytest.mark.parametrize("method, headers, expected", [
    ("GET", {"Origin": "https://evil.com", "Sec-Fetch-Site": "cross-site"}, False),
    ("HEAD", {"Sec-Fetch-Site": "cross-site"}, False),
    ("POST", {}, False),
    ("POST", {"Origin": "http://localhost:80"}, False),
    ("POST", {"Origin": "http://localhost:5055"}, True),
    ("POST", {"Origin": "https://localhost"}, True),
    ("POST", {"Sec-Fetch-Site": "same-site"}, True),
    ("DELETE", {"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"}, True),
    ("POST", {"Origin": "https://app.example.com", "Sec-Fetch-Site": "cross-site"}, False),
    ("GET", {"Upgrade": "websocket", "Origin": "https://evil.com"}, True),
])
def test_cross_site_reason(method: str, headers: dict[str, str], expected: bool) -> None:
    reason = cross_site_reason(method=method, headers=headers, own_origin="http://localhost",
                               cors_origins={"https://app.example.com"})
    assert (reason is not None) is expected


@pytest.mark.parametrize("raw, expected", [
    ("https://A.example.com", "https://a.example.com"), ("https://a.example.com:443", "https://a.example.com"),
    ("http://[::1]:5055", "http://[::1]:5055"), ("http://localhost:80/", "http://localhost"),
    ("null", None), ("file://", None), ("https://a.example.com/x", None), ("https://u@a.example.com", None),
    ("http://a:99999", None),
])
def test_normalize_origin(raw: str, expected: str | None) -> None:
    assert normalize_origin(raw) == expected
