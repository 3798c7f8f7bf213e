"""Single sign-on with OpenID Connect: the authorization code flow with PKCE (S256), ``state`` and ``nonce``.

:meth:`OidcSignIn.begin` makes the provider URL and a short-lived signed cookie holding what the callback must
check (state, nonce, the PKCE verifier and where to go next); :meth:`OidcSignIn.finish` checks the callback
against that cookie, exchanges the code, validates the ID token with the provider's published keys (signature,
``iss``, ``aud``, ``azp``, ``exp``, ``iat``, ``nonce``), reads the user's claims (from the userinfo endpoint too
when the ID token does not carry them) and maps the user's groups to a role.

The provider is operator configuration, not user input: its URLs are not put through the source network
guard, but every call has a timeout, verifies TLS, follows no redirect, reads at most 1 MiB, and only https
URLs (or http on loopback, for tests and local providers) are used, for the issuer and every endpoint its
discovery document names.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import threading
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt
import requests

from lineagelens.receiver.auth.federated import SignInRefused, federated_name
from lineagelens.receiver.auth.principal import Role
from lineagelens.receiver.errors import ApiError, NotFound, Unauthorized

log = logging.getLogger(__name__)

STATE_TTL = 600  # seconds between the redirect to the provider and the callback
METADATA_TTL = 3600.0
MAX_BODY = 1024 * 1024
LEEWAY = 60  # seconds of clock skew allowed on exp/iat
ASYMMETRIC = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")


class OidcNotConfigured(NotFound):
    code = "oidc_not_configured"


class ProviderUnavailable(ApiError):
    status, code = 502, "oidc_provider_unavailable"


class OidcRejected(Unauthorized):
    """The callback does not belong to a sign-in this browser started, or the provider's answer is not valid."""

    code = "oidc_rejected"


# ---- configuration ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RoleMap:
    """Group -> role rules; ``fallback`` is the ``*`` rule."""

    rules: tuple[tuple[str, Role], ...]
    fallback: Role | None = None

    @classmethod
    def parse(cls, text: str) -> RoleMap:
        """``data-admins=admin,data-eng=editor,*=viewer``; ``;`` separates entries when one holds a comma."""
        rules: list[tuple[str, Role]] = []
        fallback: Role | None = None
        for entry in (text.split(";") if ";" in text else text.split(",")):
            if not entry.strip():
                continue
            group, sep, role = entry.strip().rpartition("=")
            if not sep or not group.strip():
                raise ValueError(f"LINEAGELENS_OIDC_ROLE_MAP: {entry.strip()!r} is not group=role")
            parsed = Role.parse(role.strip())
            if group.strip() == "*":
                fallback = parsed
            else:
                rules.append((group.strip(), parsed))
        return cls(tuple(rules), fallback)

    def role_for(self, groups: list[str]) -> Role | None:
        """The highest role of a matching group; the ``*`` role when none matches; None: no role."""
        mine = set(groups)
        matched = [role for group, role in self.rules if group in mine]
        return max(matched) if matched else self.fallback


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_provider_url(url: str, *, what: str) -> str:
    """``url`` when it is https, or http to a loopback host; ValueError otherwise."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is not None or parts.password is not None or not parts.hostname:
        raise ValueError(f"{what} must be an absolute URL without credentials, got {url!r}")
    if parts.scheme == "https" or (parts.scheme == "http" and is_loopback(parts.hostname)):
        return url
    raise ValueError(f"{what} must use https (http only for a loopback provider), got {url!r}")


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...]
    redirect_url: str
    groups_claim: str
    username_claim: str
    role_map: RoleMap
    timeout: float

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> OidcConfig | None:
        """The configuration, None when single sign-on is off; ValueError when it is set but incomplete."""
        issuer = str(settings.get("OIDC_ISSUER") or "").strip()
        if not issuer:
            return None
        check_provider_url(issuer, what="LINEAGELENS_OIDC_ISSUER")
        client_id = str(settings.get("OIDC_CLIENT_ID") or "").strip()
        redirect = str(settings.get("OIDC_REDIRECT_URL") or "").strip()
        if not client_id or not redirect:
            raise ValueError("single sign-on needs LINEAGELENS_OIDC_CLIENT_ID and LINEAGELENS_OIDC_REDIRECT_URL")
        parts = urllib.parse.urlsplit(redirect)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError(f"LINEAGELENS_OIDC_REDIRECT_URL must be an absolute URL, got {redirect!r}")
        scopes = [s for s in str(settings.get("OIDC_SCOPES") or "").replace(",", " ").split() if s]
        role_map = RoleMap.parse(str(settings.get("OIDC_ROLE_MAP") or ""))
        if not role_map.rules and role_map.fallback is None:
            raise ValueError("LINEAGELENS_OIDC_ROLE_MAP is empty: nobody could sign in "
                             "(e.g. 'data-admins=admin,data-eng=editor,*=viewer')")
        return cls(issuer=issuer, client_id=client_id, client_secret=str(settings.get("OIDC_CLIENT_SECRET") or ""),
                   scopes=tuple(dict.fromkeys(["openid", *scopes])), redirect_url=redirect,
                   groups_claim=str(settings.get("OIDC_GROUPS_CLAIM") or "groups"),
                   username_claim=str(settings.get("OIDC_USERNAME_CLAIM") or "preferred_username"),
                   role_map=role_map, timeout=float(settings.get("OIDC_TIMEOUT") or 5.0))


# ---- talking to the provider ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None
    algorithms: tuple[str, ...]


class ProviderClient:
    """The calls to the provider: discovery (cached), the token exchange, userinfo, and its signing keys."""

    def __init__(self, config: OidcConfig) -> None:
        self.config = config
        self.http = requests.Session()
        self._lock = threading.Lock()
        self._metadata: tuple[float, ProviderMetadata] | None = None
        self._jwks: tuple[str, jwt.PyJWKClient] | None = None

    def _read(self, response: requests.Response, what: str) -> dict[str, Any]:
        body = response.raw.read(MAX_BODY + 1, decode_content=True)
        if len(body) > MAX_BODY:
            raise ProviderUnavailable(f"the identity provider's {what} answer is larger than 1 MiB")
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise ProviderUnavailable(f"the identity provider's {what} answer is not JSON "
                                      f"(HTTP {response.status_code})") from exc
        if not isinstance(data, dict):
            raise ProviderUnavailable(f"the identity provider's {what} answer is not a JSON object")
        return data

    def call(self, method: str, url: str, *, what: str, **kw: Any) -> tuple[int, dict[str, Any]]:
        check_provider_url(url, what=f"the provider's {what} URL")
        try:
            with self.http.request(method, url, timeout=self.config.timeout, allow_redirects=False, stream=True,
                                   verify=True, **kw) as response:
                return response.status_code, self._read(response, what)
        except requests.RequestException as exc:
            raise ProviderUnavailable(f"the identity provider cannot be reached ({what}): "
                                      f"{type(exc).__name__}") from exc

    def metadata(self) -> ProviderMetadata:
        with self._lock:
            if self._metadata and time.monotonic() - self._metadata[0] < METADATA_TTL:
                return self._metadata[1]
        url = self.config.issuer.rstrip("/") + "/.well-known/openid-configuration"
        status, doc = self.call("GET", url, what="discovery")
        if status != 200:
            raise ProviderUnavailable(f"the identity provider's discovery document answered HTTP {status}")
        issuer = str(doc.get("issuer") or "")
        if issuer.rstrip("/") != self.config.issuer.rstrip("/"):
            raise ProviderUnavailable(f"the discovery document names issuer {issuer!r}, not the configured "
                                      f"{self.config.issuer!r}")
        try:
            endpoints = {k: check_provider_url(str(doc.get(k) or ""), what=k)
                         for k in ("authorization_endpoint", "token_endpoint", "jwks_uri")}
            userinfo = doc.get("userinfo_endpoint")
            userinfo_url = check_provider_url(str(userinfo), what="userinfo_endpoint") if userinfo else None
        except ValueError as exc:
            raise ProviderUnavailable(f"the discovery document is not usable: {exc}") from exc
        offered = doc.get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithms = tuple(a for a in ASYMMETRIC if a in offered)
        if not algorithms:
            raise ProviderUnavailable(f"the provider signs ID tokens only with {offered}: an asymmetric "
                                      "algorithm (RS256, ES256, ...) is required")
        found = ProviderMetadata(issuer=issuer, userinfo_endpoint=userinfo_url, algorithms=algorithms, **endpoints)
        with self._lock:
            self._metadata = (time.monotonic(), found)
        return found

    def signing_key(self, id_token: str, jwks_uri: str) -> Any:
        with self._lock:
            if self._jwks is None or self._jwks[0] != jwks_uri:
                self._jwks = (jwks_uri, jwt.PyJWKClient(jwks_uri, cache_jwk_set=True, lifespan=300,
                                                        timeout=self.config.timeout))
            client = self._jwks[1]
        try:
            return client.get_signing_key_from_jwt(id_token).key
        except jwt.PyJWKClientConnectionError as exc:
            raise ProviderUnavailable("the identity provider's signing keys cannot be fetched") from exc
        except (jwt.PyJWKClientError, jwt.InvalidTokenError) as exc:
            raise OidcRejected(f"the ID token is not signed with a key the provider publishes: {exc}") from exc


# ---- the flow ---------------------------------------------------------------------------------------------

def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def pkce_challenge(verifier: str) -> str:
    return b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def local_path(value: str | None) -> str:
    """``value`` when it is a path on this site (``/...``); ``/`` otherwise: never a redirect elsewhere."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return "/"
    parts = urllib.parse.urlsplit(value)
    return value if not parts.scheme and not parts.netloc else "/"


@dataclass(frozen=True)
class Started:
    redirect_to: str
    cookie: str


@dataclass(frozen=True)
class Identity:
    name: str
    role: Role
    subject: str
    groups: tuple[str, ...]
    next_path: str


class OidcSignIn:
    def __init__(self, config: OidcConfig, *, state_key: bytes, provider: ProviderClient | None = None) -> None:
        self.config = config
        self.state_key = state_key
        self.provider = provider or ProviderClient(config)

    def begin(self, next_path: str | None) -> Started:
        """The provider's authorization URL and the signed cookie the callback checks."""
        meta = self.provider.metadata()
        state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
        stamp = int(time.time())
        cookie = jwt.encode({"state": state, "nonce": nonce, "verifier": verifier, "next": local_path(next_path),
                             "iat": stamp, "exp": stamp + STATE_TTL}, self.state_key, algorithm="HS256")
        query = urllib.parse.urlencode({
            "response_type": "code", "client_id": self.config.client_id, "redirect_uri": self.config.redirect_url,
            "scope": " ".join(self.config.scopes), "state": state, "nonce": nonce,
            "code_challenge": pkce_challenge(verifier), "code_challenge_method": "S256"})
        sep = "&" if urllib.parse.urlsplit(meta.authorization_endpoint).query else "?"
        return Started(redirect_to=f"{meta.authorization_endpoint}{sep}{query}", cookie=cookie)

    def _pending(self, cookie: str | None) -> dict[str, Any]:
        if not cookie:
            raise OidcRejected("no single sign-on was started in this browser (or its cookie was blocked): "
                               "start again from the sign-in page")
        try:
            pending: dict[str, Any] = jwt.decode(cookie, self.state_key, algorithms=["HS256"],
                                                 options={"require": ["state", "nonce", "verifier", "exp"]})
        except jwt.ExpiredSignatureError as exc:
            raise OidcRejected("the single sign-on took too long: start again") from exc
        except jwt.InvalidTokenError as exc:
            raise OidcRejected("the single sign-on cookie is not valid: start again") from exc
        return pending

    def finish(self, params: Mapping[str, str], cookie: str | None) -> Identity:
        """Check the provider's callback and answer who signed in, with the mapped role."""
        pending = self._pending(cookie)
        if not hmac.compare_digest(str(params.get("state") or "").encode(), str(pending["state"]).encode()):
            raise OidcRejected("the sign-in answer does not match the sign-in this browser started (state)")
        meta = self.provider.metadata()
        if params.get("iss") and params["iss"] != meta.issuer:  # RFC 9207: an answer from another provider
            raise OidcRejected("the sign-in answer comes from another issuer")
        if params.get("error"):
            detail = str(params.get("error_description") or "")[:200]
            raise OidcRejected(f"the identity provider refused the sign-in: {params['error'][:64]}"
                               + (f" ({detail})" if detail else ""))
        code = params.get("code")
        if not code:
            raise OidcRejected("the sign-in answer has no authorization code")
        tokens = self._exchange(meta, code, str(pending["verifier"]))
        claims = self._id_claims(meta, tokens, str(pending["nonce"]))
        claims = self._with_userinfo(meta, claims, tokens.get("access_token"))
        return self._identity(claims, local_path(pending.get("next")))

    def _exchange(self, meta: ProviderMetadata, code: str, verifier: str) -> dict[str, Any]:
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": self.config.redirect_url,
                "code_verifier": verifier}
        auth: tuple[str, str] | None = None
        if self.config.client_secret:  # client_secret_basic (RFC 6749 2.3.1: form-encode both parts)
            auth = (urllib.parse.quote(self.config.client_id, safe=""),
                    urllib.parse.quote(self.config.client_secret, safe=""))
        else:
            form["client_id"] = self.config.client_id
        status, body = self.provider.call("POST", meta.token_endpoint, what="token", data=form, auth=auth,
                                          headers={"Accept": "application/json"})
        if status != 200:
            raise OidcRejected(f"the identity provider refused the code exchange: "
                               f"{str(body.get('error') or status)[:64]}")
        if not isinstance(body.get("id_token"), str):
            raise OidcRejected("the identity provider answered without an ID token (is 'openid' a scope?)")
        return body

    def _id_claims(self, meta: ProviderMetadata, tokens: Mapping[str, Any], nonce: str) -> dict[str, Any]:
        id_token = str(tokens["id_token"])
        key = self.provider.signing_key(id_token, meta.jwks_uri)
        try:
            claims: dict[str, Any] = jwt.decode(
                id_token, key, algorithms=list(meta.algorithms), audience=self.config.client_id,
                issuer=meta.issuer, leeway=LEEWAY, options={"require": ["iss", "aud", "exp", "iat", "sub"]})
        except jwt.InvalidTokenError as exc:
            raise OidcRejected(f"the ID token is not valid: {exc}") from exc
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.config.client_id:
            raise OidcRejected("the ID token is meant for several clients and not authorized for this one (azp)")
        if "azp" in claims and claims["azp"] != self.config.client_id:
            raise OidcRejected("the ID token was issued to another client (azp)")
        if not hmac.compare_digest(str(claims.get("nonce") or "").encode(), nonce.encode()):
            raise OidcRejected("the ID token does not belong to this sign-in (nonce)")
        return claims

    def _with_userinfo(self, meta: ProviderMetadata, claims: dict[str, Any], access_token: object,
                       ) -> dict[str, Any]:
        """Fill the username and groups claims from userinfo when the ID token lacks them."""
        wanted = (self.config.username_claim, self.config.groups_claim)
        if all(k in claims for k in wanted) or not meta.userinfo_endpoint or not isinstance(access_token, str):
            return claims
        status, info = self.provider.call("GET", meta.userinfo_endpoint, what="userinfo",
                                          headers={"Authorization": f"Bearer {access_token}",
                                                   "Accept": "application/json"})
        if status != 200:
            raise ProviderUnavailable(f"the identity provider's userinfo endpoint answered HTTP {status}")
        if info.get("sub") != claims["sub"]:  # OIDC Core 5.3.2: the userinfo must be the ID token's subject
            raise OidcRejected("the userinfo answer is about another user than the ID token")
        return {**{k: v for k, v in info.items() if k in wanted}, **claims}

    def _identity(self, claims: Mapping[str, Any], next_path: str) -> Identity:
        raw_name = claims.get(self.config.username_claim)
        name = federated_name("oidc", raw_name)
        if name is None:
            raise SignInRefused(f"the provider's {self.config.username_claim!r} claim ({str(raw_name)[:80]!r}) "
                                "is not a usable user name (letters, digits, . _ @ + -, at most 59 characters): "
                                "set LINEAGELENS_OIDC_USERNAME_CLAIM to another claim")
        raw_groups = claims.get(self.config.groups_claim) or []
        groups = [raw_groups] if isinstance(raw_groups, str) else [str(g) for g in raw_groups
                                                                   if isinstance(g, str | int)]
        role = self.config.role_map.role_for(groups)
        if role is None:
            raise SignInRefused(f"{name} may not use LineageLens: none of the groups in the "
                                f"{self.config.groups_claim!r} claim maps to a role (LINEAGELENS_OIDC_ROLE_MAP); "
                                "ask an administrator")
        return Identity(name=name, role=role, subject=str(claims["sub"]), groups=tuple(groups),
                        next_path=next_path)
