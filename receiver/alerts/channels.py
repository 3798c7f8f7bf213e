"""Configured notification channels (``/api/v1/channels``): a channel type from the plugin registry, a config
validated by its schema with secret fields sealed at rest (the sources' :class:`SecretBox`, never returned),
the owners whose incidents it also receives, and a per-channel rate limit."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from lineagelens.receiver.errors import ApiError, Conflict, NotFound, validation_errors
from lineagelens.receiver.sources.network import NetworkGuard
from lineagelens.receiver.sources.registry import Registry
from lineagelens.receiver.sources.secrets import SecretBox, is_sealed
from lineagelens.receiver.sources.types import CheckContext, NotificationChannel, secret_fields, target_fields
from lineagelens.receiver.state.db import transaction
from lineagelens.receiver.state.tables import alert_channels

log = logging.getLogger(__name__)

TEST_MESSAGE: dict[str, Any] = {
    "event": "test", "title": "LineageLens test notification", "severity": "info",
    "text": "If you can read this, the channel works.", "link": None, "incident": None,
    "dedupKey": "lineagelens-test",
}


class UnknownChannelKind(ApiError):
    status, code = 422, "unknown_kind"


class InvalidChannel(ApiError):
    status, code = 422, "invalid_config"


class ChannelBody(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=validate.Length(min=1, max=64))
    config = fields.Dict(load_default=dict)
    owners = fields.List(fields.String(validate=validate.Length(min=1, max=500)), load_default=list,
                         validate=validate.Length(max=200))
    enabled = fields.Boolean(load_default=True)
    rate_limit_per_minute = fields.Integer(data_key="rateLimitPerMinute", load_default=30,
                                           validate=validate.Range(min=1, max=10_000))


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


@dataclass(frozen=True)
class Configured:
    """A stored channel, ready to send: its type and its config with secrets opened (memory only)."""

    id: str
    name: str
    kind: str
    channel: NotificationChannel | None
    config: dict[str, Any]
    enabled: bool
    rate_limit_per_minute: int


@dataclass
class ChannelService:
    engine: sa.Engine
    registry: Registry
    box: SecretBox
    guard: NetworkGuard
    timeout: float

    def context(self) -> CheckContext:
        return CheckContext(timeout=self.timeout, guard=self.guard)

    def channel_type(self, kind: str) -> NotificationChannel:
        found = self.registry.channels.get(kind)
        if found is None:
            raise UnknownChannelKind(f"unknown channel kind {kind!r}", [
                {"path": "kind", "message": f"one of: {', '.join(sorted(self.registry.channels))}"}])
        return found

    def _load_config(self, channel: NotificationChannel, config: Any, *, partial: Any = False) -> dict[str, Any]:
        if not isinstance(config, dict):
            raise InvalidChannel("config must be a JSON object", [{"path": "config", "message": "not an object"}])
        schema = channel.config_schema(unknown=RAISE, partial=partial)
        try:
            loaded: dict[str, Any] = schema.load(config)
        except ValidationError as exc:
            raise InvalidChannel(f"config does not fit the {channel.kind} schema",
                                 validation_errors(exc.normalized_messages(), root="config")) from exc
        names = {n: (f.data_key or n) for n, f in schema.fields.items()}
        return {names.get(k, k): v for k, v in loaded.items()}

    def present(self, row: Any) -> dict[str, Any]:
        channel = self.registry.channels.get(row.kind)
        config = {k: v for k, v in (row.config or {}).items() if not is_sealed(v)} if channel else {}
        secrets = secret_fields(channel.config_schema) if channel else []
        for name in secrets:
            config.pop(name, None)
        return {"id": row.id, "name": row.name, "kind": row.kind, "config": config,
                "secretsSet": sorted(k for k in secrets if (row.config or {}).get(k)),
                "owners": list(row.owners or []), "enabled": row.enabled,
                "rateLimitPerMinute": row.rate_limit_per_minute,
                "createdAt": _iso(row.created_at), "updatedAt": _iso(row.updated_at)}

    def _row(self, conn: sa.Connection, channel_id: str) -> Any:
        row = conn.execute(sa.select(alert_channels).where(alert_channels.c.id == channel_id)).first()
        if row is None:
            raise NotFound(f"no channel {channel_id!r}")
        return row

    def get(self, channel_id: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            return self.present(self._row(conn, channel_id))

    def find(self, *, kind: str | None, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        where = [alert_channels.c.kind == kind] if kind else []
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(alert_channels).where(*where)
                                .order_by(alert_channels.c.name).limit(limit).offset(offset)).all()
            total = conn.scalar(sa.select(sa.func.count()).select_from(alert_channels).where(*where)) or 0
        return [self.present(r) for r in rows], int(total)

    def _insert_or_conflict(self, conn: sa.Connection, stmt: Any, name: str) -> None:
        try:
            conn.execute(stmt)
        except sa.exc.IntegrityError as exc:
            raise Conflict(f"a channel named {name!r} exists", [{"path": "name", "message": "taken"}]) from exc

    def create(self, body: Mapping[str, Any]) -> dict[str, Any]:
        channel = self.channel_type(body["kind"])
        config = self.box.seal_config(self._load_config(channel, body["config"]), secret_fields(channel.config_schema))
        now = _now()
        row = {"id": str(uuid.uuid4()), "name": body["name"], "kind": body["kind"], "config": config,
               "owners": list(body["owners"]), "enabled": body["enabled"],
               "rate_limit_per_minute": body["rate_limit_per_minute"], "created_at": now, "updated_at": now}
        with transaction(self.engine) as conn:
            self._insert_or_conflict(conn, alert_channels.insert().values(**row), body["name"])
        return self.get(row["id"])

    def update(self, channel_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Secret fields left out keep their stored values, unless a target field (where the channel
        points: its URL, host, port) changes: then they are dropped, as for sources."""
        with transaction(self.engine) as conn:
            row = self._row(conn, channel_id)
            values: dict[str, Any] = {"updated_at": _now()}
            for key, column in (("name", "name"), ("owners", "owners"), ("enabled", "enabled"),
                                ("rate_limit_per_minute", "rate_limit_per_minute")):
                if key in body:
                    values[column] = list(body[key]) if key == "owners" else body[key]
            if "config" in body:
                channel = self.channel_type(row.kind)
                secrets = secret_fields(channel.config_schema)
                stored = dict(row.config or {})
                sent = dict(body["config"] or {})
                targets = target_fields(channel.config_schema)
                plain_old = {k: v for k, v in stored.items() if k not in secrets}
                moved = any(sent.get(k, plain_old.get(k)) != plain_old.get(k)
                            for k in (targets if targets is not None else [k for k in sent if k not in secrets]))
                merged = {**plain_old, **{k: v for k, v in sent.items() if k not in secrets}}
                kept = {} if moved else {k: stored[k] for k in secrets if k in stored and k not in sent}
                attrs = {(f.data_key or n): n for n, f in channel.config_schema().fields.items()}
                loaded = self._load_config(channel, {**merged, **{k: v for k, v in sent.items() if k in secrets}},
                                           partial=tuple(attrs.get(k, k) for k in kept))
                sealed = self.box.seal_config(loaded, secrets)
                values["config"] = {**sealed, **kept}
            self._insert_or_conflict(conn, alert_channels.update().where(alert_channels.c.id == channel_id)
                                     .values(**values), str(values.get("name", row.name)))
        return self.get(channel_id)

    def delete(self, conn: sa.Connection, channel_id: str) -> None:
        self._row(conn, channel_id)
        conn.execute(alert_channels.delete().where(alert_channels.c.id == channel_id))

    def configured(self, channel_id: str) -> Configured | None:
        """The channel ready to send (secrets opened in memory), or None when it no longer exists."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(alert_channels).where(alert_channels.c.id == channel_id)).first()
        if row is None:
            return None
        channel = self.registry.channels.get(row.kind)
        config = dict(row.config or {})
        if channel is not None:
            config = self.box.open_config(config, secret_fields(channel.config_schema))
        return Configured(id=row.id, name=row.name, kind=row.kind, channel=channel, config=config,
                          enabled=row.enabled, rate_limit_per_minute=row.rate_limit_per_minute)

    def reseal_secrets(self, box: SecretBox, *, check_only: bool = False) -> int:
        """Re-encrypt every channel secret under ``box``'s current key in one transaction (SecretsUnreadable,
        changing nothing, if one does not open); ``check_only`` opens them all and writes nothing."""
        total = 0
        with transaction(self.engine) as conn:
            rows = conn.execute(sa.select(alert_channels.c.id, alert_channels.c.kind, alert_channels.c.config)).all()
            for row in rows:
                channel = self.registry.channels.get(row.kind)
                names = secret_fields(channel.config_schema) if channel else []
                if check_only:
                    box.open_config(row.config or {}, [k for k, v in (row.config or {}).items() if is_sealed(v)])
                    continue
                config, count = box.reseal_config(row.config or {}, names)
                if count:
                    conn.execute(alert_channels.update().where(alert_channels.c.id == row.id).values(config=config))
                total += count
        return total

    def owned(self, conn: sa.Connection) -> list[tuple[str, frozenset[str]]]:
        """The enabled channels that are mapped to owners: (id, owners) each."""
        rows = conn.execute(sa.select(alert_channels.c.id, alert_channels.c.owners)
                            .where(alert_channels.c.enabled.is_(True))).all()
        return [(r.id, frozenset(r.owners)) for r in rows if r.owners]
