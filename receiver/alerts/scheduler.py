"""Time-driven rules — a job not complete by its deadline, a dataset not refreshed within its window, a
source unhealthy for N checks — evaluated every ``ALERT_SCHEDULE_SECONDS`` by exactly one receiver.

Leadership: the scheduler holds a PostgreSQL session advisory lock on a connection it keeps open; a receiver
that cannot take it does not evaluate. When the leader dies its connection closes, the lock is released and
another receiver takes over at its next tick. On SQLite there is one process. Independently of leadership,
each deadline and freshness evaluation is one ``sla_evaluations`` row (unique per rule, node and due time)
and each firing one ``alert_firings`` key, so an occurrence fires once even if two ticks raced.

``tick(now)`` takes the time as an argument: tests drive it with any clock.
"""

from __future__ import annotations

import contextlib
import logging
import zoneinfo
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from croniter import croniter

from lineagelens.receiver.background import BackgroundLoop
from lineagelens.receiver.graph.model import dataset_id, job_id, source_id
from lineagelens.receiver.state import db
from lineagelens.receiver.state.db import transaction
from lineagelens.receiver.state.tables import sla_evaluations, source_checks, sources

from . import model as M
from .facts import Facts
from .incidents import IncidentService
from .rules import RuleService

log = logging.getLogger(__name__)

LOCK_SCHEDULER = 0x4C4C_0A02


def last_deadline(cron: str, zone: str, now: datetime) -> tuple[datetime, datetime]:
    """``(previous, latest)``: the two most recent deadlines at or before ``now`` (UTC)."""
    local = now.astimezone(zoneinfo.ZoneInfo(zone))
    it = croniter(cron, local + timedelta(microseconds=1))
    latest = it.get_prev(datetime)
    previous = it.get_prev(datetime)
    return previous.astimezone(UTC), latest.astimezone(UTC)


def freshness_bucket(now: datetime, max_age_minutes: float) -> datetime:
    """The due time a freshness evaluation counts for: ``now`` floored to min(window, 1 h)."""
    step = max(60, int(min(max_age_minutes * 60, 3600)))
    seconds = int(now.timestamp()) // step * step
    return datetime.fromtimestamp(seconds, UTC)


class Scheduler(BackgroundLoop):
    thread_name = "lineagelens-alert-scheduler"

    def __init__(self, *, engine: sa.Engine, rules: RuleService, facts: Facts, incidents: IncidentService,
                 interval: float = 30.0, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.engine = engine
        self.rules = rules
        self.facts = facts
        self.incidents = incidents
        self.interval = interval
        self.clock = clock
        self._leader: sa.Connection | None = None
        self._init_loop()

    # -- leadership --------------------------------------------------------------------------------
    def lead(self) -> bool:
        """Whether this receiver is the scheduler (taking leadership when it is free)."""
        if self.engine.dialect.name != "postgresql":
            return True
        if self._leader is not None:
            try:
                self._leader.execute(sa.text("SELECT 1"))
                self._leader.commit()
                return True
            except sa.exc.DBAPIError:
                self._drop_leader()
        conn = self.engine.connect()
        try:
            got = bool(conn.scalar(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_SCHEDULER}))
            conn.commit()
        except sa.exc.DBAPIError:
            conn.close()
            return False
        if got:
            self._leader = conn
            log.info("this receiver runs the alert scheduler")
            return True
        conn.close()
        return False

    def _drop_leader(self) -> None:
        if self._leader is not None:
            with contextlib.suppress(sa.exc.DBAPIError):
                self._leader.close()
            self._leader = None

    # -- one evaluation ----------------------------------------------------------------------------
    def tick(self, now: datetime | None = None) -> int:
        """Evaluate every time-driven rule at ``now``; how many conditions fired."""
        now = now or self.clock()
        index = self.rules.index()
        fired = 0
        for rule in index.by_type.get(M.DEADLINE, []):
            fired += self._guarded(self._deadline, rule, now)
        if index.by_type.get(M.FRESHNESS):
            produced = self.facts.last_produced()
            for rule in index.by_type[M.FRESHNESS]:
                fired += self._guarded(self._freshness, rule, now, produced)
        for rule in index.by_type.get(M.SOURCE_UNHEALTHY, []):
            fired += self._guarded(self._source, rule, now)
        return fired

    def _guarded(self, check: Callable[..., int], rule: M.Rule, *args: object) -> int:
        try:
            return check(rule, *args)
        except Exception:
            log.exception("time-driven rule %s (%s) failed", rule.id, rule.type)
            return 0

    def _record(self, rule: M.Rule, node: str, kind: str, due: datetime, met: bool, now: datetime) -> bool:
        """Store one SLA evaluation; False when this (rule, node, due time) was evaluated already."""
        with transaction(self.engine) as conn:
            stmt = db.insert(self.engine, sla_evaluations).values(
                rule_id=rule.id, node_id=node, kind=kind, due_at=due, met=met, observed_at=now
            ).on_conflict_do_nothing(index_elements=["rule_id", "node_id", "due_at"])
            return bool(conn.execute(stmt).rowcount)

    def _deadline(self, rule: M.Rule, now: datetime) -> int:
        previous, due = last_deadline(str(rule.params["cron"]), str(rule.params.get("timezone") or "UTC"), now)
        if rule.created_at is not None and due < rule.created_at:
            return 0  # the rule did not exist at that deadline
        fired = 0
        for key, first_seen, owners in self.facts.all_nodes("job"):
            if not rule.scope.matches_name("job", *key) or not rule.scope.matches_owners(owners):
                continue
            if first_seen > due:
                continue
            node = job_id(*key)
            done = self.facts.completed_between(key, previous, due)
            if not self._record(rule, node, M.DEADLINE, due, done is not None, now) or done is not None:
                continue
            local = due.astimezone(zoneinfo.ZoneInfo(str(rule.params.get("timezone") or "UTC")))
            self.incidents.fire(M.Firing(rule, node, f"{rule.id}:{node}:{due.isoformat()}",
                                         f"Job {key[1]} not complete by {local:%Y-%m-%d %H:%M:%S %Z}",
                                         f"no run of {key[1]} completed between {previous.isoformat()} and "
                                         f"{due.isoformat()} (cron {rule.params['cron']}, "
                                         f"{rule.params.get('timezone') or 'UTC'})", now,
                                         {"dueAt": due.isoformat(), "windowStart": previous.isoformat()}))
            fired += 1
        return fired

    def _freshness(self, rule: M.Rule, now: datetime, produced: dict[tuple[str, str], datetime]) -> int:
        max_age = float(rule.params["maxAgeMinutes"])
        window = timedelta(minutes=max_age)
        fired = 0
        for key, first_seen, owners in self.facts.all_nodes("dataset"):
            if not rule.scope.matches_name("dataset", *key) or not rule.scope.matches_owners(owners):
                continue
            node = dataset_id(*key)
            last = produced.get(key)
            reference = last or first_seen
            stale = now - reference > window
            if rule.created_at is not None and now - rule.created_at <= window and last is None:
                stale = False  # a dataset never produced is stale only a full window after the rule exists
            self._record(rule, node, M.FRESHNESS, freshness_bucket(now, max_age), not stale, now)
            if not stale:
                self.incidents.recover(M.Recovery(node, frozenset({M.FRESHNESS}), "fresh again", now))
                continue
            self.incidents.fire(M.Firing(rule, node, f"{rule.id}:{node}:{reference.isoformat()}",
                                         f"Dataset {key[1]} not refreshed for {max_age:g} min",
                                         f"last produced {reference.isoformat()}" if last else
                                         f"never produced by a completed run since {reference.isoformat()}", now,
                                         {"lastProducedAt": last.isoformat() if last else None,
                                          "maxAgeMinutes": max_age}))
            fired += 1
        return fired

    def _source(self, rule: M.Rule, now: datetime) -> int:
        needed = int(rule.params.get("checks", 3))
        fired = 0
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(sources.c.id, sources.c.name)).all()
        for row in rows:
            if not rule.scope.matches_name("source", "", row.name):
                continue
            with self.engine.connect() as conn:
                checks = conn.execute(sa.select(source_checks.c.id, source_checks.c.ok, source_checks.c.message)
                                      .where(source_checks.c.source_id == row.id)
                                      .order_by(source_checks.c.checked_at.desc(), source_checks.c.id.desc())
                                      .limit(needed)).all()
            node = source_id(row.id)
            if checks and checks[0].ok:
                self.incidents.recover(M.Recovery(node, frozenset({M.SOURCE_UNHEALTHY}), "healthy again", now))
                continue
            if len(checks) < needed or any(c.ok for c in checks):
                continue
            first = checks[-1].id  # the streak's first failure in the window names the occurrence
            self.incidents.fire(M.Firing(rule, node, f"{rule.id}:{node}:{first}",
                                         f"Source {row.name} unhealthy for {needed} checks",
                                         str(checks[0].message)[:500], now, {"checks": needed}))
            fired += 1
        return fired

    # -- the thread --------------------------------------------------------------------------------
    def stop(self, timeout: float = 5.0) -> None:
        super().stop(timeout)
        self._drop_leader()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                if self.lead():
                    self.tick()
            except Exception:
                log.exception("alert scheduler tick failed")
