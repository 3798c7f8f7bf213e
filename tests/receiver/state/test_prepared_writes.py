"""Projection makes its record rows ready for the driver before the writer's transaction
(receiver/state/prepared_writes.py): on SQLite the one writer lock is held only while SQLite writes, and on
PostgreSQL SQLAlchemy's per-row work is skipped. What it stores must be exactly what SQLAlchemy stores from the
same rows: the same times (on SQLite the same text, microseconds included, even zero ones), JSON facets and
enums, and the same upsert of a key written again by a later batch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from lineagelens.receiver.openlineage import parse_event
from lineagelens.receiver.projection.build import build
from lineagelens.receiver.state import db
from lineagelens.receiver.state.prepared_writes import PreparedWrite
from lineagelens.receiver.state.record_store import RecordStore, _to_row
from lineagelens.receiver.state.records import StateRows
from lineagelens.receiver.state.tables import dataset_versions, datasets, jobs, run_datasets, runs
from tests.conftest import POSTGRES_URL, reset_postgres, scenario


def _batches() -> list[StateRows]:
    """Real producers' scenarios, each projected in two halves (the second half writes many keys again), and
    an event at a whole second and one in another zone."""
    found = []
    for name in ("airflow", "CLL", "spark_dataproc_simple_producer_test_complete"):
        events = [parse_event(raw) for raw in scenario(name)]
        half = len(events) // 2
        found += [build(events[:half], {}).state, build(events[half:], {}).state]
    for at in ("2026-03-02T10:00:00.5+02:00", "2026-03-02T08:00:00Z"):  # another zone; no microseconds (last)
        found.append(build([parse_event({**raw, "eventTime": at}) for raw in scenario("airflow")[:2]], {}).state)
    return found


def _rows(state: StateRows) -> dict[str, list[dict[str, Any]]]:
    return {"runs": [_to_row(r) for r in state.runs.values()], "jobs": [_to_row(r) for r in state.jobs.values()],
            "datasets": [_to_row(r) for r in state.datasets.values()],
            "dataset_versions": [_to_row(r) for r in state.versions.values()],
            "run_datasets": [_to_row(r) for r in state.run_datasets.values()]}


def _stored(engine: sa.Engine) -> dict[str, list[Any]]:
    """Each table as the database holds it, read by the driver alone (not decoded by SQLAlchemy's types)."""
    with engine.connect() as conn:
        return {t.name: sorted(conn.exec_driver_sql(f"SELECT * FROM {t.name}").fetchall(), key=repr)
                for t in (runs, jobs, datasets, dataset_versions, run_datasets)}


def _write(engine: sa.Engine, batches: list[StateRows], made_ready: bool) -> dict[str, list[Any]]:
    store = RecordStore(engine)
    writes: dict[str, PreparedWrite] = {name: s.upsert for name, s in store._merges.items()}
    writes["run_datasets"] = store._run_datasets_upsert
    for state in batches:
        with db.transaction(engine) as conn:
            for name, values in _rows(state).items():
                if made_ready:
                    writes[name].ready(values).execute(conn)
                elif values:
                    conn.execute(writes[name].statement, values)
    return _stored(engine)


@pytest.mark.parametrize("backend", [pytest.param("sqlite", id="sqlite"),
                                     pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)])
def test_record_rows_made_ready_store_what_sqlalchemy_stores_from_them(backend: str, tmp_path: Path) -> None:
    batches = _batches()
    stored = {}
    for made_ready in (False, True):
        if backend == "postgres":
            reset_postgres(POSTGRES_URL)
        engine = db.create_engine(f"sqlite:///{tmp_path}/{made_ready}.db" if backend == "sqlite" else POSTGRES_URL)
        db.upgrade(engine)
        stored[made_ready] = _write(engine, batches, made_ready)
        if made_ready:
            with engine.connect() as conn:  # and they read back through the types: aware times, decoded facets
                row = conn.execute(sa.select(datasets).order_by(datasets.c.name)).first()
            assert row is not None and row.first_seen.tzinfo is not None and isinstance(row.facets, dict)
        engine.dispose()
    assert stored[True] == stored[False]
    assert all(stored[True].values())
    written = sum(len(rows) for state in batches for rows in _rows(state).values())
    assert written > sum(len(rows) for rows in stored[True].values())  # later batches upserted stored keys
