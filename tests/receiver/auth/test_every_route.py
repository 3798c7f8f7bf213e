"""Every route is checked: a walk over the app's url_map proves that each non-public rule answers 401 without
a credential and 403 with too small a role, so a route added later cannot be left open."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.routing import Rule

from lineagelens.receiver.auth import policy
from tests.conftest import anonymous_client
from tests.receiver.auth.support import api_key, bearer, sign_in

# The public surface, written out again on purpose: widening it must be a visible change to this test.
EXPECTED_PUBLIC = {"health.healthz", "health.readyz", "static", "webui.index", "webui.asset_or_route",
                   "openapi.openapi_json", "openapi.docs_page", "auth.auth_config", "auth.login", "auth.refresh",
                   "auth.logout", "sso.oidc_login", "sso.oidc_callback", "sso.airflow_signin"}


def _url(rule: Rule) -> str:
    """The rule's path with every variable filled with a dummy value."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", "dummy", rule.rule)


def _calls(app: Flask, *, public: bool = False) -> Iterator[tuple[str, str, str]]:
    for rule in app.url_map.iter_rules():
        if (rule.endpoint in policy.PUBLIC) is public:
            for method in sorted(rule.methods or ()):
                yield rule.endpoint, method, _url(rule)


def _send(client: object, method: str, url: str, headers: dict[str, str] | None = None) -> tuple[int, dict]:
    response = client.open(url, method=method, headers=headers or {}, json={})  # type: ignore[attr-defined]
    body = response.get_json(silent=True) or {}
    return response.status_code, body


def test_the_public_endpoints_are_exactly_the_documented_ones() -> None:
    assert set(policy.PUBLIC) == EXPECTED_PUBLIC


def test_every_non_public_route_answers_401_without_a_credential(app: Flask) -> None:
    client = anonymous_client(app)
    calls = list(_calls(app))
    assert len(calls) > 60  # the walk sees the whole API
    wrong = [(endpoint, method, url, status) for endpoint, method, url in calls
             if (status := _send(client, method, url)[0]) != 401]
    assert not wrong


def test_a_route_added_later_is_protected_without_any_decorator(app: Flask) -> None:
    @app.route("/api/v1/added-later", methods=["GET", "POST"])
    def added_later() -> str:
        return "open"

    client = anonymous_client(app)
    assert client.get("/api/v1/added-later").status_code == 401
    assert client.post("/api/v1/added-later").status_code == 401
    read = api_key(app, "read")
    assert client.get("/api/v1/added-later", headers=bearer(read)).status_code == 200
    assert client.post("/api/v1/added-later", headers=bearer(read)).status_code == 403


def test_a_read_key_gets_403_on_every_unsafe_route(app: Flask) -> None:
    client, key = anonymous_client(app), api_key(app, "read")
    calls = [c for c in _calls(app) if c[1] not in policy.SAFE_METHODS]
    assert len(calls) > 15
    wrong = [(e, m, u, s, b.get("code")) for e, m, u in calls
             if (s := (r := _send(client, m, u, bearer(key)))[0]) != 403 or (b := r[1]).get("code") != "forbidden"]
    assert not wrong


def test_an_ingest_key_gets_403_on_every_read_route(app: Flask) -> None:
    client, key = anonymous_client(app), api_key(app, "ingest")
    calls = [c for c in _calls(app) if c[1] in policy.SAFE_METHODS]
    assert len(calls) > 40
    wrong = [(e, m, u, s) for e, m, u in calls if (s := _send(client, m, u, bearer(key))[0]) != 403]
    assert not wrong


def test_an_ingest_key_gets_403_on_every_unsafe_route_but_ingest(app: Flask) -> None:
    client, key = anonymous_client(app), api_key(app, "ingest")
    calls = [c for c in _calls(app) if c[1] not in policy.SAFE_METHODS and c[0] not in policy.INGEST]
    wrong = [(e, m, u, s) for e, m, u in calls if (s := _send(client, m, u, bearer(key))[0]) != 403]
    assert not wrong


def test_a_viewer_session_gets_403_on_every_unsafe_route(app: Flask) -> None:
    viewer = sign_in(app, "vera", "viewer")
    calls = [c for c in _calls(app) if c[1] not in policy.SAFE_METHODS]
    wrong = [(e, m, u, r.status_code) for e, m, u in calls
             if (r := viewer.write(m, u, json={})).status_code != 403 or r.get_json()["code"] != "forbidden"]
    assert not wrong


def test_an_editor_gets_403_on_every_admin_route(app: Flask) -> None:
    editor = sign_in(app, "eddie", "editor")
    calls = [c for c in _calls(app) if policy.required(c[0], c[1]) == policy.Role.admin]
    assert {e.split(".")[0] for e, _, _ in calls} == {"users", "apikeys", "audit"}
    wrong = [(e, m, u, r.status_code) for e, m, u in calls
             if (r := editor.write(m, u, json={})).status_code != 403]
    assert not wrong


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/api/v1/openapi.json", "/api/v1/docs",
                                  "/api/v1/auth/config", "/", "/lineage/some/ui/route"])
def test_public_routes_answer_without_a_credential(app: Flask, path: str) -> None:
    assert anonymous_client(app).get(path).status_code in {200, 503}  # 503: the UI is not built here


def test_metrics_need_a_credential_and_a_read_key_is_enough(app: Flask) -> None:
    client = anonymous_client(app)
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=bearer(api_key(app, "read"))).status_code == 200


def test_unknown_routes_still_answer_404_in_the_error_shape(app: Flask) -> None:
    response = anonymous_client(app).get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response.get_json()["code"] == "not_found"


@pytest.mark.parametrize("path", ["/ws/events", "/ws/lineage?nodeId=dataset:ns:x", "/ws/monitoring/some-dashboard"])
def test_the_live_streams_answer_401_without_a_credential_and_403_to_an_ingest_key(app: Flask, path: str) -> None:
    client = anonymous_client(app)
    upgrade = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
               "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}
    for headers in ({}, upgrade):  # a plain GET, and a handshake (the test client has no socket to upgrade)
        assert client.get(path, headers=headers).status_code == 401
        assert client.get(path, headers={**headers, **bearer(api_key(app, "ingest"))}).status_code == 403
    assert client.get(path, headers=bearer(api_key(app, "read"))).status_code in {404, 426}  # past the check
    assert all(policy.required(e, "GET") == policy.Role.viewer for e in policy.STREAMS)
