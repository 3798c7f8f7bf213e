"""Sources: create, read, update, delete, connection tests with status history, and their datasets.

Secrets (config fields a source type marks with :func:`~.types.secret`) are stored, passed to connection
tests, and never returned: presenting a source drops them, and connection-test messages are scrubbed of
their values.
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

from lineagelens.receiver.errors import ApiError, Conflict, InvalidEvent, NotFound
from lineagelens.receiver.graph.base import GraphStore
from lineagelens.receiver.graph.model import GraphBatch, NodeKind, NodeRow, source_id
from lineagelens.receiver.sources.network import NetworkGuard, NetworkRefused
from lineagelens.receiver.sources.registry import Registry
from lineagelens.receiver.sources.types import REDACTED, CheckContext, ConnectionResult, SourceType, secret_fields
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
    guard: NetworkGuard
    timeout: float

    # -- validation --------------------------------------------------------------------------------
    def source_type(self, kind: str) -> SourceType:
        found = self.registry.sources.get(kind)
        if found is None:
            raise UnknownKind(f"unknown source kind {kind!r}", [
                {"path": "kind", "message": f"one of: {', '.join(sorted(self.registry.sources))}"}])
        return found

    def _load_config(self, source_type: SourceType, config: Any, *, partial: bool = False) -> dict[str, Any]:
        if not isinstance(config, dict):
            raise InvalidConfig("config must be a JSON object", [{"path": "config", "message": "not an object"}])
        schema = source_type.config_schema(unknown=RAISE, partial=partial)
        try:
            loaded: dict[str, Any] = schema.load(config)
        except ValidationError as exc:
            messages = exc.normalized_messages()
            raise InvalidConfig(f"config does not fit the {source_type.kind} schema", [
                {"path": f"config.{k}", "message": " ".join(map(str, v)) if isinstance(v, list) else str(v)}
                for k, v in messages.items()]) from exc
        # keep the wire names (data_key) so what is stored reads like what was sent
        names = {n: (f.data_key or n) for n, f in schema.fields.items()}
        return {names.get(k, k): v for k, v in loaded.items()}

    def _secrets(self, source_type: SourceType, config: Mapping[str, Any]) -> list[str]:
        return [str(config[k]) for k in secret_fields(source_type.config_schema) if config.get(k)]

    def present(self, row: Any) -> dict[str, Any]:
        source_type = self.registry.sources.get(row.kind)
        config = dict(row.config or {})
        namespaces: list[str] = []
        if source_type is not None:
            for name in secret_fields(source_type.config_schema):
                config.pop(name, None)
            try:
                namespaces = source_type.namespaces(self._attr_config(source_type, row.config or {}))
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

    def create(self, *, kind: str, name: str, description: str, config: Any) -> dict[str, Any]:
        source_type = self.source_type(kind)
        stored = self._load_config(source_type, config)
        now = _now()
        row: dict[str, Any] = {"id": str(uuid.uuid4()), "kind": kind, "name": name, "description": description,
               "config": stored, "status": "unknown", "created_at": now, "updated_at": now}
        try:
            with transaction(self.engine) as conn:
                conn.execute(sources.insert().values(**row))
        except sa.exc.IntegrityError as exc:
            raise Conflict(f"a {kind} source named {name!r} exists", [{"path": "name", "message": "taken"}]) from exc
        self._put_node(row["id"], kind, name, now)
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
                # secret fields left out (the UI never has them) keep their stored values
                merged = {**{k: v for k, v in (row.config or {}).items()}, **config} if isinstance(config, dict) \
                    else config
                values["config"] = self._load_config(source_type, merged)
            try:
                conn.execute(sources.update().where(sources.c.id == source).values(**values))
            except sa.exc.IntegrityError as exc:
                raise Conflict(f"a {row.kind} source named {name!r} exists",
                               [{"path": "name", "message": "taken"}]) from exc
        if name is not None:
            self._put_node(source, row.kind, name, values["updated_at"])
        return self.get(source)

    def delete(self, source: str) -> None:
        with transaction(self.engine) as conn:
            self._row(conn, source)
            conn.execute(sources.delete().where(sources.c.id == source))

    def _put_node(self, source: str, kind: str, name: str, at: datetime) -> None:
        node = NodeRow(source_id(source), NodeKind.SOURCE, kind, name, at, at, {})
        self.graph.apply(batch=GraphBatch(nodes={node.id: node}))

    # -- connection tests --------------------------------------------------------------------------
    def test(self, source: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = self._row(conn, source)
        source_type = self.source_type(row.kind)
        config = self._attr_config(source_type, row.config or {})
        secrets = self._secrets(source_type, row.config or {})
        try:
            result = source_type.test_connection(config, CheckContext(timeout=self.timeout, guard=self.guard))
        except NetworkRefused as exc:
            result = ConnectionResult(False, f"refused by the network guard: {exc}")
            self._record(source, result)
            raise Refused(result.message, [{"path": "config", "message": str(exc)}]) from exc
        except Exception as exc:
            log.warning("connection test of %s (%s) raised %s", source, row.kind, type(exc).__name__)
            result = ConnectionResult(False, f"connection test failed: {type(exc).__name__}: {exc}")
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
