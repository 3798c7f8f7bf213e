"""Users signed in by someone else (an OpenID provider, Airflow): ``oidc:<name>`` and ``airflow:<name>``.

Their names carry a prefix with a colon, which a local user name cannot hold, so a provider's ``alice`` never
becomes the local ``alice``. They have no password (they can only come back through their provider), and
their role is the one the provider's mapping gives at each sign-in: a changed role revokes their older
sessions, as a role change by an admin does.
"""

from __future__ import annotations

import logging
import re

import sqlalchemy as sa

from lineagelens.receiver.auth.principal import Role
from lineagelens.receiver.auth.users import LastAdmin, User, UserStore, now
from lineagelens.receiver.errors import Forbidden
from lineagelens.receiver.state import db
from lineagelens.receiver.state.tables import users

log = logging.getLogger(__name__)

PREFIXES = ("oidc", "airflow")
_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]*")
NAME_LENGTH = 64  # the users.name column


class SignInRefused(Forbidden):
    code = "sign_in_refused"


def federated_name(prefix: str, name: object) -> str | None:
    """``prefix:name``, or None when ``name`` is not a usable user name (letters, digits, . _ @ + -)."""
    if prefix not in PREFIXES:
        raise ValueError(f"unknown user prefix {prefix!r}")
    if not isinstance(name, str) or not _PART.fullmatch(name):
        return None
    full = f"{prefix}:{name}"
    return full if len(full) <= NAME_LENGTH else None


def sign_in_user(store: UserStore, *, name: str, role: Role) -> User:
    """Create the federated user ``name`` with ``role``, or bring its role up to date; the user to start a
    session for."""
    prefix = name.partition(":")[0]
    if prefix not in PREFIXES or ":" not in name:
        raise ValueError(f"{name!r} is not a federated user name")
    user = store.find(name)
    if user is None:
        stamp = now()
        try:
            with db.transaction(store.engine) as conn:
                conn.execute(users.insert().values(name=name, role=role.name, password_hash=None, created_at=stamp,
                                                   updated_at=stamp))
            log.info("created %s user %s with role %s", prefix, name, role.name)
        except sa.exc.IntegrityError:  # a concurrent first sign-in of the same user
            pass
        return _up_to_date(store, name, role)
    if user.password_hash is not None:  # cannot happen through the API or CLI (':' is refused there)
        raise SignInRefused(f"a local user named {name!r} exists; it cannot be signed in by {prefix}")
    return _up_to_date(store, name, role)


def _up_to_date(store: UserStore, name: str, role: Role) -> User:
    user = store.get(name)
    if user.role == role:
        return user
    try:
        updated = store.update(name, role=role.name)
    except LastAdmin as exc:
        raise SignInRefused(f"{name} is the last admin, and the sign-in now maps to {role.name}: make another "
                            "user admin first") from exc
    log.info("%s: role %s -> %s (from the sign-in)", name, user.role.name, role.name)
    return updated
