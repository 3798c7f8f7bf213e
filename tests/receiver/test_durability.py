"""Acknowledged means durable: events answered 2xx and then lost with the process (SIGKILL, before any
projection) are all in the graph once a receiver runs again, on PostgreSQL + Neo4j, equal to a fresh replay."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa
from openlineage.client.transport.http import ApiKeyTokenProvider, HttpCompression, HttpConfig, HttpTransport

from lineagelens.receiver import services
from lineagelens.receiver.graph.base import GraphStore
from lineagelens.receiver.graph.neo4j import Neo4jGraphStore
from lineagelens.receiver.state.tables import runs
from tests.conftest import NEO4J_URL, POSTGRES_URL, close_app, make_app, reset_neo4j, reset_postgres
from tests.factories import chain_events
from tests.integrations.support import Receiver

KEY = "durability-ingest-key"


def _shape(graph: GraphStore) -> tuple[set[tuple[str, str]], set[tuple[str, str, str]]]:
    nodes, edges = graph.snapshot()
    return {(n.id, n.kind.value) for n in nodes}, {(e.src, e.dst, e.rel.value) for e in edges}


@pytest.fixture
def databases() -> Iterator[dict[str, str]]:
    reset_postgres(POSTGRES_URL)
    reset_neo4j(NEO4J_URL)
    yield {"DATABASE_URL": POSTGRES_URL, "GRAPH_URL": NEO4J_URL, "SECRET_KEY": "durability-tests"}


@pytest.mark.postgres
@pytest.mark.neo4j
def test_events_acknowledged_before_a_sigkill_are_all_projected_after_restart(
        databases: dict[str, str], tmp_path: Path) -> None:
    events = chain_events(60, jobs=12)
    # A receiver that acknowledges and never projects: whatever reaches the graph later came from the log.
    first = Receiver(tmp_path / "first", api_keys=KEY, settings={**databases, "WORKER_ENABLED": "false"}).start()
    transport = HttpTransport(HttpConfig(url=first.url, auth=ApiKeyTokenProvider({"apiKey": KEY}),
                                         compression=HttpCompression.GZIP))
    try:
        with ThreadPoolExecutor(max_workers=6) as pool:  # concurrent producers share group commits
            answers = list(pool.map(lambda e: transport.emit(e).status_code, events))
        assert answers == [201] * len(events)
    finally:
        first.kill()

    app = make_app(databases)
    try:
        assert services.get(app).events.count() == len(events)
        assert services.get(app).events.backlog() == len(events)  # nothing was projected before the kill
        assert not _shape(services.get(app).graph)[0]  # the graph is empty
    finally:
        close_app(app)

    second = Receiver(tmp_path / "second", api_keys=KEY, settings=databases).start()
    try:
        second.settle(timeout=60)
    finally:
        second.stop()

    app = make_app(databases)
    try:
        with services.get(app).engine.connect() as conn:
            states = dict(conn.execute(sa.select(runs.c.state, sa.func.count()).group_by(runs.c.state)).all())
        assert states == {"COMPLETE": 60}
    finally:
        close_app(app)

    replay = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/replay.db"})
    neo4j = Neo4jGraphStore(url=NEO4J_URL, user="neo4j", password="", database="")
    try:
        for event in events:
            assert replay.test_client().post("/api/v1/lineage", json=event).status_code == 201
        nodes, edges = _shape(neo4j)
        assert (nodes, edges) == _shape(services.get(replay).graph)
        assert sum(1 for _, kind in nodes if kind == "job") == 12  # the 12 jobs of the chain, 13 tables
        assert sum(1 for _, kind in nodes if kind == "dataset") == 13 and len(edges) >= 24
    finally:
        neo4j.close()
        close_app(replay)
