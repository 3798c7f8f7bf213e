"""Signing Airflow users in to LineageLens, so the embedded UI asks no second password (stdlib only).

The plugin's ``/lineagelens/open`` route runs behind Airflow's authentication; it mints a short-lived HS256 JWT
naming the Airflow user, signed with the secret shared with the receiver (``[lineagelens] shared_secret`` here,
``LINEAGELENS_AIRFLOW_SHARED_SECRET`` there), and sends the browser to the receiver's
``/api/v1/auth/airflow?token=...&next=...``, which starts a normal session for ``airflow:<user>``.

Claims: ``iss`` ``airflow``, ``aud`` ``lineagelens``, ``sub`` the Airflow user name, ``role`` from
``[lineagelens] role_map`` (``alice=admin,ops-bot=editor,*=viewer``; viewer when nothing matches), ``iat``,
``exp`` (60 s later) and a random ``jti`` (the receiver accepts each token once).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

AUDIENCE = "lineagelens"
TOKEN_TTL = 60
ROLES = ("viewer", "editor", "admin")
DEFAULT_ROLE = "viewer"

Getter = Callable[[str, str], "str | None"]


@dataclass(frozen=True)
class SignInSettings:
    shared_secret: str = field(repr=False)
    role_map: dict[str, str] = field(default_factory=dict)
    default_role: str = DEFAULT_ROLE

    def role_for(self, user: str) -> str:
        return self.role_map.get(user, self.default_role)


def parse_role_map(text: str) -> tuple[dict[str, str], str]:
    """``alice=admin,bob=editor,*=viewer`` -> ({alice: admin, bob: editor}, viewer); ValueError when invalid."""
    mapping: dict[str, str] = {}
    default = DEFAULT_ROLE
    for entry in text.split(","):
        if not entry.strip():
            continue
        user, sep, role = entry.strip().rpartition("=")
        user, role = user.strip(), role.strip().lower()
        if not sep or not user or role not in ROLES:
            raise ValueError(f"[lineagelens] role_map: {entry.strip()!r} is not user=viewer|editor|admin")
        if user == "*":
            default = role
        else:
            mapping[user] = role
    return mapping, default


def signin_settings(get: Getter) -> SignInSettings | None:
    """From ``[lineagelens] shared_secret`` and ``role_map``; None when no shared secret is set."""
    secret = (get("lineagelens", "shared_secret") or "").strip()
    if not secret:
        return None
    try:
        mapping, default = parse_role_map(get("lineagelens", "role_map") or "")
    except ValueError as exc:  # a broken mapping must not sign anyone in with a role nobody chose
        log.error("%s: every Airflow user signs in as viewer", exc)
        mapping, default = {}, DEFAULT_ROLE
    return SignInSettings(shared_secret=secret, role_map=mapping, default_role=default)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def mint_token(settings: SignInSettings, user: str, *, now: float | None = None, ttl: int = TOKEN_TTL) -> str:
    """A signed sign-in token for the Airflow user ``user``."""
    issued = int(time.time() if now is None else now)
    claims = {"iss": "airflow", "aud": AUDIENCE, "sub": user, "role": settings.role_for(user), "iat": issued,
              "exp": issued + ttl, "jti": secrets.token_urlsafe(24)}
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(settings.shared_secret.encode("utf-8"), f"{header}.{payload}".encode("ascii"),
                         hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


def local_path(value: str | None) -> str:
    """A path on the receiver (``/...``); ``/`` for anything else."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    parts = urllib.parse.urlsplit(value)
    return value if not parts.scheme and not parts.netloc else "/"


def signin_url(browser_url: str, settings: SignInSettings | None, user: str, next_path: str | None) -> str:
    """Where the browser goes to open LineageLens at ``next_path``: through the receiver's Airflow sign-in when
    a shared secret is configured, straight to the page (and its own sign-in) otherwise."""
    path = local_path(next_path)
    base = browser_url.rstrip("/")
    if settings is None:
        return base + path
    query = urllib.parse.urlencode({"token": mint_token(settings, user), "next": path})
    return f"{base}/api/v1/auth/airflow?{query}"
