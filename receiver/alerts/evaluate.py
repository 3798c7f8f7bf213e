"""Event-driven rule evaluation, off the projection path.

The projector only wakes this evaluator (after each batch); the evaluator's own thread reads the run events
projected since its cursor (``alert_cursor``) — only their ids, types and run ids, no payloads — loads the
finished runs' facts, asks the rule index which rules watch each job and dataset, and hands firings and
recoveries to the incidents. Ingest never waits for any of it, and a restart resumes from the cursor.

Across receivers one evaluator works at a time (a PostgreSQL advisory lock; the others skip the pass). The
cursor never passes an event that is not projected yet.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlalchemy as sa

from lineagelens.receiver.alerts.loop import BackgroundLoop
from lineagelens.receiver.state import db
from lineagelens.receiver.state.db import transaction
from lineagelens.receiver.state.tables import alert_cursor, incidents, lineage_events

from .checks import EVENT_TYPES, RunChecks
from .facts import TERMINAL, Facts
from .incidents import IncidentService
from .rules import RuleService

log = logging.getLogger(__name__)

CURSOR = "events"
LOCK_EVALUATE = 0x4C4C_0A01
BATCH = 1000


@contextmanager
def try_session_lock(engine: sa.Engine, key: int, local: threading.Lock) -> Iterator[bool]:
    """Whether this thread holds ``key`` (PostgreSQL session advisory lock; a process lock elsewhere)."""
    if not local.acquire(blocking=False):
        yield False
        return
    try:
        if engine.dialect.name != "postgresql":
            yield True
            return
        with engine.connect() as conn:
            got = bool(conn.scalar(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": key}))
            conn.commit()
            try:
                yield got
            finally:
                if got:
                    conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                    conn.commit()
    finally:
        local.release()


class Evaluator(BackgroundLoop):
    thread_name = "lineagelens-alert-rules"

    def __init__(self, *, engine: sa.Engine, rules: RuleService, facts: Facts, incidents: IncidentService,
                 poll_seconds: float = 2.0, min_pass_seconds: float = 1.0,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.engine = engine
        self.rules = rules
        self.facts = facts
        self.checks = RunChecks(facts)
        self.incidents = incidents
        self.poll_seconds = poll_seconds
        self.min_pass_seconds = min(min_pass_seconds, poll_seconds)  # at most one pass per this many seconds
        self.clock = clock
        self._local = threading.Lock()
        self._init_loop()

    def ensure_cursor(self) -> None:
        """Start evaluating from the current end of the log (rules apply to events from now on)."""
        with self.engine.connect() as conn:
            if conn.scalar(sa.select(alert_cursor.c.position).where(alert_cursor.c.name == CURSOR)) is not None:
                return
            end = conn.scalar(sa.select(sa.func.max(lineage_events.c.id))) or 0
        with transaction(self.engine) as conn:
            conn.execute(db.insert(self.engine, alert_cursor).values(name=CURSOR, position=end)
                         .on_conflict_do_nothing(index_elements=["name"]))

    def _bound(self, conn: sa.Connection) -> int:
        """The last id the cursor may pass: just before the oldest unprojected event, else the newest."""
        pending = conn.scalar(sa.select(sa.func.min(lineage_events.c.id)).where(
            lineage_events.c.projected == sa.false()))
        if pending is not None:
            return int(pending) - 1
        return int(conn.scalar(sa.select(sa.func.max(lineage_events.c.id))) or 0)

    def drain(self) -> int:
        """Evaluate every projected run event after the cursor; how many finished runs were evaluated
        (0 when another receiver is evaluating)."""
        total = 0
        with try_session_lock(self.engine, LOCK_EVALUATE, self._local) as mine:
            if not mine:
                return 0
            while True:
                with self.engine.connect() as conn:
                    cursor = int(conn.scalar(sa.select(alert_cursor.c.position)
                                             .where(alert_cursor.c.name == CURSOR)) or 0)
                    bound = self._bound(conn)
                    if bound <= cursor:
                        return total
                    rows = conn.execute(sa.select(lineage_events.c.id, lineage_events.c.run_id).where(
                        lineage_events.c.id > cursor, lineage_events.c.id <= bound,
                        lineage_events.c.event_type.in_(TERMINAL)).order_by(lineage_events.c.id).limit(BATCH)).all()
                position = rows[-1].id if len(rows) == BATCH else bound
                run_ids = list(dict.fromkeys(r.run_id for r in rows if r.run_id))
                index = self.rules.index()
                if run_ids and (index.types() & EVENT_TYPES or self._has_active()):
                    total += self._evaluate(run_ids)
                with transaction(self.engine) as conn:
                    conn.execute(alert_cursor.update().where(alert_cursor.c.name == CURSOR)
                                 .values(position=position))

    def _has_active(self) -> bool:
        with self.engine.connect() as conn:
            return conn.scalar(sa.select(incidents.c.id).where(incidents.c.state.in_(("open", "acknowledged")))
                               .limit(1)) is not None

    def _evaluate(self, run_ids: list[str]) -> int:
        index = self.rules.index()
        now = self.clock()
        found = self.facts.runs(run_ids)
        count = 0
        for run_id in run_ids:
            run = found.get(run_id)
            if run is None or run.state not in TERMINAL:
                continue
            count += 1
            try:
                firings, recoveries = self.checks.evaluate(index, run, now=now)
                for recovery in recoveries:
                    self.incidents.recover(recovery)
                for firing in firings:
                    self.incidents.fire(firing)
            except Exception:
                log.exception("evaluating the rules for run %s failed", run_id)
        return count

    # -- the thread --------------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll_seconds)
            if self._stop.wait(self.min_pass_seconds):  # let batches gather: one pass, not one per batch
                return
            self._wake.clear()
            try:
                self.drain()
            except Exception:
                log.exception("alert rule evaluation failed")
