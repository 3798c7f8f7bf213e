"""Alembic owns the schema: the migrations create exactly the tables the code declares."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lineagelens.receiver.state import db
from lineagelens.receiver.state.tables import metadata
from tests.conftest import POSTGRES_URL, reset_postgres


def _diff(url: str) -> list[object]:
    engine = db.create_engine(url)
    try:
        db.upgrade(engine)
        db.upgrade(engine)  # a second upgrade is a no-op
        with engine.connect() as conn:
            return list(compare_metadata(MigrationContext.configure(conn), metadata))
    finally:
        engine.dispose()


def test_migrations_match_the_table_definitions_on_sqlite(tmp_path: Path) -> None:
    assert _diff(f"sqlite:///{tmp_path}/m.db") == []


@pytest.mark.postgres
def test_migrations_match_the_table_definitions_on_postgres() -> None:
    reset_postgres(POSTGRES_URL)
    assert _diff(POSTGRES_URL) == []


def test_state_store_keeps_aware_utc_datetimes(tmp_path: Path) -> None:
    from datetime import datetime, timedelta, timezone

    from lineagelens.receiver.state.tables import lineage_events

    engine = db.create_engine(f"sqlite:///{tmp_path}/t.db")
    db.upgrade(engine)
    at = datetime(2024, 1, 1, 12, tzinfo=timezone(timedelta(hours=10)))
    with engine.begin() as conn:
        conn.execute(lineage_events.insert().values(content_hash="h", kind="run", event_time=at, producer="p",
                                                    payload="{}", received_at=at))
        stored = conn.execute(sa.select(lineage_events.c.event_time)).scalar_one()
    assert stored == at and stored.utcoffset() == timedelta(0)
