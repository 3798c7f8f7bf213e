"""Source health checks: periodic (every ``LINEAGELENS_HEALTH_CHECK_INTERVAL`` seconds, or a source's own
``checkIntervalSeconds``) and on demand (``POST /api/v1/sources/<id>/test``), through the sources' own
connection tests and the network guard. Results are the ``source_checks`` history; a change of status is a
``source`` row of the change feed (a ``source.health`` message).

Exactly one process across receivers runs the periodic checks: the holder of a PostgreSQL session advisory
lock (on SQLite, of an exclusive lock on a file next to the database). When the leader dies its lock goes
with its connection and another process takes over at its next tick; which sources are due is read from
the database, so a new leader does not repeat a check.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import IO, Any

import sqlalchemy as sa

from lineagelens.receiver.errors import NotFound
from lineagelens.receiver.monitoring.changes import SOURCE, ChangeFeed
from lineagelens.receiver.monitoring.status import iso
from lineagelens.receiver.sources.service import SourceService
from lineagelens.receiver.state.db import sqlite_path, transaction
from lineagelens.receiver.state.tables import source_checks, sources

log = logging.getLogger(__name__)

LOCK_HEALTH = 0x4C4C_0011


class Leadership:
    """Whether this process is the one that runs periodic checks."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._conn: sa.Connection | None = None
        self._file: IO[bytes] | None = None

    def held(self) -> bool:
        """Take the lock if free; True while this process holds it."""
        if self.engine.dialect.name == "postgresql":
            return self._postgres()
        return self._file_lock()

    def _postgres(self) -> bool:
        try:
            if self._conn is not None:
                self._conn.execute(sa.text("SELECT 1"))
                return True
            conn = self.engine.connect()
            got = bool(conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_HEALTH}).scalar())
            conn.commit()
            if got:
                self._conn = conn
                log.info("this process now runs the source health checks")
                return True
            conn.close()
        except sa.exc.DBAPIError as exc:
            log.warning("health-check leadership lost: %s", exc)
            self.release()
        return False

    def _file_lock(self) -> bool:
        if self._file is not None:
            return True
        path = sqlite_path(self.engine.url.render_as_string(hide_password=False))
        if path is None:
            return True  # an in-memory database lives in this one process
        handle = open(path + ".health-lock", "ab")  # noqa: SIM115 - held open while leader
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        os.chmod(handle.name, 0o600)
        self._file = handle
        return True

    def release(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sa.exc.DBAPIError):
                self._conn.close()
            self._conn = None
        if self._file is not None:
            self._file.close()
            self._file = None


class HealthChecks:
    def __init__(self, *, engine: sa.Engine, sources_: SourceService, feed: ChangeFeed, interval: float,
                 wake: Callable[[], None]) -> None:
        self.engine = engine
        self.sources = sources_
        self.feed = feed
        self.interval = interval
        self.wake = wake
        self.leadership = Leadership(engine)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- one check ---------------------------------------------------------------------------------
    def check(self, source: str) -> dict[str, Any]:
        """Run the source's connection test, keep it as history, and publish a change of status. Errors
        of the test itself (the network guard's refusal ...) propagate after the result is recorded."""
        with self.engine.connect() as conn:
            before = conn.execute(sa.select(sources.c.status).where(sources.c.id == source)).scalar()
        if before is None:
            raise NotFound(f"no source {source!r}")
        try:
            return self.sources.test(source)
        finally:
            self._transition(source, before)

    def _transition(self, source: str, before: str) -> None:
        with transaction(self.engine) as conn:
            after = conn.execute(sa.select(sources.c.status).where(sources.c.id == source)).scalar()
            if after is None or after == before:
                return
            check = conn.execute(sa.select(sa.func.max(source_checks.c.id))
                                 .where(source_checks.c.source_id == source)).scalar()
            self.feed.write(conn, [{"kind": SOURCE, "subject": f"source:{source}", "ref": str(check)}])
        self.wake()

    # -- per-source intervals ----------------------------------------------------------------------
    def set_interval(self, source: str, seconds: int | None) -> None:
        """A source's own check interval (None: the ``HEALTH_CHECK_INTERVAL`` setting)."""
        with transaction(self.engine) as conn:
            conn.execute(sources.update().where(sources.c.id == source).values(check_interval_seconds=seconds))

    def interval_of(self, source: str) -> int | None:
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(sources.c.check_interval_seconds).where(sources.c.id == source)).scalar()
        return None if found is None else int(found)

    # -- the periodic checks -----------------------------------------------------------------------
    def due(self, now: datetime) -> list[str]:
        stmt = sa.select(sources.c.id, sources.c.checked_at, sources.c.check_interval_seconds)
        with self.engine.connect() as conn:
            rows = conn.execute(stmt.order_by(sources.c.checked_at.is_not(None), sources.c.checked_at)).all()
        return [r.id for r in rows
                if r.checked_at is None
                or now - r.checked_at >= timedelta(seconds=r.check_interval_seconds or self.interval)]

    def run_due(self) -> int:
        """Check every source that is due (the leader's tick); returns how many were checked."""
        checked = 0
        for source in self.due(datetime.now(UTC)):
            if self._stop.is_set():
                break
            try:
                self.check(source)
            except NotFound:
                continue  # deleted meanwhile
            except Exception as exc:  # a refusal, a broken plugin: recorded as the source's status
                log.info("health check of source %s: %s", source, exc)
            checked += 1
        return checked

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self._thread is None and self.interval > 0:
            self._thread = threading.Thread(target=self._run, name="lineagelens-health", daemon=True)
            self._thread.start()

    def _tick_seconds(self) -> float:
        return max(0.5, min(10.0, self.interval / 4))

    def _run(self) -> None:
        while not self._stop.wait(self._tick_seconds()):
            try:
                if self.leadership.held():
                    self.run_due()
            except Exception:
                log.exception("source health checks failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(3)
        self.leadership.release()


def history(engine: sa.Engine, source: str, *, since: datetime | None, limit: int) -> tuple[list[dict[str, Any]], int]:
    """A source's checks, newest first: ``{status, latencyMs, message, checkedAt}``, and how many match."""
    where = [source_checks.c.source_id == source]
    if since is not None:
        where.append(source_checks.c.checked_at >= since)
    with engine.connect() as conn:
        if conn.execute(sa.select(sources.c.id).where(sources.c.id == source)).first() is None:
            raise NotFound(f"no source {source!r}")
        rows = conn.execute(sa.select(source_checks).where(*where)
                            .order_by(source_checks.c.checked_at.desc(), source_checks.c.id.desc())
                            .limit(limit)).all()
        total = conn.scalar(sa.select(sa.func.count()).select_from(source_checks).where(*where)) or 0
    return [{"status": "healthy" if r.ok else "unhealthy", "latencyMs": r.latency_ms, "message": r.message,
             "checkedAt": iso(r.checked_at)} for r in rows], int(total)
