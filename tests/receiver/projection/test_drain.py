"""Draining in batches: writing batch n overlaps building batch n + 1 (on SQLite they take turns), and the
result is what one batch gives —
aliases learned by a batch fold the next one before its records are written, and a graph outage in a later
batch leaves that batch and the rest pending, as do records that fail after Neo4j has the batch's graph."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from lineagelens.receiver import gc_tuning, services
from lineagelens.receiver.graph.base import GraphUnavailable
from lineagelens.receiver.state import tables as T
from lineagelens.receiver.state.db import WriteStep, transaction
from tests.conftest import backend_config, close_app, make_app, post_events, projected_state, scenario
from tests.factories import chain_events
from tests.receiver.identity.support import dataset, run


def _events() -> list[dict[str, Any]]:
    """Real producers' scenarios, a chain of runs, and a table first named by its Hive alias (with a symlink to
    its s3 name) and then read under that s3 name by a later event."""
    hive, s3 = ("hive://metastore", "lake.orders"), ("s3://lake", "raw/orders")
    return [*scenario("CLL"), *scenario("airflow"), *chain_events(12, jobs=4),
            run("register", outputs=(dataset(*hive, {"id": "bigint"}, symlinks=[s3]),), minute=1),
            run("report", inputs=(dataset(*s3),), outputs=(dataset("s3://lake", "marts/daily"),), minute=2)]


@pytest.fixture(params=[pytest.param(True, id="overlapped"), pytest.param(False, id="serial")])
def unprojected(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A receiver that commits events without projecting them, with batches of ``batch_size``; its drainer
    writes a batch while it prepares the next (PostgreSQL's way) or one after the other (SQLite's)."""
    apps: list[Flask] = []

    def make(batch_size: int) -> Flask:
        folder = tmp_path / f"batch-{batch_size}"
        folder.mkdir()
        app = make_app({"DATABASE_URL": f"sqlite:///{folder}/state.db", "PROJECTION_MODE": "background",
                        "WORKER_ENABLED": False, "PROJECTION_BATCH_SIZE": batch_size})
        apps.append(app)
        post_events(app.test_client(), _events())
        services.get(app).projector.parsed.clear()  # as a drainer that did not ingest them: parse again
        services.get(app).projector.overlap_writes = request.param
        return app

    yield make
    for app in apps:
        close_app(app)


def _pending(app: Flask) -> int:
    return services.get(app).events.backlog()


def test_draining_in_batches_of_two_writes_exactly_what_one_batch_writes(unprojected: Any) -> None:
    small, whole = unprojected(2), unprojected(10_000)
    assert _pending(small) == _pending(whole) == len(_events())
    assert services.get(small).projector.drain().projected == len(_events())
    services.get(whole).projector.drain()
    assert _pending(small) == _pending(whole) == 0
    assert projected_state(small) == projected_state(whole)


def test_an_alias_learned_by_one_batch_folds_the_next_batch(unprojected: Any) -> None:
    app = unprojected(1)
    services.get(app).projector.drain()
    with services.get(app).engine.connect() as conn:
        datasets = {r.id for r in conn.execute(sa.select(T.graph_nodes.c.id).where(T.graph_nodes.c.kind == "dataset"))}
    assert "dataset:hive://metastore:lake.orders" in datasets
    assert "dataset:s3://lake:raw/orders" not in datasets  # folded into its Hive name, one batch later


def test_a_graph_outage_in_a_later_batch_keeps_it_and_the_rest_pending(unprojected: Any) -> None:
    app = unprojected(5)
    graph = services.get(app).graph
    real_apply, calls = graph.apply, []

    def failing_second(**kwargs: Any) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise GraphUnavailable("graph store went away")
        real_apply(**kwargs)

    graph.apply = failing_second  # type: ignore[method-assign]
    with pytest.raises(GraphUnavailable):
        services.get(app).projector.drain()
    assert _pending(app) == len(_events()) - 5  # the first batch is in, the second and the rest are not
    graph.apply = real_apply  # type: ignore[method-assign]
    services.get(app).projector.drain()
    assert _pending(app) == 0


def _failing_after_first_step(records: Any) -> Any:
    """``records.steps`` with a lost connection after the first step of the second batch's records."""
    real_steps, calls = records.steps, []

    def lost_connection(conn: sa.Connection) -> None:
        raise sa.exc.OperationalError("INSERT", {}, Exception("connection lost"))

    def failing_second(rows: Any) -> list[WriteStep]:
        calls.append(1)
        steps = real_steps(rows)
        return [*steps[:1], lost_connection, *steps[1:]] if len(calls) == 2 else steps

    return failing_second


def test_records_that_fail_partway_leave_the_batch_pending_and_the_next_drain_writes_what_one_drain_writes(
        unprojected: Any) -> None:
    app, whole = unprojected(5), unprojected(10_000)
    records = services.get(app).projector.records
    records.steps = _failing_after_first_step(records)  # type: ignore[method-assign]
    with pytest.raises(sa.exc.OperationalError):
        services.get(app).projector.drain()
    assert _pending(app) == len(_events()) - 5  # on SQLite part of its records may be in: merged again
    del records.steps  # the class's own again
    services.get(app).projector.drain()
    services.get(whole).projector.drain()
    assert _pending(app) == _pending(whole) == 0
    assert projected_state(app) == projected_state(whole)


def test_stored_events_are_not_validated_again_unless_stored_by_an_older_version(
        unprojected: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from lineagelens.receiver.projection import projector as module

    app = unprojected(10_000)
    with services.get(app).engine.begin() as conn:  # as if the first three came from before 0007
        conn.execute(T.lineage_events.update().where(T.lineage_events.c.id <= 3).values(dropped_facets=None))
    validated: list[int] = []
    real = module.parse_event
    monkeypatch.setattr(module, "parse_event", lambda raw: validated.append(1) or real(raw))
    assert services.get(app).projector.drain().projected == len(_events())
    assert len(validated) == 3


@pytest.fixture
def unprojected_neo4j(tmp_path: Path) -> Iterator[Flask]:
    """A receiver on PostgreSQL + Neo4j that commits events without projecting them, in batches of 5."""
    app = make_app({**backend_config("neo4j", tmp_path), "PROJECTION_MODE": "background", "WORKER_ENABLED": False,
                    "PROJECTION_BATCH_SIZE": 5})
    post_events(app.test_client(), _events())
    yield app
    close_app(app)


def _stored_runs(app: Flask) -> set[str]:
    with services.get(app).engine.connect() as conn:
        return set(conn.scalars(sa.select(T.runs.c.run_id)))


def _first_batch_runs(app: Flask) -> set[str]:
    with services.get(app).engine.connect() as conn:
        return set(conn.scalars(sa.select(T.lineage_events.c.run_id).order_by(T.lineage_events.c.id).limit(5)))


@pytest.mark.postgres
@pytest.mark.neo4j
def test_with_neo4j_records_that_fail_after_the_graph_is_written_leave_the_batch_pending(
        unprojected_neo4j: Flask) -> None:
    app = unprojected_neo4j
    records = services.get(app).projector.records
    records.steps = _failing_after_first_step(records)  # type: ignore[method-assign]
    with pytest.raises(sa.exc.OperationalError):
        services.get(app).projector.drain()
    assert _pending(app) == len(_events()) - 5  # its graph is written (idempotently, again next time)
    del records.steps  # the class's own again
    services.get(app).projector.drain()
    assert _pending(app) == 0
    assert _first_batch_runs(app) - {None} <= _stored_runs(app)


def test_on_sqlite_the_drainer_writes_each_batch_itself_while_it_prepares_nothing(tmp_path: Path) -> None:
    app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/state.db", "PROJECTION_MODE": "background",
                    "WORKER_ENABLED": False, "PROJECTION_BATCH_SIZE": 3})
    try:
        post_events(app.test_client(), chain_events(6, jobs=3))
        projector = services.get(app).projector
        assert projector.overlap_writes is False
        writers: set[str] = set()
        real_write = projector._write

        def write(prepared: Any) -> Any:
            writers.add(threading.current_thread().name)
            return real_write(prepared)

        projector._write = write  # type: ignore[method-assign]
        assert projector.drain().projected == len(chain_events(6, jobs=3))
        assert writers == {threading.current_thread().name}
    finally:
        close_app(app)


def test_on_sqlite_a_batch_reads_and_merges_its_records_while_ingest_can_still_commit(tmp_path: Path) -> None:
    app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/state.db", "PROJECTION_MODE": "background",
                    "WORKER_ENABLED": False, "PROJECTION_BATCH_SIZE": 4})
    try:
        post_events(app.test_client(), chain_events(8, jobs=2))
        state = services.get(app)
        records = state.projector.records
        real_merged, committed = records.merged, []

        def merged(conn: sa.Connection, rows: Any) -> Any:
            def ingest_commit() -> None:  # takes the writer lock, as an event's commit does
                with transaction(state.engine) as tx:
                    tx.execute(sa.text("SELECT 1"))
                committed.append(1)

            other = threading.Thread(target=ingest_commit)
            other.start()
            other.join(timeout=10)  # with the lock held here, it would wait until this batch commits
            assert not other.is_alive(), "the writer lock was held while the records were read and merged"
            return real_merged(conn, rows)

        records.merged = merged  # type: ignore[method-assign]
        assert state.projector.drain().projected == len(chain_events(8, jobs=2))
        assert len(committed) >= 2  # one per batch
    finally:
        close_app(app)


def test_overlapped_a_batch_s_records_follow_its_graph_while_the_next_batch_s_graph_is_written(
        tmp_path: Path) -> None:
    app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/state.db", "PROJECTION_MODE": "background",
                    "WORKER_ENABLED": False, "PROJECTION_BATCH_SIZE": 4})
    try:
        post_events(app.test_client(), chain_events(12, jobs=3))  # 24 events: 6 batches
        state = services.get(app)
        projector, graph, records = state.projector, state.graph, state.projector.records
        projector.overlap_writes = True  # PostgreSQL's way
        real_apply, real_merged = graph.apply, records.merged
        log: list[str] = []
        graphs_started: list[threading.Event] = [threading.Event() for _ in range(7)]

        def apply(*, batch: Any) -> None:
            graphs_started[log.count("graph")].set()
            log.append("graph")
            real_apply(batch=batch)

        def merged(conn: sa.Connection, rows: Any) -> Any:
            n = log.count("records")
            log.append("records")
            if n < 5:  # every batch but the last has a successor, whose graph is written meanwhile
                assert graphs_started[n + 1].wait(timeout=10), f"graph {n + 2} waited for records {n + 1}"
            return real_merged(conn, rows)

        graph.apply = apply  # type: ignore[method-assign]
        records.merged = merged  # type: ignore[method-assign]
        assert projector.drain().projected == 24
        assert log.count("graph") == log.count("records") == 6
        graphs = [i for i, k in enumerate(log) if k == "graph"]
        recorded = [i for i, k in enumerate(log) if k == "records"]
        assert all(g < r for g, r in zip(graphs, recorded, strict=True))  # each batch's records after its graph
        assert _pending(app) == 0
    finally:
        close_app(app)


def test_a_drain_settles_each_large_batch_once_built_and_rests_when_it_ends(
        unprojected: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(gc_tuning, "SETTLE_MIN_EVENTS", 3)
    monkeypatch.setattr(gc_tuning, "settle", lambda: calls.append("settle"))
    monkeypatch.setattr(gc_tuning, "rest", lambda: calls.append("rest"))
    app = unprojected(3)
    batches = -(-len(_events()) // 3)
    assert services.get(app).projector.drain().projected == len(_events())
    full = len(_events()) // 3  # a last, smaller batch is not settled
    assert calls == ["settle"] * full + ["rest"] and full in (batches, batches - 1)
