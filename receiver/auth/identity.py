"""Who is asking: :class:`Authenticator` turns a request into a :class:`Principal` by trying its resolvers in
order (an API key sent as ``Authorization: Bearer``, then the session cookie). A resolver answers None when its
kind of credential is absent and raises :class:`Unauthorized` when it is present but not valid. More resolvers
(single sign-on, the Airflow plugin's token) are added with :meth:`Authenticator.add`.

:class:`Auth` holds the per-app auth objects (``services.get().auth``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import Request

from lineagelens.receiver.auth.apikeys import ApiKeyStore
from lineagelens.receiver.auth.audit import AuditLog
from lineagelens.receiver.auth.principal import AUTH_OFF, Principal
from lineagelens.receiver.auth.tokens import SessionManager
from lineagelens.receiver.auth.users import UserStore
from lineagelens.receiver.config import on_off
from lineagelens.receiver.errors import Unauthorized

log = logging.getLogger(__name__)

SESSION_COOKIE = "lineagelens_session"
REFRESH_COOKIE = "lineagelens_refresh"
CSRF_COOKIE = "lineagelens_csrf"

Resolver = Callable[[Request], Principal | None]


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"


def bearer_token(req: Request) -> str | None:
    scheme, _, token = (req.headers.get("Authorization") or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


@dataclass
class Authenticator:
    resolvers: list[Resolver] = field(default_factory=list)

    def add(self, resolver: Resolver, *, first: bool = False) -> None:
        self.resolvers.insert(0 if first else len(self.resolvers), resolver)

    def resolve(self, req: Request) -> Principal | None:
        for resolver in self.resolvers:
            found = resolver(req)
            if found is not None:
                return found
        return None


@dataclass
class Auth:
    """The per-app auth objects (``services.get().auth``)."""

    enabled: bool
    users: UserStore
    keys: ApiKeyStore
    sessions: SessionManager
    audit: AuditLog
    authenticator: Authenticator = field(default_factory=Authenticator)

    def __post_init__(self) -> None:
        if not self.authenticator.resolvers:
            self.authenticator.add(self.from_bearer)
            self.authenticator.add(self.from_session_cookie)

    def from_bearer(self, req: Request) -> Principal | None:
        token = bearer_token(req)
        if token is None:
            return None
        found = self.keys.principal(token)
        if found is None:
            raise InvalidCredentials("the API key is not valid (unknown or revoked)")
        return found

    def from_session_cookie(self, req: Request) -> Principal | None:
        token = req.cookies.get(SESSION_COOKIE)
        return self.sessions.principal(token) if token else None

    def principal(self, req: Request) -> Principal | None:
        """Who is asking (AUTH=off: the local admin); None without a credential."""
        return self.authenticator.resolve(req) if self.enabled else AUTH_OFF


def auth_enabled(value: object) -> bool:
    """LINEAGELENS_AUTH as a bool: True/False, or on|off (also from a config file)."""
    return value if isinstance(value, bool) else on_off("AUTH", str(value))


def make_auth(*, settings: dict[str, object], engine: sa.Engine, session_key: bytes) -> Auth:
    """The auth objects of one app, from its settings."""
    legacy = [k.strip() for k in str(settings.get("INGEST_API_KEYS") or "").split(",") if k.strip()]
    return Auth(enabled=auth_enabled(settings.get("AUTH", True)), users=UserStore(engine),
                keys=ApiKeyStore(engine, legacy_keys=legacy), sessions=SessionManager(engine=engine, key=session_key),
                audit=AuditLog(engine))
