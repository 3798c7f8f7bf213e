"""The SQL graph store on SQLite makes a batch's node and edge rows ready for the driver before its write
transaction (``PreparedWrite``, receiver/state/prepared_writes.py), so the one writer lock is held only while
SQLite writes. What it stores must be exactly what the typed upserts store: the same text for times and props,
and the same merge of first/last seen, props and last run id when batches arrive out of order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from lineagelens.receiver.graph.model import EdgeRow, GraphBatch, NodeKind, NodeRow, Rel
from lineagelens.receiver.graph.sql import SqlGraphStore, _edge_values, _node_values
from lineagelens.receiver.state import db
from lineagelens.receiver.state.db import transaction

T0 = datetime(2026, 3, 2, 8, 0, 0, 0, tzinfo=UTC)


def _batch(minute: int, *, props: dict[str, Any], run: str | None) -> GraphBatch:
    at = T0 + timedelta(minutes=minute, microseconds=minute * 7)  # microseconds, and none at all at minute 0
    batch = GraphBatch()
    for i in range(3):
        node = f"dataset:ns:t{i}"
        batch.nodes[node] = NodeRow(node, NodeKind.DATASET, "ns", f"t{i}", at, at, dict(props))
        edge = ("job:ns:j", node, Rel.OUTPUTS)
        batch.edges[edge] = EdgeRow(*edge, at, at, run, dict(props))
    batch.nodes["job:ns:j"] = NodeRow("job:ns:j", NodeKind.JOB, "ns", "j", at, at, {})
    return batch


def _tables(engine: sa.Engine) -> list[list[Any]]:
    with engine.connect() as conn:
        return [list(conn.exec_driver_sql(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall())
                for t in ("graph_nodes", "graph_edges")]


def test_rows_made_ready_for_sqlite_store_what_the_typed_upserts_store(tmp_path: Path) -> None:
    # later, earlier, a tie without a run id, a tie with one, then a change of props at the same time
    batches = [_batch(5, props={"v": 1}, run="r5"), _batch(2, props={"v": 0}, run="r2"),
               _batch(5, props={"v": 2}, run=None), _batch(5, props={"v": 3}, run="r5b"),
               _batch(9, props={"nested": {"a": [1, "é"]}}, run=None), _batch(0, props={}, run="r0")]
    stores = []
    for name in ("ready", "typed"):
        engine = db.create_engine(f"sqlite:///{tmp_path}/{name}.db")
        db.upgrade(engine)
        stores.append(SqlGraphStore(engine))
    ready, typed = stores
    for batch in batches:
        ready.apply(batch=batch)
        with transaction(typed.engine) as conn:  # the same upserts through SQLAlchemy's types, as on PostgreSQL
            conn.execute(typed._node_write.statement, [_node_values(n) for n in batch.nodes.values()])
            conn.execute(typed._edge_write.statement, [_edge_values(e) for e in batch.edges.values()])
        assert _tables(ready.engine) == _tables(typed.engine)
    nodes, edges = _tables(ready.engine)
    assert len(nodes) == 4 and len(edges) == 3
    # and they read back as the graph: times aware UTC, props decoded
    found = ready.get_nodes(ids=["dataset:ns:t0"])["dataset:ns:t0"]
    assert found.props["nested"] == {"a": [1, "é"]}
    assert found.props["firstSeen"] == T0.isoformat()
