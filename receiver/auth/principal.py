"""Roles and the principal: who is asking, with what role, through which credential."""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable
from dataclasses import dataclass

log = logging.getLogger(__name__)


class Role(enum.IntEnum):
    """Each role can do everything the roles below it can."""

    viewer = 1
    editor = 2
    admin = 3

    @classmethod
    def parse(cls, text: str) -> Role:
        try:
            return cls[text]
        except KeyError:
            raise ValueError(f"role must be one of {', '.join(r.name for r in cls)}, got {text!r}") from None


class Scope(enum.StrEnum):
    """What an API key may do: ``ingest`` only the ingest routes, ``read`` = viewer, ``admin`` = admin."""

    ingest = "ingest"
    read = "read"
    admin = "admin"


SCOPE_ROLES: dict[Scope, Role | None] = {Scope.ingest: None, Scope.read: Role.viewer, Scope.admin: Role.admin}


@dataclass(frozen=True)
class Principal:
    """Who is asking. ``role`` is None for an ingest-only key; ``namespaces`` None means every namespace.
    ``session_id``/``csrf`` are set for cookie sessions (unsafe methods must echo ``csrf``)."""

    name: str
    role: Role | None
    via: str  # "session", "apikey", "auth-off", or what a later resolver names itself
    can_ingest: bool
    namespaces: frozenset[str] | None = None
    session_id: str | None = None
    csrf: str | None = None
    key_id: str | None = None

    def has(self, role: Role) -> bool:
        return self.role is not None and self.role >= role

    def allows_namespace(self, namespace: str | None) -> bool:
        return self.namespaces is None or (namespace is not None and namespace in self.namespaces)

    @property
    def role_name(self) -> str:
        return self.role.name if self.role is not None else "ingest"

    def as_user(self) -> dict[str, str]:
        return {"name": self.name, "role": self.role_name}


def for_user(name: str, role: Role, *, via: str, session_id: str | None = None, csrf: str | None = None,
             ) -> Principal:
    """A signed-in person: editors and admins may also ingest."""
    return Principal(name=name, role=role, via=via, can_ingest=role >= Role.editor, session_id=session_id,
                     csrf=csrf)


def for_key(*, key_id: str, name: str, scope: Scope, namespaces: Iterable[str] | None) -> Principal:
    ns = frozenset(namespaces) if namespaces else None
    return Principal(name=name, role=SCOPE_ROLES[scope], via="apikey", can_ingest=scope in {Scope.ingest, Scope.admin},
                     namespaces=ns, key_id=key_id)


AUTH_OFF = Principal(name="local", role=Role.admin, via="auth-off", can_ingest=True)
