"""Restricting a statement to many keys at once: ``WHERE (key columns) IN <the given keys>``.

On PostgreSQL the keys travel as one array per key column, unnested by the server, so the statement's text is
the same whatever the number of keys: psycopg converts it once (it re-parses, every time, a statement with more
than 50 parameters, which an IN list of a batch's keys always has) and the server can prepare it. Elsewhere
(SQLite) an expanding IN list; callers keep their key lists within :data:`~.db.CHUNK` for its parameter limit.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


class KeySet:
    """The condition ``clause`` (put it in a statement's ``where``) and the parameters that give it its keys
    (``params``). ``name`` must not clash with the statement's other parameters."""

    def __init__(self, engine: sa.Engine, columns: Sequence[sa.ColumnElement[Any]], name: str = "keys") -> None:
        self.width = len(columns)
        self.name = name
        self.arrays = engine.dialect.name == "postgresql"
        if self.arrays:
            names = [f"{name}_{i}" for i in range(self.width)]
            arrays = [sa.bindparam(n, type_=postgresql.ARRAY(c.type)) for n, c in zip(names, columns, strict=True)]
            unnested = sa.func.unnest(*arrays).table_valued(*names).render_derived()
            self.clause: sa.ColumnElement[bool] = sa.tuple_(*columns).in_(sa.select(*unnested.c))
        elif self.width == 1:  # the column itself, not a one-element row value
            self.clause = columns[0].in_(sa.bindparam(name, expanding=True))
        else:
            self.clause = sa.tuple_(*columns).in_(sa.bindparam(name, expanding=True))

    def params(self, keys: Sequence[tuple[Any, ...]]) -> dict[str, Any]:
        """The parameters for ``keys``, each a tuple of one value per column."""
        if self.arrays:
            return {f"{self.name}_{i}": [key[i] for key in keys] for i in range(self.width)}
        if self.width == 1:
            return {self.name: [key[0] for key in keys]}
        return {self.name: list(keys)}

    def params_of(self, values: Sequence[Any]) -> dict[str, Any]:
        """The parameters for ``values`` of a one-column key set (``params`` without a tuple per key)."""
        if self.width != 1:
            raise ValueError(f"params_of needs a one-column key set, not {self.width} columns")
        return {f"{self.name}_0" if self.arrays else self.name: list(values)}


_SHARED: dict[tuple[str, tuple[str, ...], str], KeySet] = {}
_SHARED_LOCK = threading.Lock()


def shared_key_set(engine: sa.Engine, columns: Sequence[sa.Column[Any]], name: str = "keys") -> KeySet:
    """The one :class:`KeySet` of these table columns on this kind of database, built once: for statements
    built per call (a request's reads), where building the key set cost more than running the query."""
    key = (engine.dialect.name, tuple(f"{c.table.name}.{c.name}" for c in columns), name)
    found = _SHARED.get(key)
    if found is None:
        with _SHARED_LOCK:
            found = _SHARED.setdefault(key, KeySet(engine, columns, name))
    return found
