"""Bulk inserts and upserts whose rows are made ready before the writer's transaction.

On SQLite one writer lock serialises every commit, ingest's included, so a projection batch should hold it only
while SQLite writes. SQLAlchemy converts each row's parameters (times to text, JSON to text) inside ``execute``,
i.e. inside the transaction, and for a batch of datasets with kilobytes of facets each that conversion is a
large part of the write. :class:`PreparedWrite` compiles a statement once for the dialect's driver and converts
rows the way the statement's column types would (each type's ``bind_processor`` for the dialect), so inside the
transaction only the driver runs. On PostgreSQL, where a transaction blocks no one else's commit, this still
spares SQLAlchemy's per-execution and per-row work (a batch's upserts are thousands of rows), which shares one
interpreter lock with the rest of projection.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from lineagelens.receiver.state.db import STEP_ROWS, WriteStep, chunks


class PreparedWrite:
    """``statement`` (an INSERT or upsert into ``table`` with a parameter per column of ``columns``, all of
    the table's by default) for many rows at a time."""

    def __init__(self, engine: sa.Engine, table: sa.Table, statement: Any,
                 columns: Iterable[str] | None = None) -> None:
        self.statement = statement
        dialect = engine.dialect
        keys = list(columns) if columns is not None else [c.name for c in table.columns]
        compiled = statement.compile(dialect=dialect, column_keys=keys)
        self._sql: str = compiled.string
        # positional parameters (SQLite's qmark) in the compiled order, else named ones (psycopg's pyformat)
        self._positional = compiled.positiontup is not None
        # the dialect's implementation of each type converts as SQLAlchemy would (a TypeDecorator's own
        # bind_processor would leave datetimes to the driver, which drops zero microseconds on SQLite)
        self._params: tuple[tuple[str, Callable[[Any], Any] | None], ...] = tuple(
            (name, table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
            for name in (compiled.positiontup if self._positional else keys) or ())

    def ready(self, rows: Iterable[Mapping[str, Any]]) -> ReadyRows:
        """``rows`` as the driver takes them: tuples of converted values in parameter order (SQLite), or dicts
        of converted values (PostgreSQL)."""
        params = self._params
        if self._positional:
            return ReadyRows(self, [tuple(row[name] if convert is None else convert(row[name])
                                          for name, convert in params) for row in rows])
        return ReadyRows(self, [{name: row[name] if convert is None else convert(row[name])
                                 for name, convert in params} for row in rows])

    def execute(self, conn: sa.Connection, rows: Sequence[Any]) -> None:
        """Write ``rows`` made ready by :meth:`ready` on the caller's connection (inside its transaction)."""
        if rows:
            conn.exec_driver_sql(self._sql, rows)


@dataclass(frozen=True)
class ReadyRows:
    """Rows made ready by :meth:`PreparedWrite.ready`; :meth:`execute` writes them on the caller's connection."""

    write: PreparedWrite
    rows: list[Any]

    def execute(self, conn: sa.Connection) -> None:
        self.write.execute(conn, self.rows)

    def steps(self) -> list[WriteStep]:
        """These rows as steps of :func:`~lineagelens.receiver.state.db.write_in_steps`, ``STEP_ROWS`` each."""
        return [functools.partial(self.write.execute, rows=page) for page in chunks(self.rows, STEP_ROWS)]
