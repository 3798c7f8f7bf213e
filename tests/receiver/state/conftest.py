"""Fixtures of the state tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from lineagelens.receiver.state import db
from tests.conftest import POSTGRES_URL, reset_postgres


@pytest.fixture(params=[pytest.param("sqlite", id="sqlite"),
                        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)])
def state_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    """An engine on each state database, its schema current and its tables empty (a fresh SQLite file, the
    shared PostgreSQL test database truncated)."""
    if request.param == "postgres":
        reset_postgres(POSTGRES_URL)
    made = db.create_engine(f"sqlite:///{tmp_path}/state.db" if request.param == "sqlite" else POSTGRES_URL)
    db.upgrade(made)
    yield made
    made.dispose()
