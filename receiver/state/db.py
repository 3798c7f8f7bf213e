"""Engine creation and schema migration for the state database (SQLite or PostgreSQL)."""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from typing import Any, TypeVar

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.dialects import postgresql, sqlite

from lineagelens.receiver.state.file_lock import FileLock

log = logging.getLogger(__name__)

# Keys per IN (...) list: well under SQLite's and PostgreSQL's bind-parameter limits, even for tuples.
CHUNK = 400

T = TypeVar("T")


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in slices of ``size``, for IN lists."""
    for i in range(0, len(items), size):
        yield items[i:i + size]


# Advisory-lock keys (PostgreSQL) for work one process at a time must do.
LOCK_MIGRATE = 0x4C4C_0001
LOCK_PROJECT = 0x4C4C_0002


PRIVATE = 0o600
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def sqlite_path(url: str) -> str | None:
    """The file of a SQLite URL (``None`` for an in-memory database or a ``file:`` URI)."""
    database = sa.engine.make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database


def make_private(path: str) -> None:
    """Create the SQLite file ``path`` with mode 0600 before SQLite opens it (SQLite gives its -wal, -shm
    and -journal files the mode of the database file), and take group and other access away from a file
    and companions created earlier with a wider mode.

    An existing database file is never opened here, only chmod-ed: closing any descriptor of a file drops
    every POSIX lock this process holds on it, SQLite's included, and another process could then take the
    database for unused, checkpoint and remove the WAL under this one's open connections (lost commits)."""
    try:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, PRIVATE))
    except FileExistsError:
        pass
    except OSError:
        return  # a missing folder or a read-only file: SQLite reports it on connect
    for name in (path + suffix for suffix in SQLITE_COMPANIONS):
        try:
            mode = os.stat(name).st_mode & 0o777
            if mode & 0o077:
                os.chmod(name, mode & ~0o077)
                log.info("%s was readable by others (mode %o): now %o", name, mode, mode & ~0o077)
        except FileNotFoundError:
            continue
        except PermissionError as exc:  # not ours: say so, keep going
            log.warning("cannot restrict %s to its owner: %s", name, exc)


# SQLite copies the WAL into the database file (a checkpoint) inside the commit that takes the WAL past this
# many pages, while that commit still holds the writer lock: ~17 ms for a projection batch. Projection
# checkpoints after each of its transactions instead, once the lock is released (``transaction``), so commits
# meet this bound (~40 MB of WAL; SQLite's default is 1,000 pages) only when projection has stopped.
WAL_AUTOCHECKPOINT_PAGES = 10_000


def create_engine(url: str) -> sa.Engine:
    """An engine with the settings LineageLens relies on: WAL and a busy timeout on SQLite (committed
    events survive a crash of the process), its files readable by their owner only (0600), a pre-pinged
    pool on PostgreSQL."""
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        if path is not None:
            make_private(path)
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()
            if path is not None:
                make_private(path)  # the -wal and -shm files exist now

        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


# One writer at a time per SQLite database, queued in the process (a thread lock) and across processes (flock
# on a companion file, receiver/state/file_lock.py): a waiting writer wakes the moment the lock is free,
# whereas SQLite's busy handler polls with sleeps.
_SQLITE_WRITERS: weakref.WeakKeyDictionary[sa.Engine, FileLock | threading.Lock] = weakref.WeakKeyDictionary()
_SQLITE_WRITERS_GUARD = threading.Lock()
WRITER_LOCK_SUFFIX = "-writer.lock"
PROJECTION_LOCK_SUFFIX = "-projection.lock"


def _writer_lock(engine: sa.Engine) -> FileLock | threading.Lock:
    with _SQLITE_WRITERS_GUARD:
        lock = _SQLITE_WRITERS.get(engine)
        if lock is None:
            lock = _SQLITE_WRITERS[engine] = sqlite_lock(engine, WRITER_LOCK_SUFFIX) or threading.Lock()
        return lock


@contextmanager
def sqlite_writer(engine: sa.Engine) -> Iterator[None]:
    """Hold the one writer lock of a SQLite database (waiting up to 60 s)."""
    lock = _writer_lock(engine)
    if not lock.acquire(timeout=60):
        raise sa.exc.OperationalError("BEGIN IMMEDIATE", {}, TimeoutError("SQLite writer lock busy for 60 s"))
    try:
        yield
    finally:
        lock.release()


def sqlite_lock(engine: sa.Engine, suffix: str) -> FileLock | None:
    """A lock shared by every process using this SQLite file (``None`` for an in-memory database, which
    only this process sees)."""
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    return FileLock(path + suffix) if path is not None else None


@contextmanager
def transaction(engine: sa.Engine, *, durable: bool = True) -> Iterator[sa.Connection]:
    """A write transaction. On SQLite it takes the write lock up front (``BEGIN IMMEDIATE``): a deferred
    transaction that reads and then writes fails at once ("database is locked") when another connection
    wrote in between, whereas waiting for the lock up front is bounded by the busy timeout.

    ``durable=False`` is for writes that can be derived again from what is durable — a projection batch (the
    graph, the records, the events' projected marks), redone from the event log — or whose loss in a crash is
    harmless (the alert cursor skipping events no rule reads): on SQLite its commit does not
    wait for fsync (``synchronous=NORMAL``), which shortens how long it holds the one writer lock that ingest
    commits wait for. WAL keeps the order: a crash can lose such a commit only together with every later one,
    so the events it marked are simply projected again. After releasing the lock it checkpoints the WAL (see
    ``WAL_AUTOCHECKPOINT_PAGES``): a passive checkpoint lets other connections read and commit meanwhile. On
    PostgreSQL every commit is durable."""
    if engine.dialect.name != "sqlite":
        with engine.begin() as conn:
            yield conn
        return
    with _sqlite_transaction(engine, durable=durable) as conn:
        yield conn
    if not durable:
        _checkpoint(engine)


@contextmanager
def _sqlite_transaction(engine: sa.Engine, *, durable: bool) -> Iterator[sa.Connection]:
    with sqlite_writer(engine), engine.connect() as conn:
        if not durable:
            conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            conn.commit()
        finally:
            if not durable:
                conn.exec_driver_sql("PRAGMA synchronous=FULL")  # the pooled connection's default again


def _checkpoint(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")


# Part of a write made by ``write_in_steps``: a callable writing on the transaction's connection.
WriteStep = Callable[[sa.Connection], None]
# Rows per step, for writes split into steps: a few milliseconds of SQLite's work at most.
STEP_ROWS = 200
# A projection batch on SQLite commits once a transaction has held the writer lock this long, rather than once:
# ingest commits queue for the same lock, and one transaction per batch made them wait up to ~45 ms (a 400-event
# batch held it ~22 ms for its graph, ~20 for its records and marks).
SQLITE_TRANSACTION_SECONDS = 0.003
# Between two of those transactions the writer pauses this long, so a commit queued on the lock takes it: a
# writer that asks again at once would usually get it back before the woken waiter has run.
SQLITE_HANDOVER_SECONDS = 0.0005


def write_in_steps(engine: sa.Engine, steps: Iterable[WriteStep]) -> None:
    """Make ``steps`` in order: writes derived from the event log (a projection batch), idempotent, so they
    can be redone after a crash at any point. On PostgreSQL they share one transaction, which blocks no one.
    On SQLite they share non-durable transactions (``transaction(durable=False)``), each committed once it has
    held the writer lock ``SQLITE_TRANSACTION_SECONDS`` (plus the step under way), and the lock is handed over
    in between: an ingest commit waits for one short transaction, not the whole batch. Readers may see a batch
    half written, as they already do between its graph and its records."""
    if engine.dialect.name != "sqlite":
        with engine.begin() as conn:
            for write in steps:
                write(conn)
        return
    pending = iter(steps)
    step: WriteStep | None = next(pending, None)
    if step is None:
        return
    while step is not None:
        with _sqlite_transaction(engine, durable=False) as conn:
            began = time.perf_counter()
            while step is not None:
                step(conn)
                step = next(pending, None)
                if time.perf_counter() - began >= SQLITE_TRANSACTION_SECONDS:
                    break
        if step is not None:
            time.sleep(SQLITE_HANDOVER_SECONDS)
    _checkpoint(engine)


def insert(engine: sa.Engine, table: sa.Table) -> Any:
    """The dialect's INSERT, which has ``on_conflict_do_nothing`` / ``on_conflict_do_update``."""
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


@contextmanager
def try_session_lock(engine: sa.Engine, key: int, local: threading.Lock) -> Iterator[bool]:
    """Whether this thread holds ``key``: across receivers, a PostgreSQL session advisory lock, released when the
    block ends or its connection closes (a receiver that dies lets go); elsewhere (SQLite: one process does the
    work) only ``local``, the caller's process lock. For work one receiver at a time does while the others skip
    it: never blocks."""
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


def advisory_xact_lock(conn: sa.Connection, key: int) -> None:
    """Take a PostgreSQL transaction-level advisory lock, held until ``conn``'s transaction ends.
    On SQLite the write lock taken by the transaction itself serialises writers."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def alembic_config(url: str) -> Config:
    root = resources.files("lineagelens.receiver").joinpath("migrations")
    config = Config()
    config.set_main_option("script_location", str(root))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: sa.Engine) -> None:
    """Bring the schema to the newest revision (one process at a time on PostgreSQL)."""
    with engine.begin() as conn:
        advisory_xact_lock(conn, LOCK_MIGRATE)
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
