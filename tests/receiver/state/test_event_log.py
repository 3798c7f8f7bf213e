"""The event log's append: each new event gets an id, in the order given, and a duplicate gets None; a commit
group is one statement in autocommit on a connection the log keeps (no pool checkout after the first), and a
group too large for one statement still commits as one transaction; on SQLite and on PostgreSQL, where the
connection also survives its server backend being terminated."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from lineagelens.receiver.openlineage.validate import parse_event
from lineagelens.receiver.state import db
from lineagelens.receiver.state.event_log import EventLog, NewEvent
from lineagelens.receiver.state.tables import lineage_events
from tests.conftest import POSTGRES_URL, reset_postgres
from tests.factories import chain_events


@pytest.fixture
def engine(state_engine: sa.Engine) -> sa.Engine:
    return state_engine


@pytest.fixture
def pg_engine() -> Iterator[sa.Engine]:
    reset_postgres(POSTGRES_URL)
    made = db.create_engine(POSTGRES_URL)
    db.upgrade(made)
    yield made
    made.dispose()


def _events(runs: int) -> list[NewEvent]:
    return [NewEvent.of(parse_event(raw), raw) for raw in chain_events(runs, jobs=7)]


def _stored(engine: sa.Engine) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        return [(r.id, r.content_hash) for r in conn.execute(
            sa.select(lineage_events.c.id, lineage_events.c.content_hash).order_by(lineage_events.c.id))]


def test_new_events_get_ids_in_the_order_given_and_duplicates_get_none(engine: sa.Engine) -> None:
    log = EventLog(engine)
    events = _events(6)
    try:
        first = log.append(events[:5])
        again = log.append([events[5], events[2], events[6], events[6]])  # a stored one, and one sent twice
    finally:
        log.close()
    assert all(i is not None for i in first) and first == sorted(first)
    assert again[1] is None and again[3] is None
    assert again[0] is not None and again[2] is not None and first[-1] < again[0] < again[2]
    assert _stored(engine) == [(i, e.content_hash) for i, e in zip([*first, again[0], again[2]],
                                                                     events[:7], strict=True)]


def test_appends_after_the_first_take_no_connection_from_the_pool(engine: sa.Engine) -> None:
    checkouts: list[object] = []
    sa.event.listen(engine.pool, "checkout", lambda *args: checkouts.append(args))
    log = EventLog(engine)
    events = _events(10)
    try:
        log.append(events[:2])
        taken = len(checkouts)
        for i in range(2, len(events), 3):
            log.append(events[i:i + 3])
    finally:
        log.close()
    assert taken == 1 and len(checkouts) == 1
    assert len(_stored(engine)) == len(events)


@pytest.mark.postgres
def test_on_postgresql_an_append_after_its_connection_was_terminated_reconnects_once(pg_engine: sa.Engine) -> None:
    log = EventLog(pg_engine)
    events = _events(4)
    try:
        log.append(events[:2])
        with pg_engine.connect() as conn:  # the server ends every other backend of this database
            ended = conn.scalar(sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
        assert ended >= 1
        ids = log.append(events[2:])
    finally:
        log.close()
    assert all(i is not None for i in ids)
    assert [h for _, h in _stored(pg_engine)] == [e.content_hash for e in events]


def test_a_group_too_large_for_one_statement_is_one_transaction(engine: sa.Engine) -> None:
    log = EventLog(engine)
    size = engine.dialect.insertmanyvalues_page_size + 1
    raw = chain_events(1, jobs=1)[0]
    events = []
    for i in range(size):  # distinct events: each a run of its own
        copy = {**raw, "run": {**raw["run"], "runId": f"00000000-0000-4000-8000-{i:012d}"}}
        events.append(NewEvent.of(parse_event(copy), copy))
    broken = NewEvent.of(events[0].parsed, events[0].payload)
    broken.payload = None  # type: ignore[assignment]  # NOT NULL: the whole group must fail
    broken.__dict__["content_hash"] = "f" * 64
    try:
        with pytest.raises(sa.exc.IntegrityError):
            log.append([*events, broken])
        assert _stored(engine) == []  # no page of it was committed on its own
        ids = log.append(events)
    finally:
        log.close()
    assert len(ids) == size and None not in ids and ids == sorted(ids)


def test_on_sqlite_an_append_waits_for_the_one_writer_lock(tmp_path: Path) -> None:
    engine = db.create_engine(f"sqlite:///{tmp_path}/locked.db")
    db.upgrade(engine)
    log = EventLog(engine)
    done = threading.Event()
    try:
        with db.sqlite_writer(engine):  # a projection batch holds the lock
            worker = threading.Thread(target=lambda: (log.append(_events(1)), done.set()))
            worker.start()
            assert not done.wait(0.3)
        assert done.wait(10)
        worker.join()
    finally:
        log.close()
        engine.dispose()
    assert len(_stored(engine)) == 2
