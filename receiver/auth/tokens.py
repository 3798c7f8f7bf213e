"""Browser sessions: a short-lived access JWT (HS256, signed with the keyring's ``session-jwt`` key) and an
opaque refresh token stored hashed in the ``sessions`` table and rotated on every refresh.

The access token names its session (``sid``); every cookie-authenticated request checks that the session
row is still live, so signing out or revoking a user's sessions takes effect at once, not when the
token expires."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
import sqlalchemy as sa

from lineagelens.receiver.auth.principal import Principal, Role, for_user
from lineagelens.receiver.auth.users import User, now
from lineagelens.receiver.errors import Unauthorized
from lineagelens.receiver.state import db
from lineagelens.receiver.state.tables import sessions, users

log = logging.getLogger(__name__)

ALGORITHM = "HS256"
ACCESS_TTL = timedelta(minutes=15)
REFRESH_TTL = timedelta(hours=12)


class SessionExpired(Unauthorized):
    code = "session_expired"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Issued:
    """What a sign-in or a refresh hands the browser."""

    user: User
    session_id: str
    access_token: str
    csrf: str
    access_expires: datetime
    refresh_token: str
    refresh_expires: datetime


class SessionManager:
    def __init__(self, *, engine: sa.Engine, key: bytes, access_ttl: timedelta = ACCESS_TTL,
                 refresh_ttl: timedelta = REFRESH_TTL) -> None:
        self.engine = engine
        self.key = key
        self.access_ttl = access_ttl
        self.refresh_ttl = refresh_ttl

    def _access(self, user: User, session_id: str) -> tuple[str, str, datetime]:
        issued_at = now()
        expires = issued_at + self.access_ttl
        csrf = secrets.token_urlsafe(32)
        claims = {"sub": user.name, "role": user.role.name, "sid": session_id, "csrf": csrf,
                  "iat": int(issued_at.timestamp()), "exp": int(expires.timestamp()),
                  "jti": secrets.token_hex(16)}
        return jwt.encode(claims, self.key, algorithm=ALGORITHM), csrf, expires.replace(microsecond=0)

    def start(self, user: User, *, session_id: str | None = None) -> Issued:
        """A new session for ``user`` (just signed in). A caller-chosen ``session_id`` (32 hex digits) makes the
        sign-in single-use: a second start with the same id raises ``sqlalchemy.exc.IntegrityError``."""
        session_id, refresh = session_id or secrets.token_hex(16), secrets.token_urlsafe(32)
        stamp = now()
        expires = stamp + self.refresh_ttl
        with db.transaction(self.engine) as conn:
            conn.execute(sessions.insert().values(id=session_id, user_id=user.id, refresh_hash=digest(refresh),
                                                  created_at=stamp, refreshed_at=stamp, expires_at=expires))
        token, csrf, access_expires = self._access(user, session_id)
        return Issued(user, session_id, token, csrf, access_expires, refresh, expires)

    def refresh(self, refresh_token: str) -> Issued:
        """Rotate the refresh token (the old one stops working) and issue a new access token."""
        if not refresh_token:
            raise SessionExpired("no session: sign in")
        stamp = now()
        new_refresh = secrets.token_urlsafe(32)
        with db.transaction(self.engine) as conn:
            row = conn.execute(sa.select(sessions, users.c.name, users.c.role, users.c.password_hash,
                                         users.c.created_at.label("user_created"),
                                         users.c.updated_at.label("user_updated"))
                               .join(users, users.c.id == sessions.c.user_id)
                               .where(sessions.c.refresh_hash == digest(refresh_token))).first()
            if row is None or row.revoked_at is not None or row.expires_at <= stamp:
                raise SessionExpired("the session has ended: sign in again")
            conn.execute(sessions.update().where(sessions.c.id == row.id)
                         .values(refresh_hash=digest(new_refresh), refreshed_at=stamp))
        user = User(id=row.user_id, name=row.name, role=Role[row.role], password_hash=row.password_hash,
                    created_at=row.user_created, updated_at=row.user_updated)
        token, csrf, access_expires = self._access(user, row.id)
        return Issued(user, row.id, token, csrf, access_expires, new_refresh, row.expires_at)

    def revoke(self, *, session_id: str | None = None, refresh_token: str | None = None) -> bool:
        """End a session, found by id or by its refresh token; whether one was live."""
        where: Any
        if session_id:
            where = sessions.c.id == session_id
        elif refresh_token:
            where = sessions.c.refresh_hash == digest(refresh_token)
        else:
            return False
        with db.transaction(self.engine) as conn:
            result = conn.execute(sessions.update().where(where, sessions.c.revoked_at.is_(None))
                                  .values(revoked_at=now()))
        return bool(result.rowcount)

    def decode(self, token: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(token, self.key, algorithms=[ALGORITHM],
                                                options={"require": ["sub", "sid", "csrf", "exp", "iat"]})
        except jwt.ExpiredSignatureError as exc:
            raise SessionExpired("the session token has expired: refresh it or sign in again") from exc
        except jwt.InvalidTokenError as exc:
            raise Unauthorized("the session token is not valid: sign in again") from exc
        return claims

    def principal(self, token: str) -> Principal:
        """The principal of a valid access token whose session is still live (checked on every call, with
        the user's current role: a demotion applies at once)."""
        claims = self.decode(token)
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(sessions.c.revoked_at, sessions.c.expires_at, users.c.name, users.c.role)
                               .join(users, users.c.id == sessions.c.user_id)
                               .where(sessions.c.id == str(claims["sid"]))).first()
        if row is None or row.revoked_at is not None or row.expires_at <= now() or row.name != claims["sub"]:
            raise SessionExpired("the session has ended: sign in again")
        return for_user(row.name, Role[row.role], via="session", session_id=str(claims["sid"]),
                        csrf=str(claims["csrf"]))
