"""State files on disk: a SQLite database and its -wal/-shm files are readable by their owner only."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from lineagelens.receiver.state import db


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    previous = os.umask(0o022)  # what most systems run with: files 0644 unless told otherwise
    yield
    os.umask(previous)


def _write(engine: sa.Engine) -> None:
    with db.transaction(engine) as conn:
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")


@pytest.mark.usefixtures("usual_umask")
def test_a_new_sqlite_database_and_its_wal_files_are_0600(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    engine = db.create_engine(f"sqlite:///{path}")
    try:
        _write(engine)
        with engine.connect() as conn:  # the WAL is in use while a connection is open
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
            assert all(f.exists() for f in files)
            assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
    finally:
        engine.dispose()


@pytest.mark.usefixtures("usual_umask")
def test_a_world_readable_database_from_before_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = db.create_engine(f"sqlite:///{path}")
    _write(engine)
    engine.dispose()
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if name.exists():
            os.chmod(name, 0o644)
    engine = db.create_engine(f"sqlite:///{path}")
    try:
        _write(engine)
        with engine.connect():
            assert _mode(path) == 0o600 and _mode(Path(f"{path}-wal")) == 0o600
    finally:
        engine.dispose()


def test_in_memory_and_uri_databases_are_left_alone() -> None:
    assert db.sqlite_path("sqlite://") is None and db.sqlite_path("sqlite:///:memory:") is None
    assert db.sqlite_path("sqlite:///file:x.db?mode=ro&uri=true") is None
    assert db.sqlite_path("sqlite:////var/lib/lineagelens/state.db") == "/var/lib/lineagelens/state.db"


def _other_process(path: Path, sql: str) -> str:
    """Run ``sql`` on the database from another process (as a reader such as a backup or a test would)."""
    code = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
            "print(c.execute(sys.argv[2]).fetchall()); c.close()")
    return subprocess.run([sys.executable, "-c", code, str(path), sql], check=True, capture_output=True,
                          text=True).stdout.strip()


def test_new_connections_keep_sqlite_locks_so_another_process_cannot_drop_the_wal(tmp_path: Path) -> None:
    """Opening and closing the database file behind SQLite's back drops this process's POSIX locks: another
    process closing its connection then takes the database for unused, checkpoints and deletes the WAL while
    this process still writes into it, and those commits are lost to everyone else."""
    path = tmp_path / "state.db"
    engine = db.create_engine(f"sqlite:///{path}")
    try:
        _write(engine)
        with engine.connect() as held:  # an open pooled connection, as a running receiver has
            held.exec_driver_sql("SELECT count(*) FROM t").all()
            with engine.connect() as fresh:  # a new connection: the connect hook runs
                fresh.exec_driver_sql("SELECT 1").all()
            _other_process(path, "SELECT count(*) FROM t")
            for _ in range(3):
                _write(engine)
            assert _other_process(path, "SELECT count(*) FROM t") == "[(4,)]"
    finally:
        engine.dispose()
