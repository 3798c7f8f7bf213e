"""Sign-in from the Airflow plugin: a short-lived HS256 token, signed with the secret shared with Airflow, names
the Airflow user and the role the plugin's mapping gives; the receiver turns it into a normal session.

The token (minted by :mod:`lineagelens.integrations.airflow.signin`) must have ``aud`` = ``lineagelens``,
``sub`` (the Airflow user), ``role``, ``iat``, ``exp`` (at most :data:`MAX_LIFETIME` after ``iat``) and ``jti``.
It is usable once: the session it starts gets an id derived from ``jti``, and the sessions table's primary key
refuses a second session with the same id, in this process or any other receiver sharing the database.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt

from lineagelens.receiver.auth.federated import federated_name
from lineagelens.receiver.auth.principal import Role
from lineagelens.receiver.errors import NotFound, Unauthorized

log = logging.getLogger(__name__)

AUDIENCE = "lineagelens"
ALGORITHM = "HS256"
MAX_LIFETIME = 300  # seconds; the plugin mints 60-second tokens
LEEWAY = 10
MIN_SECRET = 32


class AirflowSignInOff(NotFound):
    code = "airflow_signin_off"


class AirflowTokenRejected(Unauthorized):
    code = "airflow_token_rejected"


@dataclass(frozen=True)
class AirflowIdentity:
    name: str  # airflow:<user>
    role: Role
    session_id: str  # derived from jti: one session per token


def session_id_for(jti: str) -> str:
    return hashlib.sha256(b"airflow-jti\0" + jti.encode("utf-8")).hexdigest()[:32]


class AirflowSignIn:
    def __init__(self, *, secret: str, max_role: Role) -> None:
        if len(secret) < MIN_SECRET:
            raise ValueError(f"LINEAGELENS_AIRFLOW_SHARED_SECRET must be at least {MIN_SECRET} characters")
        self.secret = secret.encode("utf-8")
        self.max_role = max_role

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> AirflowSignIn | None:
        secret = str(settings.get("AIRFLOW_SHARED_SECRET") or "")
        if not secret:
            return None
        return cls(secret=secret, max_role=Role.parse(str(settings.get("AIRFLOW_MAX_ROLE") or "editor").strip()))

    def verify(self, token: str | None) -> AirflowIdentity:
        """Who the token names, with its role (at most ``max_role``); AirflowTokenRejected when not valid."""
        if not token:
            raise AirflowTokenRejected("no sign-in token: open LineageLens from the Airflow plugin again")
        try:
            claims = jwt.decode(token, self.secret, algorithms=[ALGORITHM], audience=AUDIENCE, leeway=LEEWAY,
                                options={"require": ["aud", "sub", "iat", "exp", "jti"]})
        except jwt.ExpiredSignatureError as exc:
            raise AirflowTokenRejected("the Airflow sign-in token has expired: open LineageLens from Airflow "
                                       "again") from exc
        except jwt.InvalidTokenError as exc:
            raise AirflowTokenRejected(f"the Airflow sign-in token is not valid: {exc}") from exc
        if not isinstance(claims["iat"], int | float) or claims["exp"] - claims["iat"] > MAX_LIFETIME:
            raise AirflowTokenRejected(f"the Airflow sign-in token lives longer than {MAX_LIFETIME} s")
        jti = claims["jti"]
        if not isinstance(jti, str) or not 16 <= len(jti) <= 128:
            raise AirflowTokenRejected("the Airflow sign-in token has no usable jti")
        name = federated_name("airflow", claims["sub"])
        if name is None:
            raise AirflowTokenRejected(f"the Airflow user name {str(claims['sub'])[:80]!r} is not usable "
                                       "(letters, digits, . _ @ + -, at most 56 characters)")
        try:
            role = Role.parse(str(claims.get("role") or "viewer"))
        except ValueError as exc:
            raise AirflowTokenRejected(f"the Airflow sign-in token's role is not valid: {exc}") from exc
        if role > self.max_role:
            log.info("Airflow sign-in of %s: role %s lowered to %s (LINEAGELENS_AIRFLOW_MAX_ROLE)", name,
                     role.name, self.max_role.name)
            role = self.max_role
        return AirflowIdentity(name=name, role=role, session_id=session_id_for(jti))
