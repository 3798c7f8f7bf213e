"""API keys for producers and scripts: ``ll_<id><secret>``, shown once, stored as the SHA-256 of the whole
key (keys are 256-bit random, so a fast hash is enough) under their public ``id`` prefix."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from lineagelens.receiver.auth.principal import Principal, Scope, for_key
from lineagelens.receiver.auth.users import iso, now
from lineagelens.receiver.errors import ApiError, NotFound
from lineagelens.receiver.state import db
from lineagelens.receiver.state.tables import api_keys

log = logging.getLogger(__name__)

PREFIX = "ll_"
ID_LENGTH = 12
KEY = re.compile(rf"{PREFIX}([0-9a-f]{{{ID_LENGTH}}})[A-Za-z0-9_-]{{43}}")
# last_used_at is written at most this often per key, so ingest does not write a row per event.
TOUCH_EVERY = timedelta(seconds=60)
# A verified key is trusted this long without reading its row again (ingest sends one request per event). A
# key revoked by this process stops at once; revoked by another receiver process, within this many seconds.
VERIFIED_FOR_SECONDS = 5.0


class InvalidKey(ApiError):
    status, code = 422, "invalid_api_key"


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass
class _Verified:
    principal: Principal
    last_used_at: datetime | None
    until: float  # time.monotonic() after which the row is read again


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    scope: Scope
    namespaces: list[str]
    created_at: datetime
    created_by: str
    last_used_at: datetime | None
    revoked_at: datetime | None

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "scope": self.scope.value, "namespaces": self.namespaces,
                "createdAt": iso(self.created_at), "createdBy": self.created_by,
                "lastUsedAt": iso(self.last_used_at), "revokedAt": iso(self.revoked_at)}


def _key(row: Any) -> ApiKey:
    return ApiKey(id=row.id, name=row.name, scope=Scope(row.scope), namespaces=list(row.namespaces or []),
                  created_at=row.created_at, created_by=row.created_by, last_used_at=row.last_used_at,
                  revoked_at=row.revoked_at)


def check_request(name: Any, scope: Any, namespaces: Any) -> tuple[str, Scope, list[str]]:
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise InvalidKey("name must be 1-200 characters", [{"path": "name", "message": "invalid name"}])
    try:
        parsed = Scope(scope)
    except ValueError:
        raise InvalidKey("scope must be ingest, read or admin", [{"path": "scope", "message": repr(scope)}]) from None
    ns = [] if namespaces is None else namespaces
    if not isinstance(ns, list) or not all(isinstance(n, str) and n and len(n) <= 1000 for n in ns):
        raise InvalidKey("namespaces must be a list of non-empty strings",
                         [{"path": "namespaces", "message": "invalid namespaces"}])
    if ns and parsed is not Scope.ingest:
        raise InvalidKey("only ingest keys can be limited to namespaces",
                         [{"path": "namespaces", "message": f"scope {parsed.value} covers every namespace"}])
    return name.strip(), parsed, sorted(set(ns))


class ApiKeyStore:
    def __init__(self, engine: sa.Engine, *, legacy_keys: Iterable[str] = ()) -> None:
        self.engine = engine
        # LINEAGELENS_INGEST_API_KEYS: each acts as an ingest key for every namespace.
        self.legacy_keys = [k for k in legacy_keys if k]
        self._verified: dict[str, _Verified] = {}  # digest of a live key -> its principal (never plain text)
        self._verified_lock = threading.Lock()

    def create(self, *, name: Any, scope: Any, namespaces: Any = None, created_by: str) -> tuple[ApiKey, str]:
        """A new key and its plain text, which is not stored and cannot be shown again."""
        clean_name, parsed, ns = check_request(name, scope, namespaces)
        key_id = secrets.token_hex(ID_LENGTH // 2)
        key = f"{PREFIX}{key_id}{secrets.token_urlsafe(32)}"
        with db.transaction(self.engine) as conn:
            conn.execute(api_keys.insert().values(id=key_id, name=clean_name, scope=parsed.value, namespaces=ns,
                                                  key_hash=digest(key), created_at=now(), created_by=created_by))
        return self.get(key_id), key

    def list(self) -> list[ApiKey]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(api_keys).order_by(api_keys.c.created_at, api_keys.c.id))
            return [_key(r) for r in rows]

    def get(self, key_id: str) -> ApiKey:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(api_keys).where(api_keys.c.id == key_id)).first()
        if row is None:
            raise NotFound(f"no API key {key_id!r}")
        return _key(row)

    def revoke(self, key_id: str) -> ApiKey:
        with db.transaction(self.engine) as conn:
            found = conn.execute(sa.select(api_keys.c.revoked_at).where(api_keys.c.id == key_id)).first()
            if found is None:
                raise NotFound(f"no API key {key_id!r}")
            if found.revoked_at is None:
                conn.execute(api_keys.update().where(api_keys.c.id == key_id).values(revoked_at=now()))
        self._unverify(key_id)
        return self.get(key_id)

    def principal(self, key: str) -> Principal | None:
        """The principal of a live key; None for an unknown or revoked one."""
        for index, legacy in enumerate(self.legacy_keys):
            if hmac.compare_digest(key.encode("utf-8"), legacy.encode("utf-8")):
                return for_key(key_id=f"env-{index}", name=f"ingest-key-{index + 1}", scope=Scope.ingest,
                               namespaces=None)
        match = KEY.fullmatch(key)
        if match is None:
            return None
        hashed = digest(key)
        with self._verified_lock:
            known = self._verified.get(hashed)
        if known is not None and known.until > time.monotonic():
            known.last_used_at = self._touch(known.principal.key_id or "", known.last_used_at)
            return known.principal
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(api_keys).where(api_keys.c.id == match.group(1))).first()
        if row is None or row.revoked_at is not None:
            self._unverify(match.group(1))
            return None
        if not hmac.compare_digest(row.key_hash, hashed):
            return None
        principal = for_key(key_id=row.id, name=row.name, scope=Scope(row.scope), namespaces=row.namespaces)
        verified = _Verified(principal, self._touch(row.id, row.last_used_at),
                             time.monotonic() + VERIFIED_FOR_SECONDS)
        with self._verified_lock:
            self._verified[hashed] = verified
        return principal

    def _unverify(self, key_id: str) -> None:
        with self._verified_lock:
            for hashed in [h for h, v in self._verified.items() if v.principal.key_id == key_id]:
                del self._verified[hashed]

    def _touch(self, key_id: str, last: datetime | None) -> datetime | None:
        """Record the key's use (at most every TOUCH_EVERY); the last-use time now on record."""
        stamp = now()
        if last is not None and stamp - last < TOUCH_EVERY:
            return last
        try:
            with db.transaction(self.engine) as conn:
                conn.execute(api_keys.update().where(api_keys.c.id == key_id).values(last_used_at=stamp))
        except sa.exc.SQLAlchemyError as exc:  # bookkeeping only: never fail the request for it
            log.warning("could not record the use of API key %s: %s", key_id, exc)
            return last
        return stamp

