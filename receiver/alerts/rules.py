"""Alert rules: their JSON shape (a marshmallow schema per rule type's parameters), CRUD, and the index
that finds the rules watching a node without testing every rule against every event."""

from __future__ import annotations

import logging
import threading
import uuid
import zoneinfo
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from croniter import croniter
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from lineagelens.receiver.errors import ApiError, NotFound, validation_errors
from lineagelens.receiver.state.db import transaction
from lineagelens.receiver.state.tables import alert_channels, alert_rules

from . import model as M

log = logging.getLogger(__name__)


class InvalidRule(ApiError):
    status, code = 422, "invalid_rule"


def _cron(value: str) -> None:
    if not croniter.is_valid(value):
        raise ValidationError("not a cron expression (5 fields, or 6 with seconds last)")


def _zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError("not an IANA time zone (Europe/Paris, UTC ...)") from exc


class Empty(Schema):
    class Meta:
        unknown = RAISE


class RunDurationParams(Empty):
    max_seconds = fields.Float(data_key="maxSeconds", validate=validate.Range(min=0, min_inclusive=False))
    p95_factor = fields.Float(data_key="p95Factor", validate=validate.Range(min=0, min_inclusive=False))
    last_runs = fields.Integer(data_key="lastRuns", load_default=20, validate=validate.Range(min=2, max=1000))
    min_runs = fields.Integer(data_key="minRuns", load_default=5, validate=validate.Range(min=1, max=1000))

    @validates_schema
    def _one_limit(self, data: dict[str, Any], **_: Any) -> None:
        if "max_seconds" not in data and "p95_factor" not in data:
            raise ValidationError("give maxSeconds, p95Factor or both", "maxSeconds")


class DeadlineParams(Empty):
    cron = fields.String(required=True, validate=_cron)
    timezone = fields.String(load_default="UTC", validate=_zone)


class FreshnessParams(Empty):
    max_age_minutes = fields.Float(data_key="maxAgeMinutes", required=True,
                                   validate=validate.Range(min=0, min_inclusive=False))


class SourceParams(Empty):
    checks = fields.Integer(load_default=3, validate=validate.Range(min=1, max=100))


class RowCountParams(Empty):
    min_percent = fields.Float(data_key="minPercent", required=True, validate=validate.Range(min=0, max=100))
    last_runs = fields.Integer(data_key="lastRuns", load_default=10, validate=validate.Range(min=1, max=1000))
    min_runs = fields.Integer(data_key="minRuns", load_default=3, validate=validate.Range(min=1, max=1000))


PARAMS: dict[str, type[Schema]] = {
    M.JOB_FAILED: Empty, M.RUN_DURATION: RunDurationParams, M.DEADLINE: DeadlineParams,
    M.FRESHNESS: FreshnessParams, M.SOURCE_UNHEALTHY: SourceParams, M.SCHEMA_CHANGE: Empty,
    M.DQ_ASSERTION: Empty, M.ROW_COUNT: RowCountParams,
}

_patterns = fields.List(fields.String(validate=validate.Length(min=1, max=500)), load_default=list,
                        validate=validate.Length(max=100))


class ScopeSchema(Schema):
    class Meta:
        unknown = RAISE

    namespaces = _patterns
    jobs = fields.List(fields.String(validate=validate.Length(min=1, max=500)), load_default=list,
                       validate=validate.Length(max=100))
    datasets = fields.List(fields.String(validate=validate.Length(min=1, max=500)), load_default=list,
                           validate=validate.Length(max=100))
    sources = fields.List(fields.String(validate=validate.Length(min=1, max=500)), load_default=list,
                          validate=validate.Length(max=100))
    owners = fields.List(fields.String(validate=validate.Length(min=1, max=500)), load_default=list,
                         validate=validate.Length(max=100))


class RuleBody(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    type = fields.String(required=True, validate=validate.OneOf(M.RULE_TYPES))
    enabled = fields.Boolean(load_default=True)
    severity = fields.String(load_default="error", validate=validate.OneOf(M.SEVERITIES))
    scope = fields.Nested(ScopeSchema, load_default=dict)
    params = fields.Dict(load_default=dict)
    channel_ids = fields.List(fields.String(validate=validate.Length(max=36)), data_key="channelIds",
                              load_default=list, validate=validate.Length(max=50))


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def load_rule_body(raw: Any, *, partial: bool = False) -> dict[str, Any]:
    """A validated rule body (params checked against its type's schema, kept in JSON names); InvalidRule."""
    if not isinstance(raw, dict):
        raise InvalidRule("the body must be a JSON object", [{"path": "$", "message": type(raw).__name__}])
    try:
        body: dict[str, Any] = RuleBody(partial=partial).load(raw)
    except ValidationError as exc:
        raise InvalidRule("invalid alert rule", validation_errors(exc.normalized_messages(), root="")) from exc
    if "type" in body or "params" in body:
        kind = body.get("type")
        if kind is not None:
            try:
                loaded = PARAMS[kind]().load(body.get("params") or {})
            except ValidationError as exc:
                raise InvalidRule(f"params do not fit the {kind} rule",
                                  validation_errors(exc.normalized_messages(), root="params")) from exc
            body["params"] = {_camel(k): v for k, v in loaded.items()}
    return body


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def rule_of(row: Any) -> M.Rule:
    return M.Rule(id=row.id, name=row.name, type=row.type, severity=row.severity, scope=M.Scope.of(row.scope),
                  params=dict(row.params or {}), channel_ids=tuple(row.channel_ids or ()), enabled=row.enabled,
                  created_at=row.created_at)


def present(row: Any) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "type": row.type, "enabled": row.enabled, "severity": row.severity,
            "scope": M.Scope.of(row.scope).as_json(), "params": row.params, "channelIds": list(row.channel_ids),
            "createdAt": _iso(row.created_at), "updatedAt": _iso(row.updated_at)}


def literal_prefix(pattern: str) -> str:
    """The literal characters a glob pattern starts with (all of it when it has no ``*``, ``?`` or ``[``)."""
    for i, char in enumerate(pattern):
        if char in "*?[":
            return pattern[:i]
    return pattern


class _NameIndex:
    """The rules of one type by the literal prefix of their name patterns: a node's candidates are the
    rules under one of its name's prefixes plus those without name patterns, so a node is tested against
    the few rules that can match it, not against all of them."""

    def __init__(self, rules: list[M.Rule], subject: str) -> None:
        self.order = {rule.id: n for n, rule in enumerate(rules)}
        self.any_name: list[M.Rule] = []
        self.by_prefix: dict[str, list[M.Rule]] = {}
        for rule in rules:
            patterns = rule.scope.names_for(subject)
            if not patterns:
                self.any_name.append(rule)
            for prefix in dict.fromkeys(literal_prefix(p) for p in patterns):
                self.by_prefix.setdefault(prefix, []).append(rule)
        self.lengths = sorted({len(p) for p in self.by_prefix})

    def candidates(self, name: str) -> list[M.Rule]:
        found = {r.id: r for r in self.any_name}
        for length in self.lengths:
            if length > len(name):
                break
            for rule in self.by_prefix.get(name[:length], ()):
                found[rule.id] = rule
        return sorted(found.values(), key=lambda r: self.order[r.id])


class RuleIndex:
    """The enabled rules by type, indexed by the literal prefixes of their name patterns, with per-node
    answers cached: a node is tested only against the rules its name can match (see :class:`_NameIndex`),
    once, and its answer is reused until the rules change."""

    def __init__(self, rules: Iterable[M.Rule]) -> None:
        self.by_type: dict[str, list[M.Rule]] = {}
        for rule in rules:
            if rule.enabled:
                self.by_type.setdefault(rule.type, []).append(rule)
        self._names = {t: _NameIndex(rs, M.SUBJECT[t]) for t, rs in self.by_type.items()}
        self._cache: dict[tuple[str, str, str], list[M.Rule]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return sum(len(v) for v in self.by_type.values())

    def types(self) -> set[str]:
        return set(self.by_type)

    def _by_name(self, rule_type: str, namespace: str, name: str) -> list[M.Rule]:
        """The rules of ``rule_type`` whose namespace and name patterns hold the node (owners not checked)."""
        names = self._names.get(rule_type)
        if names is None:
            return []
        key = (rule_type, namespace, name)
        with self._lock:
            found = self._cache.get(key)
        if found is None:
            subject = M.SUBJECT[rule_type]
            found = [r for r in names.candidates(name) if r.scope.matches_name(subject, namespace, name)]
            with self._lock:
                if len(self._cache) > 200_000:
                    self._cache.clear()
                self._cache[key] = found
        return found

    def may_match(self, rule_type: str, namespace: str, name: str) -> bool:
        """Whether a rule of ``rule_type`` may watch the node (its owners aside)."""
        return bool(self._by_name(rule_type, namespace, name))

    def matching(self, rule_type: str, namespace: str, name: str,
                 owners: Callable[[], Iterable[str]] | None = None) -> list[M.Rule]:
        """The enabled rules of ``rule_type`` whose scope holds the node; ``owners`` is called (once) only
        when a candidate rule is scoped by owner."""
        found = self._by_name(rule_type, namespace, name)
        if not any(r.scope.owners for r in found):
            return found
        names = set(owners() if owners else ())
        return [r for r in found if r.scope.matches_owners(names)]


class RuleService:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._index: RuleIndex | None = None
        self._fingerprint: tuple[Any, ...] = ()
        self._lock = threading.Lock()

    # -- the index ---------------------------------------------------------------------------------
    def index(self) -> RuleIndex:
        """The rules as committed now: rebuilt after a change made through this service, and when another
        process or receiver changed them (a count and latest-update check, one small query per call). So an
        evaluation pass sees every rule committed before it started: a rule created in an HTTP worker of
        ``serve`` applies to the very next event the background process evaluates."""
        with self._lock, self.engine.connect() as conn:
            found = tuple(conn.execute(sa.select(sa.func.count(), sa.func.max(alert_rules.c.updated_at))).one())
            if self._index is None or found != self._fingerprint:
                self._index = RuleIndex(rule_of(r) for r in conn.execute(sa.select(alert_rules)))
                self._fingerprint = found
            return self._index

    def invalidate(self) -> None:
        with self._lock:
            self._index = None

    # -- CRUD --------------------------------------------------------------------------------------
    def _check_channels(self, conn: sa.Connection, ids: list[str]) -> None:
        if not ids:
            return
        found = set(conn.scalars(sa.select(alert_channels.c.id).where(alert_channels.c.id.in_(ids))))
        missing = [i for i in ids if i not in found]
        if missing:
            raise InvalidRule("unknown channels", [{"path": "channelIds", "message": f"no channel {m!r}"}
                                                   for m in missing])

    def _row(self, conn: sa.Connection, rule_id: str) -> Any:
        row = conn.execute(sa.select(alert_rules).where(alert_rules.c.id == rule_id)).first()
        if row is None:
            raise NotFound(f"no alert rule {rule_id!r}")
        return row

    def get(self, rule_id: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            return present(self._row(conn, rule_id))

    def rule(self, rule_id: str) -> M.Rule:
        with self.engine.connect() as conn:
            return rule_of(self._row(conn, rule_id))

    def find(self, *, rule_type: str | None, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        where = [alert_rules.c.type == rule_type] if rule_type else []
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(alert_rules).where(*where).order_by(alert_rules.c.name, alert_rules.c.id)
                                .limit(limit).offset(offset)).all()
            total = conn.scalar(sa.select(sa.func.count()).select_from(alert_rules).where(*where)) or 0
        return [present(r) for r in rows], int(total)

    def create(self, raw: Any) -> dict[str, Any]:
        body = load_rule_body(raw)
        now = _now()
        row = {"id": str(uuid.uuid4()), "name": body["name"], "type": body["type"], "enabled": body["enabled"],
               "severity": body["severity"], "scope": body["scope"], "params": body["params"],
               "channel_ids": body["channel_ids"], "created_at": now, "updated_at": now}
        with transaction(self.engine) as conn:
            self._check_channels(conn, body["channel_ids"])
            conn.execute(alert_rules.insert().values(**row))
        self.invalidate()
        return self.get(row["id"])

    def update(self, rule_id: str, raw: Any) -> dict[str, Any]:
        with transaction(self.engine) as conn:
            current = present(self._row(conn, rule_id))
            merged = {k: current[k] for k in ("name", "type", "enabled", "severity", "scope", "params", "channelIds")}
            if isinstance(raw, dict):
                if "type" in raw and raw["type"] != current["type"] and "params" not in raw:
                    merged["params"] = {}
                merged.update({k: v for k, v in raw.items() if k in merged})
            body = load_rule_body(merged)
            self._check_channels(conn, body["channel_ids"])
            conn.execute(alert_rules.update().where(alert_rules.c.id == rule_id).values(
                name=body["name"], type=body["type"], enabled=body["enabled"], severity=body["severity"],
                scope=body["scope"], params=body["params"], channel_ids=body["channel_ids"], updated_at=_now()))
        self.invalidate()
        return self.get(rule_id)

    def delete(self, rule_id: str) -> None:
        with transaction(self.engine) as conn:
            self._row(conn, rule_id)
            conn.execute(alert_rules.delete().where(alert_rules.c.id == rule_id))
        self.invalidate()

    def forget_channel(self, conn: sa.Connection, channel_id: str) -> None:
        """A channel is being deleted: take it out of every rule (inside the caller's transaction)."""
        for row in conn.execute(sa.select(alert_rules.c.id, alert_rules.c.channel_ids)):
            if channel_id in (row.channel_ids or []):
                conn.execute(alert_rules.update().where(alert_rules.c.id == row.id).values(
                    channel_ids=[c for c in row.channel_ids if c != channel_id], updated_at=_now()))
        self.invalidate()
