"""Sources: create, read, update, delete, connection tests with status history, and their datasets.

Secrets (config fields a source type marks with :func:`~.types.secret`) are stored sealed (see
:mod:`.secrets`), opened in memory only for a connection test, and never returned: presenting a source drops
them, and connection-test messages are scrubbed of their values. An update that changes where a source points
(its :func:`~.types.target` fields) drops the stored secrets unless it sends them again.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from marshmallow import RAISE, ValidationError

from lineagelens.receiver.errors import ApiError, Conflict, InvalidEvent, NotFound, validation_errors
from lineagelens.receiver.graph.base import GraphStore
from lineagelens.receiver.graph.model import GraphBatch, NodeKind, NodeRow, source_id
from lineagelens.receiver.sources.network import NetworkGuard, NetworkRefused
from lineagelens.receiver.sources.registry import Registry
from lineagelens.receiver.sources.secrets import SecretBox, SecretsUnreadable, is_sealed
from lineagelens.receiver.sources.types import (
    REDACTED,
    CheckContext,
    ConnectionResult,
    SourceType,
    secret_fields,
    target_fields,
)
from lineagelens.receiver.state.db import transaction
from lineagelens.receiver.state.tables import datasets, source_checks, sources

log = logging.getLogger(__name__)


class UnknownKind(ApiError):
    status, code = 422, "unknown_kind"


class InvalidConfig(ApiError):
    status, code = 422, "invalid_config"


class Refused(ApiError):
    status, code = 403, "network_refused"


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def scrub(text: str, secrets: list[str]) -> str:
    for value in secrets:
        if value:
            text = text.replace(value, REDACTED)
    return text


def _scrub_any(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        return scrub(value, secrets)
    if isinstance(value, dict):
        return {k: _scrub_any(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_any(v, secrets) for v in value]
    return value


@dataclass
class SourceService:
    engine: sa.Engine
    graph: GraphStore
    registry: Registry
    box: SecretBox  # seals and opens secret config values
    guard: NetworkGuard
    timeout: float
    filesystem_roots: tuple[str, ...] = ()  # LINEAGELENS_FILESYSTEM_ROOTS, resolved

    # -- validation --------------------------------------------------------------------------------
    def source_type(self, kind: str) -> SourceType:
        found = self.registry.sources.get(kind)
        if found is None:
            raise UnknownKind(f"unknown source kind {kind!r}", [
                {"path": "kind", "message": f"one of: {', '.join(sorted(self.registry.sources))}"}])
        return found

    def _load_config(self, source_type: SourceType, config: Any, *,
                     partial: bool | tuple[str, ...] = False) -> dict[str, Any]:
        if not isinstance(config, dict):
            raise InvalidConfig("config must be a JSON object", [{"path": "config", "message": "not an object"}])
        schema = source_type.config_schema(unknown=RAISE, partial=partial)
        try:
            loaded: dict[str, Any] = schema.load(config)
        except ValidationError as exc:
            messages = exc.normalized_messages()
            raise InvalidConfig(f"config does not fit the {source_type.kind} schema",
                                validation_errors(messages, root="config")) from exc
        # keep the wire names (data_key) so what is stored reads like what was sent
        names = {n: (f.data_key or n) for n, f in schema.fields.items()}
        return {names.get(k, k): v for k, v in loaded.items()}

    def _secrets(self, source_type: SourceType, config: Mapping[str, Any]) -> list[str]:
        return [str(config[k]) for k in secret_fields(source_type.config_schema) if config.get(k)]

    def present(self, row: Any) -> dict[str, Any]:
        source_type = self.registry.sources.get(row.kind)
        # without its plugin nobody knows which fields are secret: show no config at all
        config = {k: v for k, v in (row.config or {}).items() if not is_sealed(v)} if source_type else {}
        namespaces: list[str] = []
        if source_type is not None:
            for name in secret_fields(source_type.config_schema):
                config.pop(name, None)
            try:
                namespaces = source_type.namespaces(self._attr_config(source_type, config))
            except (KeyError, ValueError):
                namespaces = []
        return {
            "id": row.id, "graphId": source_id(row.id), "kind": row.kind, "name": row.name,
            "description": row.description, "config": config,
            "status": {"state": row.status, "message": row.status_message, "checkedAt": _iso(row.checked_at),
                       "latencyMs": row.latency_ms},
            "namespaces": namespaces, "createdAt": _iso(row.created_at), "updatedAt": _iso(row.updated_at),
        }

    @staticmethod
    def _attr_config(source_type: SourceType, stored: Mapping[str, Any]) -> dict[str, Any]:
        """Stored config (wire names) with attribute names added, so types may read either."""
        schema = source_type.config_schema()
        config = dict(stored)
        for name, f in schema.fields.items():
            if f.data_key and f.data_key in stored:
                config[name] = stored[f.data_key]
        return config

    # -- CRUD --------------------------------------------------------------------------------------
    def _row(self, conn: sa.Connection, source: str) -> Any:
        row = conn.execute(sa.select(sources).where(sources.c.id == source)).first()
        if row is None:
            raise NotFound(f"no source {source!r}")
        return row

    def get(self, source: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            return self.present(self._row(conn, source))

    def find(self, *, kind: str | None, q: str | None, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        where = []
        if kind:
            where.append(sources.c.kind == kind)
        if q:
            needle = f"%{q.lower().replace('%', '').replace('_', '')}%"
            where.append(sa.or_(sa.func.lower(sources.c.name).like(needle),
                                sa.func.lower(sources.c.description).like(needle)))
        stmt = sa.select(sources).where(*where).order_by(sources.c.name, sources.c.id).limit(limit).offset(offset)
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
            total = conn.scalar(sa.select(sa.func.count()).select_from(sources).where(*where)) or 0
        return [self.present(r) for r in rows], int(total)

    def new_row(self, *, kind: str, name: str, description: str, config: Any) -> dict[str, Any]:
        """A validated ``sources`` row with its secrets sealed, not stored yet (UnknownKind, InvalidConfig)."""
        source_type = self.source_type(kind)
        stored = self.box.seal_config(self._load_config(source_type, config), secret_fields(source_type.config_schema))
        now = _now()
        return {"id": str(uuid.uuid4()), "kind": kind, "name": name, "description": description,
                "config": stored, "status": "unknown", "created_at": now, "updated_at": now}

    @staticmethod
    def insert(conn: sa.Connection, row: dict[str, Any]) -> None:
        """Store a :meth:`new_row` inside the caller's transaction (Conflict when the name is taken); the
        caller puts its graph node (:meth:`put_node`) after the commit."""
        try:  # the caller's transaction rolls back with the Conflict
            conn.execute(sources.insert().values(**row))
        except sa.exc.IntegrityError as exc:
            raise Conflict(f"a {row['kind']} source named {row['name']!r} exists",
                           [{"path": "name", "message": "taken"}]) from exc

    def create(self, *, kind: str, name: str, description: str, config: Any) -> dict[str, Any]:
        row = self.new_row(kind=kind, name=name, description=description, config=config)
        with transaction(self.engine) as conn:
            self.insert(conn, row)
        self.put_node(row["id"], kind, name, row["created_at"])
        return self.get(row["id"])

    def update(self, source: str, *, name: str | None, description: str | None, config: Any | None,
               ) -> dict[str, Any]:
        with transaction(self.engine) as conn:
            row = self._row(conn, source)
            source_type = self.source_type(row.kind)
            values: dict[str, Any] = {"updated_at": _now()}
            if name is not None:
                values["name"] = name
            if description is not None:
                values["description"] = description
            if config is not None:
                values["config"] = self._updated_config(source, source_type, row.config or {}, config)
            else:  # a plain-text secret from before encryption is sealed on this write
                values["config"] = self.box.seal_config(row.config or {}, secret_fields(source_type.config_schema))
            try:
                conn.execute(sources.update().where(sources.c.id == source).values(**values))
            except sa.exc.IntegrityError as exc:
                raise Conflict(f"a {row.kind} source named {name!r} exists",
                               [{"path": "name", "message": "taken"}]) from exc
        if name is not None:
            self.put_node(source, row.kind, name, values["updated_at"])
        return self.get(source)

    def _updated_config(self, source: str, source_type: SourceType, stored: Mapping[str, Any],
                        sent: Any) -> dict[str, Any]:
        """The config to store after an update sent ``sent``: fields left out keep their stored values, and
        so do secret fields (the UI never has them) — unless a target field changed, then secrets not sent
        again are dropped. Secrets come back sealed; a legacy plain-text one is sealed now."""
        if not isinstance(sent, dict):
            return self._load_config(source_type, sent)  # InvalidConfig
        schema = source_type.config_schema
        secret_names = secret_fields(schema)
        unsent = [n for n in secret_names if n not in sent]
        partial = tuple(n for n, f in schema().fields.items() if (f.data_key or n) in unsent)
        loaded = self._load_config(source_type, {**{k: v for k, v in stored.items() if k not in secret_names},
                                                 **sent}, partial=partial)
        targets = target_fields(schema)
        compared = targets if targets is not None else sorted(set(loaded) | set(stored))
        moved = [k for k in compared if k not in secret_names and loaded.get(k) != stored.get(k)]
        dropped = [n for n in unsent if stored.get(n)] if moved else []
        for name in unsent:
            if name in stored and name not in dropped:
                loaded[name] = stored[name]
        if dropped:
            log.info("source %s now points elsewhere (%s): stored %s dropped", source, ", ".join(moved),
                     ", ".join(dropped))
        return self.box.seal_config(loaded, secret_names)

    def reseal_secrets(self, box: SecretBox) -> int:
        """Re-encrypt every stored secret (and seal plain-text ones) under ``box``'s current key, in one
        transaction: all sources or none. How many values it re-encrypted."""
        total = 0
        with transaction(self.engine) as conn:
            for row in conn.execute(sa.select(sources.c.id, sources.c.kind, sources.c.config)).all():
                source_type = self.registry.sources.get(row.kind)
                if source_type is None:
                    log.warning("source %s: kind %r is not loaded; only its encrypted values are re-encrypted",
                                row.id, row.kind)
                names = secret_fields(source_type.config_schema) if source_type else []
                config, count = box.reseal_config(row.config or {}, names)
                if count:
                    conn.execute(sources.update().where(sources.c.id == row.id).values(config=config))
                total += count
        return total

    def delete(self, source: str) -> None:
        with transaction(self.engine) as conn:
            self._row(conn, source)
            conn.execute(sources.delete().where(sources.c.id == source))

    def put_node(self, source: str, kind: str, name: str, at: datetime) -> None:
        node = NodeRow(source_id(source), NodeKind.SOURCE, kind, name, at, at, {})
        self.graph.apply(batch=GraphBatch(nodes={node.id: node}))

    # -- connection tests --------------------------------------------------------------------------
    def test(self, source: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = self._row(conn, source)
        source_type = self.source_type(row.kind)
        try:  # opened in memory only, for this test
            opened = self.box.open_config(row.config or {}, secret_fields(source_type.config_schema))
        except SecretsUnreadable:
            unreadable = ConnectionResult(False, "the stored secrets do not decrypt with the current key: enter "
                                                 "them again, or list the old key in "
                                                 "LINEAGELENS_PREVIOUS_SECRET_KEYS")
            self._record(source, unreadable)
            return unreadable.as_json()
        config = self._attr_config(source_type, opened)
        secrets = self._secrets(source_type, opened)
        try:
            result = source_type.test_connection(config, CheckContext(timeout=self.timeout, guard=self.guard,
                                                                      filesystem_roots=self.filesystem_roots))
        except NetworkRefused as exc:
            result = ConnectionResult(False, f"refused by the network guard: {exc}")
            self._record(source, result)
            raise Refused(result.message, [{"path": "config", "message": str(exc)}]) from exc
        except Exception as exc:
            log.warning("connection test of %s (%s) raised %s", source, row.kind, type(exc).__name__)
            # the exception's text may quote what the target sent: only its class is shown
            result = ConnectionResult(False, f"connection test failed ({type(exc).__name__})")
        result = ConnectionResult(result.ok, scrub(result.message, secrets), result.latency_ms,
                                  _scrub_any(result.details, secrets))
        self._record(source, result)
        return result.as_json()

    def _record(self, source: str, result: ConnectionResult) -> None:
        now = _now()
        with transaction(self.engine) as conn:
            conn.execute(source_checks.insert().values(source_id=source, ok=result.ok, message=result.message,
                                                       latency_ms=result.latency_ms, details=result.details,
                                                       checked_at=now))
            conn.execute(sources.update().where(sources.c.id == source).values(
                status="ok" if result.ok else "failing", status_message=result.message, checked_at=now,
                latency_ms=result.latency_ms))

    def history(self, source: str, *, limit: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            self._row(conn, source)
            rows = conn.execute(sa.select(source_checks).where(source_checks.c.source_id == source)
                                .order_by(source_checks.c.checked_at.desc(), source_checks.c.id.desc())
                                .limit(limit)).all()
        return [{"ok": r.ok, "message": r.message, "latencyMs": r.latency_ms, "details": r.details,
                 "checkedAt": _iso(r.checked_at)} for r in rows]

    def datasets(self, source: str, *, limit: int) -> list[dict[str, Any]]:
        """Observed datasets whose namespace belongs to the source."""
        presented = self.get(source)
        if not presented["namespaces"]:
            return []
        stmt = (sa.select(datasets.c.namespace, datasets.c.name, datasets.c.last_seen)
                .where(datasets.c.namespace.in_(presented["namespaces"]))
                .order_by(datasets.c.namespace, datasets.c.name).limit(limit))
        with self.engine.connect() as conn:
            return [{"id": f"dataset:{r.namespace}:{r.name}", "namespace": r.namespace, "name": r.name,
                     "updatedAt": _iso(r.last_seen)} for r in conn.execute(stmt)]


__all__ = ["InvalidConfig", "InvalidEvent", "Refused", "SourceService", "UnknownKind"]
