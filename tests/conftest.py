"""Shared fixtures: apps on each backend, graph stores, and the OpenLineage test data.

The real services come from ``make test`` (scripts/postgres.sh, scripts/neo4j.sh, scripts/kafka.sh), which
exports ``LINEAGELENS_TEST_POSTGRES_URL``, ``LINEAGELENS_TEST_NEO4J_URL`` and
``LINEAGELENS_TEST_KAFKA_BOOTSTRAP``. A backend that cannot be reached is
an error, never a skip.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lineagelens.receiver.graph.base import GraphStore
from lineagelens.receiver.graph.sql import SqlGraphStore
from lineagelens.receiver.state import db
from lineagelens.receiver.state.tables import metadata

DATA = Path(__file__).parent / "data" / "openlineage"
POSTGRES_URL = os.environ.get("LINEAGELENS_TEST_POSTGRES_URL",
                              "postgresql+psycopg://lineagelens@127.0.0.1:55432/lineagelens_test")
NEO4J_URL = os.environ.get("LINEAGELENS_TEST_NEO4J_URL", "bolt://127.0.0.1:7687")
KAFKA_BOOTSTRAP = os.environ.get("LINEAGELENS_TEST_KAFKA_BOOTSTRAP", "127.0.0.1:19092")

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    pytest.param("neo4j", id="neo4j", marks=[pytest.mark.postgres, pytest.mark.neo4j]),
]


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def scenario(name: str) -> list[dict[str, Any]]:
    """A scenario's events in file order (numeric where the names are numbers)."""
    files = sorted((DATA / "scenarios" / name / "events").glob("*.json"),
                   key=lambda p: (len(p.stem), p.stem))
    return [load(p) for p in files]


def reset_postgres(url: str) -> None:
    engine = db.create_engine(url)
    try:
        db.upgrade(engine)
        with engine.begin() as conn:
            names = ", ".join(t.name for t in metadata.sorted_tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY"))
    finally:
        engine.dispose()


def reset_neo4j(url: str) -> None:
    from neo4j import GraphDatabase

    with GraphDatabase.driver(url, auth=None) as driver, driver.session() as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


def backend_config(backend: str, tmp_path: Path) -> dict[str, Any]:
    if backend == "sqlite":
        return {"DATABASE_URL": f"sqlite:///{tmp_path}/state.db"}
    reset_postgres(POSTGRES_URL)
    if backend == "postgres":
        return {"DATABASE_URL": POSTGRES_URL}
    reset_neo4j(NEO4J_URL)
    return {"DATABASE_URL": POSTGRES_URL, "GRAPH_URL": NEO4J_URL}


# Tests run with a clean set of plugins: the built-in ones only (a test of third-party loading asks for more).
BUILT_IN_PLUGINS = "naming,databases,services,webhook,slack,teams,email,pagerduty"


def make_app(config: dict[str, Any]) -> Flask:
    """A test receiver. It projects inline (a POST answers once the graph has the event), so tests can read
    their writes; the product's default is background projection (tests/receiver/test_fast_ack.py)."""
    from lineagelens.receiver import create_app, services

    application = create_app({"TESTING": True, "WORKER_ENABLED": False, "PLUGINS": BUILT_IN_PLUGINS,
                              "SECRET_KEY": "lineagelens-tests-master-key", "PROJECTION_MODE": "inline",
                              **config})
    # Auth stays on (the default); test clients act as an admin through an admin API key.
    _, key = services.get(application).auth.keys.create(name=TEST_ADMIN, scope="admin", created_by="tests")
    application.config[TEST_ADMIN_KEY] = key
    application.test_client_class = AdminClient
    return application


TEST_ADMIN = "tests-admin"
TEST_ADMIN_KEY = "LINEAGELENS_TEST_ADMIN_KEY"


class AdminClient(FlaskClient):
    """A test client that sends the app's admin API key with every request (``anonymous_client`` does not)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        key = self.application.config.get(TEST_ADMIN_KEY)
        if key:
            self.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {key}"


def anonymous_client(application: Flask) -> FlaskClient:
    """A test client without any credential."""
    client = application.test_client()
    client.environ_base.pop("HTTP_AUTHORIZATION", None)
    return client


def close_app(application: Flask) -> None:
    from lineagelens.receiver import services

    services.get(application).close()


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """A receiver on a fresh SQLite file, projecting inline, with no background worker."""
    application = make_app(backend_config("sqlite", tmp_path))
    yield application
    close_app(application)


@pytest.fixture(params=BACKENDS)
def any_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """The same receiver on each backend: SQLite, PostgreSQL (SQL graph), PostgreSQL + Neo4j."""
    application = make_app(backend_config(request.param, tmp_path))
    yield application
    close_app(application)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def any_client(any_app: Flask) -> FlaskClient:
    return any_app.test_client()


def post_events(client: FlaskClient, events: list[dict[str, Any]]) -> None:
    for event in events:
        response = client.post("/api/v1/lineage", json=event)
        assert response.status_code == 201, response.get_json()


def projected_state(app: Flask) -> dict[str, list[str]]:
    """Everything projection writes to the state database of ``app`` (the SQL graph store's tables included),
    as sorted rows: JSON with sorted keys, since a facet's key order is not data."""
    from lineagelens.receiver import services
    from lineagelens.receiver.state import tables as T

    with services.get(app).engine.connect() as conn:
        return {t.name: sorted(json.dumps(list(r), sort_keys=True, default=str) for r in conn.execute(sa.select(t)))
                for t in (T.graph_nodes, T.graph_edges, T.datasets, T.dataset_versions, T.run_datasets,
                          T.dataset_aliases, T.runs, T.jobs)}


@pytest.fixture(params=[pytest.param("sql-sqlite", id="sql-sqlite"),
                        pytest.param("sql-postgres", id="sql-postgres", marks=pytest.mark.postgres),
                        pytest.param("neo4j", id="neo4j", marks=pytest.mark.neo4j)])
def graph_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    """An empty graph store of each kind, set up."""
    store: GraphStore
    engine = None
    if request.param == "neo4j":
        from lineagelens.receiver.graph.neo4j import Neo4jGraphStore

        reset_neo4j(NEO4J_URL)
        store = Neo4jGraphStore(url=NEO4J_URL)
    else:
        url = f"sqlite:///{tmp_path}/graph.db" if request.param == "sql-sqlite" else POSTGRES_URL
        if request.param == "sql-postgres":
            reset_postgres(url)
        engine = db.create_engine(url)
        db.upgrade(engine)
        store = SqlGraphStore(engine)
    store.setup()
    store.clear()
    yield store
    store.close()
    if engine is not None:
        engine.dispose()


_MARKED: dict[str, set[str]] = {"postgres": set(), "neo4j": set(), "kafka": set()}


def pytest_itemcollected(item: pytest.Item) -> None:
    """Remember which tests carry a backend marker (a report's keywords also hold folder and file names:
    everything under tests/receiver/kafka/ would count as a Kafka test)."""
    for marker, ids in _MARKED.items():
        if item.get_closest_marker(marker) is not None:
            ids.add(item.nodeid)


def _passed_with(terminalreporter: Any, marker: str) -> int:
    return sum(1 for report in terminalreporter.stats.get("passed", [])
               if report.when == "call" and report.nodeid in _MARKED[marker])


def _backend_counts(config: pytest.Config) -> tuple[dict[str, int], int]:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    counts = {"PostgreSQL": _passed_with(reporter, "postgres"), "Neo4j": _passed_with(reporter, "neo4j"),
              "Kafka": _passed_with(reporter, "kafka")}
    return counts, len(reporter.stats.get("skipped", []))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI every backend must have run and nothing may be skipped: otherwise the run fails."""
    counts, skipped = _backend_counts(session.config)
    if os.environ.get("CI") and exitstatus == 0 and not session.config.option.collectonly and (
            0 in counts.values() or skipped):
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Show that the real backends ran."""
    counts, skipped = _backend_counts(config)
    terminalreporter.write_sep("-", "backends")
    terminalreporter.write_line(f"PostgreSQL ({POSTGRES_URL}): {counts['PostgreSQL']} tests passed")
    terminalreporter.write_line(f"Neo4j ({NEO4J_URL}): {counts['Neo4j']} tests passed")
    terminalreporter.write_line(f"Kafka ({KAFKA_BOOTSTRAP}): {counts['Kafka']} tests passed")
    if skipped:
        terminalreporter.write_line(f"{skipped} tests were skipped: a skip is a bug here", red=True)
