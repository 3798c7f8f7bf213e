"""Event-driven rule evaluation, off the projection path.

The projector only wakes this evaluator (after each batch); the evaluator's own thread reads the run events
projected since its cursor (``alert_cursor``) — only their ids, types and run ids, no payloads — loads the
finished runs' facts, asks the rule index which rules watch each job and dataset, and hands firings and
recoveries to the incidents. Ingest never waits for any of it, and a restart resumes from the cursor.

It competes with ingest as little as it can (one process shares the GIL and, on SQLite, one writer): a pass
starts once projection batches stopped arriving for ``quiet_seconds`` or ``max_delay_seconds`` after the first
(``ALERT_EVALUATE_MAX_DELAY_SECONDS``: the bound on how late an event-driven alert fires); it reads what all its
runs need at once (duration history, event facets) and writes its firings, recoveries and cursor in short
transactions of at most ``CHUNK`` changes.

Across receivers one evaluator works at a time (a PostgreSQL advisory lock; the others skip the pass). The
cursor never passes an event that is not projected yet.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa

from lineagelens.receiver.background import BackgroundLoop
from lineagelens.receiver.state import db
from lineagelens.receiver.state.db import transaction, try_session_lock
from lineagelens.receiver.state.tables import alert_cursor, incidents, lineage_events

from . import model as M
from .checks import EVENT_TYPES, RunChecks
from .facts import TERMINAL, Facts
from .incidents import IncidentService
from .rules import RuleIndex, RuleService

log = logging.getLogger(__name__)

CURSOR = "events"
CHUNK = 100  # firings and recoveries per write transaction
QUIET_SECONDS = 0.25  # no projection batch for this long: ingest is quiet, evaluate now
LOCK_EVALUATE = 0x4C4C_0A01
BATCH = 1000


def _advance(conn: sa.Connection, position: int) -> None:
    conn.execute(alert_cursor.update().where(alert_cursor.c.name == CURSOR).values(position=position))


class Evaluator(BackgroundLoop):
    thread_name = "lineagelens-alert-rules"

    def __init__(self, *, engine: sa.Engine, rules: RuleService, facts: Facts, incidents: IncidentService,
                 poll_seconds: float = 2.0, max_delay_seconds: float = 2.0, quiet_seconds: float = QUIET_SECONDS,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.engine = engine
        self.rules = rules
        self.facts = facts
        self.checks = RunChecks(facts)
        self.incidents = incidents
        self.poll_seconds = poll_seconds
        self.max_delay_seconds = max_delay_seconds  # a projected event waits at most this long (+ one pass)
        self.quiet_seconds = min(quiet_seconds, max_delay_seconds)
        self._last_wake = 0.0
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
                index = self.rules.index()
                if not index.types() & EVENT_TYPES and not self._has_active():
                    # nothing can fire or recover: skip to the bound without reading the events (not durably: a
                    # crash only makes the next pass skip again; on SQLite no fsync while holding the writer lock)
                    with transaction(self.engine, durable=False) as conn:
                        _advance(conn, bound)
                    return total
                with self.engine.connect() as conn:
                    rows = conn.execute(sa.select(lineage_events.c.id, lineage_events.c.run_id).where(
                        lineage_events.c.id > cursor, lineage_events.c.id <= bound,
                        lineage_events.c.event_type.in_(TERMINAL)).order_by(lineage_events.c.id).limit(BATCH)).all()
                position = rows[-1].id if len(rows) == BATCH else bound
                run_ids = list(dict.fromkeys(r.run_id for r in rows if r.run_id))
                changes: list[M.Firing | M.Recovery] = []
                if run_ids:
                    evaluated, changes = self._evaluate(index, run_ids)
                    total += evaluated

                # the pass's firings and recoveries in short write transactions of at most CHUNK changes (the
                # writer lock is released between them, so ingest commits interleave), the cursor with the
                # last one. A crash in between re-evaluates the pass: keys fire once, resolved stays resolved.
                while len(changes) > CHUNK:
                    self.incidents.apply(changes[:CHUNK])
                    changes = changes[CHUNK:]
                self.incidents.apply(changes, finish=functools.partial(_advance, position=position))

    def _has_active(self) -> bool:
        with self.engine.connect() as conn:
            return conn.scalar(sa.select(incidents.c.id).where(incidents.c.state.in_(("open", "acknowledged")))
                               .limit(1)) is not None

    def _evaluate(self, index: RuleIndex, run_ids: list[str]) -> tuple[int, list[M.Firing | M.Recovery]]:
        """How many finished runs were checked against ``index``, and their recoveries and firings in order
        (per run: its recoveries first, then its firings). Only reads."""
        now = self.clock()
        found = self.facts.runs(run_ids)
        finished = [found[r] for r in run_ids if r in found and found[r].state in TERMINAL]
        changes: list[M.Firing | M.Recovery] = []
        history = max((int(r.params.get("lastRuns", 20)) for r in index.by_type.get(M.RUN_DURATION, [])
                       if r.params.get("p95Factor")), default=0)
        facet_types = (M.DQ_ASSERTION, M.ROW_COUNT)
        need_facets = [r.run_id for r in finished if any(
            index.may_match(t, *key) for key in [k for k, _ in r.outputs] + r.inputs for t in facet_types)]
        with self.facts.durations_prefetched(finished, history), self.facts.facets_prefetched(need_facets):
            for run in finished:
                try:
                    firings, recoveries = self.checks.evaluate(index, run, now=now)
                except Exception:
                    log.exception("evaluating the rules for run %s failed", run.run_id)
                    continue
                changes += recoveries
                changes += firings
        return len(finished), changes

    # -- the thread --------------------------------------------------------------------------------
    def wake_here(self) -> None:
        self._last_wake = time.monotonic()
        super().wake_here()

    def gather(self, first: float) -> None:
        """After a wake at ``first``: wait while projection batches keep arriving (ingest is busy), until
        none came for ``quiet_seconds`` or ``max_delay_seconds`` have passed since ``first`` — one larger pass
        after a burst, instead of passes competing with it; under steady load one pass per the delay."""
        while not self._stop.is_set():
            now = time.monotonic()
            until = min(self._last_wake + self.quiet_seconds, first + self.max_delay_seconds)
            if now >= until:
                return
            self._stop.wait(until - now)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll_seconds)
            self.gather(time.monotonic())
            if self._stop.is_set():
                return
            self._wake.clear()
            try:
                self.drain()
            except Exception:
                log.exception("alert rule evaluation failed")
