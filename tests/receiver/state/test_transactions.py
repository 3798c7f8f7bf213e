"""Write transactions on SQLite (receiver/state/db.py): one writer at a time across the processes of a machine,
and projection batches committed without waiting for fsync while every other write does."""

from __future__ import annotations

from pathlib import Path

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


def test_writers_of_one_database_share_a_lock_file_beside_it(engine: sa.Engine, tmp_path: Path) -> None:
    with db.transaction(engine):
        pass
    assert (tmp_path / f"t.db{db.WRITER_LOCK_SUFFIX}").exists()
    memory = db.create_engine("sqlite://")
    with db.transaction(memory) as conn:  # an in-memory database is this process's alone: a thread lock
        conn.exec_driver_sql("SELECT 1")
    assert db.sqlite_lock(memory, db.WRITER_LOCK_SUFFIX) is None
