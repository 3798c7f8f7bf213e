"""The graph store going away costs nothing: events are acknowledged, kept, and projected on its return."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from lineagelens.receiver import services
from tests.conftest import NEO4J_URL, POSTGRES_URL, close_app, make_app, reset_neo4j, reset_postgres
from tests.factories import chain_events

ROOT = Path(__file__).resolve().parents[2]


def _neo4j(command: str) -> None:
    env = {**os.environ, "NEO4J_BOLT_PORT": str(urlsplit(NEO4J_URL).port or 7687)}
    subprocess.run([str(ROOT / "scripts" / "neo4j.sh"), command], check=True, env=env, capture_output=True)


@pytest.mark.neo4j
@pytest.mark.postgres
def test_events_posted_while_neo4j_is_down_are_projected_when_it_returns() -> None:
    reset_postgres(POSTGRES_URL)
    reset_neo4j(NEO4J_URL)
    app = make_app({"DATABASE_URL": POSTGRES_URL, "GRAPH_URL": NEO4J_URL, "WORKER_ENABLED": True,
                    "WORKER_MAX_BACKOFF": 2.0})
    client = app.test_client()
    events = chain_events(500)
    try:
        _neo4j("stop")
        try:
            for event in events:
                assert client.post("/api/v1/lineage", json=event).status_code == 201
            ready = client.get("/readyz")
            assert ready.status_code == 503
            assert ready.get_json()["checks"]["projection"]["backlog"] == len(events)
        finally:
            _neo4j("start")
        deadline = time.monotonic() + 120
        while client.get("/readyz").get_json()["checks"]["projection"]["backlog"]:
            assert time.monotonic() < deadline, "the catch-up worker did not drain the backlog"
            time.sleep(0.5)
        s = services.get(app)
        caught_up = s.graph.snapshot()
        assert s.graph.counts()["run"] == 500 and s.graph.counts()["job"] == 50
        s.worker.stop()
        s.projector.rebuild()
        assert s.graph.snapshot() == caught_up
    finally:
        close_app(app)
