"""Write transactions on SQLite (receiver/state/db.py): one writer at a time across the processes of a machine,
projection batches committed without waiting for fsync while every other write does, and the WAL copied into
the database file by projection once it has released the writer lock, not inside whichever commit fills it."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from lineagelens.receiver.state import db

FULL, NORMAL = 2, 1


@pytest.fixture
def engine(tmp_path: Path) -> sa.Engine:
    engine = db.create_engine(f"sqlite:///{tmp_path}/t.db")
    with db.transaction(engine) as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    return engine


def test_a_projection_batch_commits_without_fsync_and_leaves_the_connection_durable_again(engine: sa.Engine) -> None:
    seen: list[int] = []
    with db.transaction(engine, durable=False) as conn:
        seen.append(conn.exec_driver_sql("PRAGMA synchronous").scalar_one())
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
    with db.transaction(engine) as conn:
        seen.append(conn.exec_driver_sql("PRAGMA synchronous").scalar_one())
    assert seen == [NORMAL, FULL]


def test_a_failed_projection_batch_also_leaves_the_connection_durable(engine: sa.Engine) -> None:
    with pytest.raises(RuntimeError), db.transaction(engine, durable=False) as conn:
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        raise RuntimeError("graph write failed")
    with db.transaction(engine) as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar_one() == FULL
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar_one() == 0


def test_projection_checkpoints_the_wal_after_releasing_the_writer_lock_and_other_commits_leave_it_to_it(
        engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    database = tmp_path / "t.db"
    with db.transaction(engine) as conn:  # ~8 MB: past SQLite's default of 1,000 pages, which checkpoints here
        conn.exec_driver_sql("CREATE TABLE big (x TEXT)")
        conn.exec_driver_sql("INSERT INTO big VALUES " + ", ".join(["(zeroblob(4000))"] * 2000))
    size_after_commit = database.stat().st_size
    assert size_after_commit < 1_000_000  # still in the WAL

    lock_free_while_checkpointing: list[bool] = []
    real = sa.engine.Connection.exec_driver_sql

    def take_the_lock() -> None:
        with db.transaction(engine):
            pass

    def exec_driver_sql(self: sa.Connection, statement: str, *args: Any, **kwargs: Any) -> Any:
        if statement.startswith("PRAGMA wal_checkpoint"):
            other = threading.Thread(target=take_the_lock)
            other.start()
            other.join(timeout=10)
            lock_free_while_checkpointing.append(not other.is_alive())
        return real(self, statement, *args, **kwargs)

    monkeypatch.setattr(sa.engine.Connection, "exec_driver_sql", exec_driver_sql)
    with db.transaction(engine, durable=False) as conn:
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
    assert lock_free_while_checkpointing == [True]
    assert database.stat().st_size > 8_000_000  # the WAL's pages are in the database file now


def test_writers_of_one_database_share_a_lock_file_beside_it(engine: sa.Engine, tmp_path: Path) -> None:
    with db.transaction(engine):
        pass
    assert (tmp_path / f"t.db{db.WRITER_LOCK_SUFFIX}").exists()
    memory = db.create_engine("sqlite://")
    with db.transaction(memory) as conn:  # an in-memory database is this process's alone: a thread lock
        conn.exec_driver_sql("SELECT 1")
    assert db.sqlite_lock(memory, db.WRITER_LOCK_SUFFIX) is None
