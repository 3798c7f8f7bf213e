"""Single-statement writes in autocommit on a connection kept open: one exchange with the database each.

A write through the pool in a transaction costs four exchanges on PostgreSQL (the pool's liveness ping at
checkout, ``BEGIN``, the statement, ``COMMIT``) and three calls on SQLite (``BEGIN IMMEDIATE``, the statement,
``COMMIT``), each letting go of the interpreter lock and then waiting to take it back. On the request path of
ingest, under load, that wait is behind the request threads parsing events, so the event log's commit took
5-6 ms for a group of 3-4 events (docs/benchmarks.md, ninth round). A single statement in autocommit is its own
transaction: atomic, and durable when the database answers (SQLite runs with ``synchronous=FULL``). On SQLite the
statement still holds the database's one writer lock (``db.sqlite_writer``), as a transaction does.

The connection is not pinged: one found dead (a restarted server, a terminated backend) is replaced and the
statement run once more, so only idempotent statements belong here (an ``INSERT … ON CONFLICT DO NOTHING``: a
retry after a commit whose answer was lost inserts nothing).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from lineagelens.receiver.state.db import sqlite_writer


class AutocommitWriter:
    """Runs idempotent statements, one at a time, on a connection of its own in autocommit."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._conn: sa.Connection | None = None

    def fits(self, rows: int, columns: int) -> bool:
        """Whether an ``INSERT … RETURNING`` of ``rows`` rows of ``columns`` parameters is sent as one statement
        (SQLAlchemy splits larger ones into pages, which autocommit would commit one by one)."""
        dialect = self.engine.dialect
        return rows <= min(dialect.insertmanyvalues_page_size, dialect.insertmanyvalues_max_parameters // columns)

    def execute(self, statement: sa.Executable,
                params: Sequence[dict[str, Any]] | dict[str, Any]) -> list[sa.Row[Any]]:
        """The rows ``statement`` returns, committed."""
        exclusive = sqlite_writer(self.engine) if self.engine.dialect.name == "sqlite" else contextlib.nullcontext()
        with self._lock, exclusive:
            for attempt in (1, 2):
                conn = self._conn if self._conn is not None else self._connect()
                try:
                    rows = list(conn.execute(statement, params))
                    conn.commit()  # ends SQLAlchemy's own transaction; the server committed with the statement
                    return rows
                except sa.exc.DBAPIError as exc:
                    self._discard()
                    if attempt == 2 or not exc.connection_invalidated:
                        raise
            raise AssertionError("unreachable")

    def close(self) -> None:
        with self._lock:
            self._discard()

    def _connect(self) -> sa.Connection:
        self._conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        return self._conn

    def _discard(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            with contextlib.suppress(sa.exc.DBAPIError):  # already broken: the pool drops it
                conn.close()
