"""Single sign-on against a real OpenID provider (the npm ``oidc-provider`` package, tests/oidc/) started on
127.0.0.1: the whole browser redirect flow (the provider's own login form), the session it ends with, and the
refusals (a tampered state, a replayed code, an unmapped group, an open redirect). The ID token checks are also
proven on tokens signed here, where each claim can be made wrong on purpose."""

from __future__ import annotations

import fcntl
import hashlib
import html
import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask
from flask.testing import FlaskClient

from lineagelens.receiver import services
from lineagelens.receiver.auth.oidc import (
    OidcConfig,
    OidcRejected,
    OidcSignIn,
    ProviderClient,
    ProviderMetadata,
    RoleMap,
    check_provider_url,
    local_path,
)
from lineagelens.receiver.auth.principal import Role
from tests.conftest import anonymous_client, backend_config, close_app, make_app

PROVIDER_DIR = Path(__file__).resolve().parents[2] / "oidc"
CLIENT_ID = "lineagelens-tests"
CLIENT_SECRET = "oidc-tests-client-secret-0123456789abcdef"
REDIRECT = "http://localhost/api/v1/auth/oidc/callback"
USERS = {"alice": {"groups": ["data-admins", "everyone"]}, "erin": {"groups": ["data-eng"]},
         "mallory": {"groups": ["marketing"]}, "bad name": {"groups": ["data-eng"]}}
ROLE_MAP = "data-admins=admin,data-eng=editor"


def _npm_ci() -> None:
    """``npm ci`` in tests/oidc when its node_modules do not match the lock file (once, under a lock)."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is not installed: the single sign-on tests need Node.js 20+", pytrace=False)
    lock = PROVIDER_DIR / "package-lock.json"
    stamp = PROVIDER_DIR / "node_modules" / ".lineagelens-lock-sha"
    wanted = hashlib.sha256(lock.read_bytes()).hexdigest()
    with open(Path(tempfile.gettempdir()) / "lineagelens-oidc-npm-ci.lock", "w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        if stamp.exists() and stamp.read_text() == wanted:
            return
        proc = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=PROVIDER_DIR, capture_output=True,
                              text=True, timeout=300, check=False)
        if proc.returncode != 0:
            pytest.fail(f"npm ci in tests/oidc failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}", pytrace=False)
        stamp.write_text(wanted)


@dataclass
class Provider:
    issuer: str
    proc: subprocess.Popen[str]


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    """The OpenID provider on 127.0.0.1; a provider that does not start fails the tests (never skips)."""
    _npm_ci()
    clients = [{"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": [REDIRECT],
                "grant_types": ["authorization_code"], "response_types": ["code"],
                "token_endpoint_auth_method": "client_secret_basic"}]
    env = {**os.environ, "OIDC_PORT": "0", "OIDC_USERS": json.dumps(USERS), "OIDC_CLIENTS": json.dumps(clients)}
    proc = subprocess.Popen(["node", "provider.mjs"], cwd=PROVIDER_DIR, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    assert proc.stdout is not None
    lines: list[str] = []
    found: list[str] = []

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("listening "):
                found.append(line.split()[1])

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + 30
    while not found and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        if not found:
            pytest.fail(f"the OpenID provider did not start:\n{''.join(lines)[-3000:]}", pytrace=False)
        issuer = found[0]
        assert requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5).json()["issuer"] == issuer
        yield Provider(issuer=issuer, proc=proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def sso_app(tmp_path: Path, issuer: str, role_map: str = ROLE_MAP) -> Flask:
    return make_app({**backend_config("sqlite", tmp_path), "OIDC_ISSUER": issuer, "OIDC_CLIENT_ID": CLIENT_ID,
                     "OIDC_CLIENT_SECRET": CLIENT_SECRET, "OIDC_REDIRECT_URL": REDIRECT, "OIDC_ROLE_MAP": role_map})


@pytest.fixture
def app(tmp_path: Path, provider: Provider) -> Iterator[Flask]:
    application = sso_app(tmp_path, provider.issuer)
    yield application
    close_app(application)


def provider_sign_in(authorize_url: str, login: str) -> str:
    """Play the browser at the provider: follow its redirects, fill its login form, and answer the URL it sends
    the browser back to (our callback)."""
    browser = requests.Session()
    url, method, form = authorize_url, "GET", None
    for _ in range(12):
        response = browser.request(method, url, data=form, allow_redirects=False, timeout=10)
        if response.is_redirect:
            url = urllib.parse.urljoin(url, response.headers["Location"])
            if url.startswith(REDIRECT):
                return url
            method, form = "GET", None
            continue
        assert response.status_code == 200, (response.status_code, response.text[:500])
        page = response.text
        action = re.search(r'<form[^>]*action="([^"]+)"', page)
        assert action is not None and 'name="login"' in page, page[:1000]
        form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
        form.update(login=login, password="any password: the development login form checks none")
        url, method = urllib.parse.urljoin(url, html.unescape(action.group(1))), "POST"
    raise AssertionError("the provider never sent the browser back")


def start(client: FlaskClient, next_path: str = "/") -> str:
    response = client.get("/api/v1/auth/oidc/login", query_string={"next": next_path})
    assert response.status_code == 302, response.get_json()
    return response.headers["Location"]


def callback(client: FlaskClient, url: str) -> Any:
    parts = urllib.parse.urlsplit(url)
    return client.get(parts.path, query_string=parts.query)


def signed_in(app: Flask, login: str, next_path: str = "/") -> tuple[FlaskClient, Any]:
    client = anonymous_client(app)
    return client, callback(client, provider_sign_in(start(client, next_path), login))


def test_sign_in_config_points_the_ui_at_single_sign_on(app: Flask) -> None:
    body = anonymous_client(app).get("/api/v1/auth/config").get_json()
    assert body == {"auth": True, "oidc": True, "signInUrl": "/api/v1/auth/oidc/login"}


def test_login_redirects_to_the_provider_with_pkce_state_and_nonce(app: Flask, provider: Provider) -> None:
    location = start(anonymous_client(app))
    url = urllib.parse.urlsplit(location)
    query = dict(urllib.parse.parse_qsl(url.query))
    assert f"{url.scheme}://{url.netloc}" == provider.issuer
    assert query["response_type"] == "code" and query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == REDIRECT and query["code_challenge_method"] == "S256"
    assert query["scope"] == "openid profile email groups"
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32 and len(query["code_challenge"]) == 43


def test_single_sign_on_starts_a_session_with_the_role_of_the_users_groups(app: Flask) -> None:
    client, response = signed_in(app, "alice", next_path="/lineage?node=job%3Ans%3Aetl")
    assert response.status_code == 302, response.get_json()
    assert response.headers["Location"] == "/lineage?node=job%3Ans%3Aetl"
    cookies = response.headers.getlist("Set-Cookie")
    session = next(c for c in cookies if c.startswith("lineagelens_session="))
    assert "HttpOnly" in session and "SameSite=Strict" in session
    me = client.get("/api/v1/auth/me")
    assert me.status_code == 200
    assert me.get_json() == {"user": {"name": "oidc:alice", "role": "admin"}, "via": "session"}
    user = services.get(app).auth.users.get("oidc:alice")
    assert user.role == Role.admin and user.password_hash is None
    entries, _ = services.get(app).auth.audit.find(limit=5, offset=0, actor="oidc:alice", action="auth.login")
    assert [(e["via"], e["status"]) for e in entries] == [("oidc", 302)]
    # the session is a normal one: writes need its CSRF token, sign-out ends it
    csrf = client.get_cookie("lineagelens_csrf")
    assert csrf is not None
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401


def test_the_role_follows_the_groups_at_each_sign_in(tmp_path: Path, provider: Provider) -> None:
    application = sso_app(tmp_path, provider.issuer, role_map="data-eng=editor,*=viewer")
    try:
        client, response = signed_in(application, "erin")
        assert response.status_code == 302
        assert client.get("/api/v1/auth/me").get_json()["user"] == {"name": "oidc:erin", "role": "editor"}
        # mallory's only group is not mapped: the '*' rule makes her a viewer
        client, response = signed_in(application, "mallory")
        assert response.status_code == 302
        assert client.get("/api/v1/auth/me").get_json()["user"] == {"name": "oidc:mallory", "role": "viewer"}
    finally:
        close_app(application)


def test_a_user_whose_groups_map_to_no_role_is_refused(app: Flask) -> None:
    client, response = signed_in(app, "mallory")
    assert response.status_code == 403
    body = response.get_json()
    assert body["code"] == "sign_in_refused" and "none of the groups" in body["message"]
    assert not any(c.startswith("lineagelens_session=") for c in response.headers.getlist("Set-Cookie"))
    assert client.get("/api/v1/auth/me").status_code == 401
    assert services.get(app).auth.users.find("oidc:mallory") is None
    entries, _ = services.get(app).auth.audit.find(limit=5, offset=0, action="auth.oidc_refused")
    assert len(entries) == 1 and entries[0]["status"] == 403


def test_a_user_name_that_cannot_be_a_user_is_refused(app: Flask) -> None:
    _, response = signed_in(app, "bad name")
    assert response.status_code == 403 and "not a usable user name" in response.get_json()["message"]


def test_a_tampered_state_is_refused(app: Flask) -> None:
    client = anonymous_client(app)
    back = provider_sign_in(start(client), "alice")
    parts = urllib.parse.urlsplit(back)
    query = dict(urllib.parse.parse_qsl(parts.query))
    query["state"] = query["state"][:-2] + ("AA" if not query["state"].endswith("AA") else "BB")
    response = client.get(parts.path, query_string=query)
    assert response.status_code == 401 and response.get_json()["code"] == "oidc_rejected"
    assert "state" in response.get_json()["message"]
    assert client.get("/api/v1/auth/me").status_code == 401


def test_a_callback_in_another_browser_is_refused(app: Flask) -> None:
    """Login CSRF: an attacker's callback URL, opened in the victim's browser, lacks the victim's cookie."""
    back = provider_sign_in(start(anonymous_client(app)), "alice")
    victim = anonymous_client(app)
    response = callback(victim, back)
    assert response.status_code == 401 and "no single sign-on was started" in response.get_json()["message"]
    assert victim.get("/api/v1/auth/me").status_code == 401


def test_a_replayed_code_is_refused(app: Flask) -> None:
    client = anonymous_client(app)
    back = provider_sign_in(start(client), "alice")
    assert callback(client, back).status_code == 302
    anonymous = anonymous_client(app)
    location = start(anonymous)  # a fresh sign-in cookie, then the old answer: state and code do not match it
    assert location
    assert callback(anonymous, back).status_code == 401


@pytest.mark.parametrize("evil", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "evil.example",
                                  "javascript:alert(1)"])
def test_next_never_leads_to_another_site(app: Flask, evil: str) -> None:
    _, response = signed_in(app, "alice", next_path=evil)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_without_configuration_answers_404(tmp_path: Path) -> None:
    application = make_app(backend_config("sqlite", tmp_path))
    try:
        client = anonymous_client(application)
        assert client.get("/api/v1/auth/config").get_json() == {"auth": True, "oidc": False, "signInUrl": None}
        assert client.get("/api/v1/auth/oidc/login").status_code == 404
        assert client.get("/api/v1/auth/oidc/callback?code=x&state=y").status_code == 404
    finally:
        close_app(application)


def test_an_unreachable_provider_is_a_clear_502(tmp_path: Path) -> None:
    from tests.servers import closed_port

    application = sso_app(tmp_path, f"http://127.0.0.1:{closed_port()}")
    try:
        response = anonymous_client(application).get("/api/v1/auth/oidc/login")
        assert response.status_code == 502
        assert "cannot be reached" in response.get_json()["message"]
    finally:
        close_app(application)


# ---- configuration and the pure checks ---------------------------------------------------------------------

def test_role_map_takes_the_highest_matching_role_and_star_only_without_a_match() -> None:
    roles = RoleMap.parse("data-admins=admin, data-eng=editor ,*=viewer")
    assert roles.role_for(["data-eng", "data-admins"]) == Role.admin
    assert roles.role_for(["data-eng"]) == Role.editor
    assert roles.role_for(["other"]) == Role.viewer
    assert RoleMap.parse("data-eng=editor").role_for(["other"]) is None
    ldap = RoleMap.parse("cn=admins,ou=groups,dc=example=admin;*=viewer")
    assert ldap.role_for(["cn=admins,ou=groups,dc=example"]) == Role.admin
    with pytest.raises(ValueError, match="role must be one of"):
        RoleMap.parse("data-eng=owner")
    with pytest.raises(ValueError, match="is not group=role"):
        RoleMap.parse("data-eng")


def test_the_provider_must_use_https_except_on_loopback() -> None:
    for url in ("https://idp.example.com", "http://127.0.0.1:8080", "http://localhost:9000/realms/x",
                "http://[::1]:8080"):
        assert check_provider_url(url, what="issuer") == url
    for url in ("http://idp.example.com", "ftp://idp.example.com", "https://user:pw@idp.example.com", "/relative",
                "http://10.0.0.5"):
        with pytest.raises(ValueError):
            check_provider_url(url, what="issuer")


def test_settings_are_checked_at_start() -> None:
    base = {"OIDC_ISSUER": "https://idp.example.com", "OIDC_CLIENT_ID": "c", "OIDC_REDIRECT_URL":
            "https://ll.example.com/api/v1/auth/oidc/callback", "OIDC_ROLE_MAP": "*=viewer"}
    config = OidcConfig.from_settings({**base, "OIDC_SCOPES": "profile,groups"})
    assert config is not None and config.scopes == ("openid", "profile", "groups")
    assert OidcConfig.from_settings({}) is None
    for broken, match in (({"OIDC_ROLE_MAP": ""}, "nobody could sign in"), ({"OIDC_CLIENT_ID": ""}, "CLIENT_ID"),
                          ({"OIDC_ISSUER": "http://idp.example.com"}, "https"),
                          ({"OIDC_REDIRECT_URL": "/callback"}, "absolute")):
        with pytest.raises(ValueError, match=match):
            OidcConfig.from_settings({**base, **broken})


def test_local_path_keeps_only_paths_of_this_site() -> None:
    assert local_path("/lineage?x=1#y") == "/lineage?x=1#y"
    for value in ("https://evil.example", "//evil.example", "/\\evil.example", "evil", "", None, "/a\r\nSet-Cookie:"):
        assert local_path(value) == "/"


# ---- ID token checks on tokens signed here -----------------------------------------------------------------

ISSUER = "https://idp.example.com"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeProvider(ProviderClient):
    """The provider's answers without the network: a fixed discovery document, a token endpoint answering
    ``id_token``, and KEY as the published signing key."""

    def __init__(self, config: OidcConfig, id_token: str, userinfo: dict[str, Any] | None = None) -> None:
        super().__init__(config)
        self.id_token = id_token
        self.userinfo = userinfo or {}

    def metadata(self) -> ProviderMetadata:
        return ProviderMetadata(issuer=ISSUER, authorization_endpoint=f"{ISSUER}/auth",
                                token_endpoint=f"{ISSUER}/token", jwks_uri=f"{ISSUER}/jwks",
                                userinfo_endpoint=f"{ISSUER}/me", algorithms=("RS256", "ES256"))

    def call(self, method: str, url: str, *, what: str, **kw: Any) -> tuple[int, dict[str, Any]]:
        if what == "token":
            return 200, {"id_token": self.id_token, "access_token": "at", "token_type": "Bearer"}
        return 200, self.userinfo

    def signing_key(self, id_token: str, jwks_uri: str) -> Any:
        return KEY.public_key()


CONFIG = OidcConfig(issuer=ISSUER, client_id="ll", client_secret="", scopes=("openid",),
                    redirect_url="https://ll.example.com/cb", groups_claim="groups",
                    username_claim="preferred_username", role_map=RoleMap.parse("g=editor"), timeout=1.0)


def finish_with(claims: dict[str, Any], *, key: Any = KEY, algorithm: str = "RS256",
                userinfo: dict[str, Any] | None = None) -> Any:
    sign_in = OidcSignIn(CONFIG, state_key=b"k" * 32, provider=FakeProvider(CONFIG, "", userinfo))
    started = sign_in.begin("/x")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(started.redirect_to).query))
    now = int(time.time())
    full = {"iss": ISSUER, "aud": "ll", "sub": "u1", "iat": now, "exp": now + 300, "nonce": query["nonce"],
            "preferred_username": "ada", "groups": ["g"], **claims}
    full = {k: v for k, v in full.items() if v is not None}
    assert isinstance(sign_in.provider, FakeProvider)
    sign_in.provider.id_token = jwt.encode(full, key, algorithm=algorithm)
    return sign_in.finish({"state": query["state"], "code": "c"}, started.cookie)


def test_a_valid_id_token_gives_the_identity() -> None:
    identity = finish_with({})
    assert (identity.name, identity.role, identity.next_path) == ("oidc:ada", Role.editor, "/x")


@pytest.mark.parametrize(("claims", "message"), [
    ({"nonce": "another-nonce"}, "nonce"),
    ({"nonce": None}, "nonce"),
    ({"aud": "another-client"}, "(?i)audience"),
    ({"aud": ["ll", "other"]}, "azp"),
    ({"azp": "other"}, "azp"),
    ({"iss": "https://evil.example"}, "issuer"),
    ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, "expired"),
    ({"sub": None}, "sub"),
])
def test_an_id_token_with_a_wrong_claim_is_rejected(claims: dict[str, Any], message: str) -> None:
    with pytest.raises(OidcRejected, match=message):
        finish_with(claims)


def test_an_id_token_signed_with_another_key_or_algorithm_is_rejected() -> None:
    with pytest.raises(OidcRejected, match="Signature verification failed"):
        finish_with({}, key=OTHER_KEY)
    with pytest.raises(OidcRejected, match="not valid"):  # HS256 with a guessable secret: never accepted
        finish_with({}, key=secrets.token_bytes(32), algorithm="HS256")


def test_claims_missing_from_the_id_token_come_from_userinfo_of_the_same_subject() -> None:
    identity = finish_with({"preferred_username": None, "groups": None},
                           userinfo={"sub": "u1", "preferred_username": "bo", "groups": ["g"]})
    assert (identity.name, identity.role) == ("oidc:bo", Role.editor)
    with pytest.raises(OidcRejected, match="another user"):
        finish_with({"groups": None}, userinfo={"sub": "u2", "groups": ["g"]})
