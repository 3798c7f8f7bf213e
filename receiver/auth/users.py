"""Local users: create, list, change role or password, delete. Changing a role or a password, and deleting
a user, revoke that user's sessions; the last admin can be neither deleted nor demoted."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from lineagelens.receiver.auth import passwords
from lineagelens.receiver.auth.principal import Role
from lineagelens.receiver.errors import ApiError, Conflict, NotFound
from lineagelens.receiver.state import db
from lineagelens.receiver.state.tables import sessions, users

log = logging.getLogger(__name__)

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}")


class InvalidUser(ApiError):
    status, code = 422, "invalid_user"


class LastAdmin(Conflict):
    code = "last_admin"


def now() -> datetime:
    return datetime.now(UTC)


def iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value is not None else None


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: Role
    password_hash: str | None
    created_at: datetime
    updated_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role.name, "createdAt": iso(self.created_at),
                "updatedAt": iso(self.updated_at)}


def _user(row: Any) -> User:
    return User(id=row.id, name=row.name, role=Role[row.role], password_hash=row.password_hash,
                created_at=row.created_at, updated_at=row.updated_at)


def check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise InvalidUser("a user name is 1-64 letters, digits or . _ @ + - (starting with a letter or digit)",
                          [{"path": "name", "message": "invalid user name"}])
    return name


def parse_role(role: Any) -> Role:
    try:
        return Role.parse(role if isinstance(role, str) else repr(role))
    except ValueError as exc:
        raise InvalidUser(str(exc), [{"path": "role", "message": str(exc)}]) from exc


def hash_checked(password: Any) -> str:
    if not isinstance(password, str):
        raise InvalidUser("password must be a string", [{"path": "password", "message": "not a string"}])
    try:
        return passwords.hash_password(password)
    except passwords.WeakPassword as exc:
        raise InvalidUser(str(exc), [{"path": "password", "message": str(exc)}]) from exc


def revoke_user_sessions(conn: sa.Connection, user_id: int) -> int:
    result = conn.execute(sessions.update().where(sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None))
                          .values(revoked_at=now()))
    return result.rowcount or 0


class UserStore:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(users)).scalar_one())

    def list(self) -> list[User]:
        with self.engine.connect() as conn:
            return [_user(r) for r in conn.execute(sa.select(users).order_by(users.c.name))]

    def find(self, name: str) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(users).where(users.c.name == name)).first()
        return _user(row) if row is not None else None

    def get(self, name: str) -> User:
        found = self.find(name)
        if found is None:
            raise NotFound(f"no user {name!r}")
        return found

    def create(self, *, name: str, role: Any, password: Any) -> User:
        check_name(name)
        parsed = parse_role(role)
        hashed = hash_checked(password) if password is not None else None
        stamp = now()
        with db.transaction(self.engine) as conn:
            if conn.execute(sa.select(users.c.id).where(users.c.name == name)).first() is not None:
                raise Conflict(f"a user named {name!r} exists")
            conn.execute(users.insert().values(name=name, role=parsed.name, password_hash=hashed, created_at=stamp,
                                               updated_at=stamp))
        return self.get(name)

    def _admins(self, conn: sa.Connection) -> int:
        return int(conn.execute(sa.select(sa.func.count()).select_from(users)
                                .where(users.c.role == Role.admin.name)).scalar_one())

    def _locked(self, conn: sa.Connection, name: str) -> User:
        row = conn.execute(sa.select(users).where(users.c.name == name)).first()
        if row is None:
            raise NotFound(f"no user {name!r}")
        return _user(row)

    def update(self, name: str, *, role: Any = None, password: Any = None) -> User:
        """Change the role and/or the password; either revokes the user's sessions."""
        new_role = parse_role(role) if role is not None else None
        hashed = hash_checked(password) if password is not None else None
        with db.transaction(self.engine) as conn:
            user = self._locked(conn, name)
            values: dict[str, Any] = {}
            if new_role is not None and new_role != user.role:
                if user.role == Role.admin and self._admins(conn) <= 1:
                    raise LastAdmin(f"{name!r} is the last admin: make another user admin first")
                values["role"] = new_role.name
            if hashed is not None:
                values["password_hash"] = hashed
            if values:
                conn.execute(users.update().where(users.c.id == user.id).values(updated_at=now(), **values))
                revoke_user_sessions(conn, user.id)
        return self.get(name)

    def delete(self, name: str) -> None:
        with db.transaction(self.engine) as conn:
            user = self._locked(conn, name)
            if user.role == Role.admin and self._admins(conn) <= 1:
                raise LastAdmin(f"{name!r} is the last admin and cannot be deleted")
            revoke_user_sessions(conn, user.id)
            conn.execute(users.delete().where(users.c.id == user.id))

    def authenticate(self, name: str, password: str) -> User | None:
        """The user when ``password`` is theirs; None otherwise. argon2 runs either way (same timing)."""
        user = self.find(name) if isinstance(name, str) and len(name) <= 64 else None
        ok = passwords.verify(user.password_hash if user is not None else None, password)
        return user if ok and user is not None else None
