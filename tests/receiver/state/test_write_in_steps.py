"""Writes made in steps (a projection batch): one transaction on PostgreSQL; on SQLite short transactions, with
the writer lock handed over in between, so an ingest commit waits for one of them rather than the whole batch."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from lineagelens.receiver.state import db
from lineagelens.receiver.state.db import WriteStep, transaction, write_in_steps

_meta = sa.MetaData()
_log = sa.Table("write_steps_log", _meta, sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                sa.Column("who", sa.Text, nullable=False))
# longer than a transaction may hold the SQLite writer lock: each step then commits on its own
_SLOW = db.SQLITE_TRANSACTION_SECONDS * 2


def _written(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(sa.select(_log.c.who).order_by(_log.c.id)))


def _slow_step(who: str, then: Callable[[], None] = lambda: None) -> WriteStep:
    def step(conn: sa.Connection) -> None:
        conn.execute(_log.insert().values(who=who))
        then()
        time.sleep(_SLOW)
    return step


@pytest.fixture
def engine(state_engine: sa.Engine) -> Iterator[sa.Engine]:
    _meta.create_all(state_engine)
    yield state_engine
    _meta.drop_all(state_engine)  # the PostgreSQL test database is shared: leave its schema as migrations made it


def test_on_sqlite_a_commit_queued_during_a_write_in_steps_goes_in_between_its_transactions(
        tmp_path: Path) -> None:
    engine = db.create_engine(f"sqlite:///{tmp_path}/state.db")
    _meta.create_all(engine)
    started = threading.Event()

    def ingest() -> None:
        started.wait(10)
        with transaction(engine) as conn:  # a durable commit, as the event log's
            conn.execute(_log.insert().values(who="ingest"))

    committer = threading.Thread(target=ingest)
    committer.start()
    write_in_steps(engine, [_slow_step("step 0", started.set), *(_slow_step(f"step {i}") for i in range(1, 10))])
    committer.join(10)
    written = _written(engine)
    assert sorted(written) == sorted(["ingest", *(f"step {i}" for i in range(10))])
    assert written.index("ingest") < written.index("step 9")  # it did not wait for the whole write
    engine.dispose()


def test_a_failing_step_undoes_every_step_on_postgresql_and_only_its_transaction_on_sqlite(
        engine: sa.Engine) -> None:
    def fail(conn: sa.Connection) -> None:
        conn.execute(_log.insert().values(who="failed"))
        raise sa.exc.OperationalError("INSERT", {}, Exception("connection lost"))

    with pytest.raises(sa.exc.OperationalError):
        write_in_steps(engine, [_slow_step("step 0"), _slow_step("step 1"), fail, _slow_step("step 3")])
    expected = ["step 0", "step 1"] if engine.dialect.name == "sqlite" else []
    assert _written(engine) == expected
