"""A statement restricted to a set of keys finds exactly those keys, for one key column or several, on SQLite
and on PostgreSQL, where the keys travel as arrays so the statement's text never depends on how many there are."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from lineagelens.receiver.state import db
from lineagelens.receiver.state.key_sets import KeySet, shared_key_set

ROWS = [("ns", f"t{i}", i) for i in range(12)] + [("other", "t1", 100), ("ns,x", "t'1", 101)]


@pytest.fixture
def engine(state_engine: sa.Engine) -> Iterator[sa.Engine]:
    yield state_engine
    with state_engine.begin() as conn:  # not a table of ours: leave the shared test database as it was
        conn.execute(sa.text("DROP TABLE IF EXISTS key_set_probe"))


def _table(engine: sa.Engine) -> sa.Table:
    table = sa.Table("key_set_probe", sa.MetaData(), sa.Column("namespace", sa.Text, primary_key=True),
                     sa.Column("name", sa.Text, primary_key=True), sa.Column("n", sa.BigInteger, nullable=False))
    with engine.begin() as conn:
        table.drop(conn, checkfirst=True)
        table.create(conn)
        conn.execute(table.insert(), [{"namespace": a, "name": b, "n": n} for a, b, n in ROWS])
    return table


def test_a_statement_finds_exactly_the_keys_it_is_given(engine: sa.Engine) -> None:
    table = _table(engine)
    pairs = KeySet(engine, (table.c.namespace, table.c.name))
    by_pair = sa.select(table.c.n).where(pairs.clause)
    numbers = KeySet(engine, (table.c.n,), name="ids")
    by_number = sa.select(table.c.name).where(numbers.clause)
    with engine.connect() as conn:
        def find(keys: list[tuple[str, str]]) -> set[int]:
            return set(conn.scalars(by_pair, pairs.params(keys)))

        assert find([("ns", "t1"), ("ns,x", "t'1"), ("ns", "missing"), ("other", "t2")]) == {1, 101}
        assert find([("other", "t1")]) == {100}
        assert find([("ns", f"t{i}") for i in range(12)]) == set(range(12))
        assert find([]) == set()
        assert set(conn.scalars(by_number, numbers.params([(3,), (100,), (7,)]))) == {"t3", "t1", "t7"}
        assert set(conn.scalars(by_number, numbers.params_of([3, 100, 7]))) == {"t3", "t1", "t7"}
    with pytest.raises(ValueError):
        pairs.params_of(["ns"])


def test_on_postgres_the_statement_text_is_the_same_for_any_number_of_keys(engine: sa.Engine) -> None:
    table = _table(engine)
    pairs = KeySet(engine, (table.c.namespace, table.c.name))
    statement = sa.select(table.c.n).where(pairs.clause)
    seen: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    with engine.connect() as conn:
        for count in (1, 5, 12):
            conn.execute(statement, pairs.params([("ns", f"t{i}") for i in range(count)])).all()
    assert len(seen) == 3
    assert (len(set(seen)) == 1) is (engine.dialect.name == "postgresql")


def test_a_shared_key_set_is_built_once_per_columns_name_and_kind_of_database(tmp_path: Path) -> None:
    from lineagelens.receiver.state.tables import datasets, jobs

    sqlite = db.create_engine(f"sqlite:///{tmp_path}/a.db")
    other_sqlite = db.create_engine(f"sqlite:///{tmp_path}/b.db")
    postgres = sa.create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")  # never connected
    try:
        pairs = (datasets.c.namespace, datasets.c.name)
        first = shared_key_set(sqlite, pairs)
        assert shared_key_set(other_sqlite, pairs) is first
        assert shared_key_set(sqlite, (jobs.c.namespace, jobs.c.name)) is not first
        assert shared_key_set(sqlite, pairs, name="other") is not first
        on_postgres = shared_key_set(postgres, pairs)
        assert on_postgres is not first and on_postgres.arrays and not first.arrays
    finally:
        for engine in (sqlite, other_sqlite, postgres):
            engine.dispose()
