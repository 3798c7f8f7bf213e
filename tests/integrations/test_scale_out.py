"""Receivers scale out: two real ``lineagelens serve`` processes on one PostgreSQL + Neo4j pair. A client
alternating between them loses no acknowledged event when one is killed (SIGKILL) mid-load, a read on one sees
a write to the other, and the singletons (the projection drainer, the alert scheduler, the periodic health
checks) stay single: one holder at a time, taken over within seconds of the leader's death, work done once."""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from lineagelens.receiver import services
from lineagelens.receiver.alerts.scheduler import LOCK_SCHEDULER
from lineagelens.receiver.graph.base import GraphStore
from lineagelens.receiver.graph.neo4j import Neo4jGraphStore
from lineagelens.receiver.monitoring.health import LOCK_HEALTH
from lineagelens.receiver.state.db import LOCK_PROJECT
from lineagelens.receiver.state.tables import lineage_events, runs
from tests.conftest import NEO4J_URL, POSTGRES_URL, close_app, make_app, reset_neo4j, reset_postgres
from tests.factories import chain_events
from tests.integrations.support import Receiver, http
from tests.receiver.alerts.support import dataset, run
from tests.servers import http_server

pytestmark = [pytest.mark.postgres, pytest.mark.neo4j]


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[dict[str, str]]:
    reset_postgres(POSTGRES_URL)
    reset_neo4j(NEO4J_URL)
    (tmp_path / "data").mkdir()
    yield {"DATABASE_URL": POSTGRES_URL, "GRAPH_URL": NEO4J_URL, "SECRET_KEY": "scale-out-shared-master-key",
           "SOURCE_ALLOW_NETWORKS": "127.0.0.0/8,::1/128", "FILESYSTEM_ROOTS": str(tmp_path / "data"),
           "HEALTH_CHECK_INTERVAL": "1", "ALERT_SCHEDULE_SECONDS": "0.5", "ALERT_POLL_SECONDS": "0.2"}


@pytest.fixture
def engine() -> Iterator[sa.Engine]:
    found = sa.create_engine(POSTGRES_URL)
    yield found
    found.dispose()


def _post(receiver: Receiver, path: str, body: Any, **headers: str) -> tuple[int, Any]:
    status, _, answer = http("POST", f"{receiver.url}{path}", body=json.dumps(body).encode(),
                             headers={**receiver.auth(), "Content-Type": "application/json", **headers})
    return status, json.loads(answer) if answer else None


def _holders(engine: sa.Engine, key: int) -> list[int]:
    """Backend pids holding the PostgreSQL advisory lock ``key`` in this database (pg_locks lists the whole
    cluster's; a bigint key < 2**32 is objid)."""
    with engine.connect() as conn:
        return sorted(conn.scalars(sa.text(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = 0 AND objid = :k "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"), {"k": key}))


def _shape(graph: GraphStore) -> tuple[set[tuple[str, str]], set[tuple[str, str, str]]]:
    nodes, edges = graph.snapshot()
    return {(n.id, n.kind.value) for n in nodes}, {(e.src, e.dst, e.rel.value) for e in edges}


def _runs(engine: sa.Engine) -> dict[str, tuple[str, str]]:
    with engine.connect() as conn:
        return {r.run_id: (r.state, r.job_name) for r in conn.execute(sa.select(runs.c.run_id, runs.c.state,
                                                                               runs.c.job_name))}


def test_every_event_acknowledged_by_either_receiver_survives_a_sigkill_mid_load(
        settings: dict[str, str], engine: sa.Engine, tmp_path: Path) -> None:
    first = Receiver(tmp_path / "first", settings=settings).start()
    second = _another(first, tmp_path / "second")
    events = chain_events(100, jobs=10)  # 200 events
    acknowledged: list[int] = []
    killed = threading.Event()
    drainers: list[int] = []  # how many receivers held the projection lock at each sample
    done = threading.Event()

    def post(index: int) -> None:
        target = second if killed.is_set() or index % 2 else first  # alternate; the survivor after the kill
        try:
            status, _, _ = http("POST", f"{target.url}/api/v1/lineage", body=json.dumps(events[index]).encode(),
                                headers={**target.auth(target.ingest_key), "Content-Type": "application/json"})
        except OSError:  # the killed receiver's connection went away: not acknowledged
            return
        if 200 <= status < 300:
            acknowledged.append(index)
        if len(acknowledged) >= 70 and not killed.is_set():
            killed.set()
            first.kill()  # mid-load: requests in flight on it fail, its projection stops wherever it was

    def sample() -> None:
        while not done.is_set():
            drainers.append(len(_holders(engine, LOCK_PROJECT)))
            time.sleep(0.01)

    try:
        second.start()
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        with ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(post, range(len(events))))
        assert killed.is_set() and len(acknowledged) >= 170, len(acknowledged)
        second.settle(timeout=60)  # the survivor's worker catches up on what the killed one left pending
        done.set()
        sampler.join(5)
        assert max(drainers) == 1 and len(drainers) > 10  # projection: one drainer across receivers

        with engine.connect() as conn:
            logged = [json.loads(p) for p in conn.scalars(sa.select(lineage_events.c.payload))]
        key = {(e["run"]["runId"], e["eventType"]): i for i, e in enumerate(events)}
        in_log = {key[(e["run"]["runId"], e["eventType"])] for e in logged}
        assert len(in_log) == len(logged)  # each once
        assert set(acknowledged) <= in_log  # every acknowledged event is durable
        # An unacknowledged event may have been committed just before the kill; the graph is the log's.
        assert len(in_log - set(acknowledged)) <= 6

        replay = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/replay.db"})
        neo4j = Neo4jGraphStore(url=NEO4J_URL, user="neo4j", password="", database="")
        try:
            for index in sorted(in_log):
                assert replay.test_client().post("/api/v1/lineage", json=events[index]).status_code == 201
            assert _shape(neo4j) == _shape(services.get(replay).graph)
            assert _runs(engine) == _runs(services.get(replay).engine)
            assert sum(1 for _, kind in _shape(neo4j)[0] if kind == "job") == 10
        finally:
            neo4j.close()
            close_app(replay)
    finally:
        done.set()
        second.stop()
        first.stop()


def test_a_lineage_read_on_one_receiver_sees_what_was_posted_to_the_other(
        settings: dict[str, str], tmp_path: Path) -> None:
    first = Receiver(tmp_path / "first", settings=settings).start()
    second = _another(first, tmp_path / "second")
    try:
        second.start()
        events = chain_events(6, jobs=6)
        for index, event in enumerate(events):
            writer, reader = (first, second) if index % 2 else (second, first)
            status, _ = _post(writer, "/api/v1/lineage", event, Prefer="wait=projected")
            assert status == 201
            job = f"job:etl:{event['job']['name']}"
            status, _, body = http("GET", f"{reader.url}/api/v1/lineage?"
                                   + urllib.parse.urlencode({"nodeId": job, "depth": 1}),
                                   headers=reader.auth(reader.read_key))  # no settle: read at once
            assert status == 200, body[:300]
            ids = {node["id"] for node in json.loads(body)["graph"]}
            table = event["outputs"][0]["name"]
            assert job in ids and f"dataset:postgres://db:5432:{table}" in ids, (index, ids)
    finally:
        second.stop()
        first.stop()


def test_the_scheduler_and_health_checks_move_to_the_survivor_and_work_is_done_once(
        settings: dict[str, str], engine: sa.Engine, tmp_path: Path) -> None:
    first = Receiver(tmp_path / "first", settings=settings).start()
    second = _another(first, tmp_path / "second")
    try:
        # the first receiver, alone, takes both leaderships
        leaders = {k: _wait_holder(engine, k, other_than=None) for k in (LOCK_SCHEDULER, LOCK_HEALTH)}
        second.start()
        time.sleep(1.5)  # the second receiver's threads tick and find the locks taken
        assert {k: _holders(engine, k) for k in leaders} == {k: [pid] for k, pid in leaders.items()}

        with http_server({"/hook": (200, {})}) as server:
            now = datetime.now(UTC)
            for event in run("nightly", "COMPLETE", outputs=[dataset("other.table")], start=now, seconds=0.1):
                # projected before the rule exists: a completion projected after the first deadline would
                # resolve the incident it opened (a second notification)
                assert _post(second, "/api/v1/lineage", event, Prefer="wait=projected")[0] == 201
            status, hook = _post(first, "/api/v1/channels", {"name": "hook", "kind": "webhook",
                                                             "config": {"url": f"{server.url}/hook"}})
            assert status == 201, hook
            status, rule = _post(second, "/api/v1/alert-rules", {
                "name": "every 3 s", "type": "deadline", "channelIds": [hook["id"]],
                "params": {"cron": "* * * * * */3"}, "scope": {"jobs": ["nightly"]}})
            assert status == 201, rule
            status, source = _post(first, "/api/v1/sources", {
                "kind": "filesystem", "name": "landing", "config": {"scheme": "file", "path": settings[
                    "FILESYSTEM_ROOTS"]}})
            assert status == 201, source
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not server.requests:
                time.sleep(0.1)
            assert len(server.requests) == 1, [(r.json()["event"], r.json()["title"]) for r in server.requests]
            before = first.get("/api/v1/incidents")["incidents"][0]["occurrences"]

            first.kill()  # the leader of both dies
            killed_at = time.monotonic()
            taken = {k: _wait_holder(engine, k, other_than=pid) for k, pid in leaders.items()}
            took = time.monotonic() - killed_at
            assert took < 10, took  # its locks went with its connections; the survivor's next tick takes them
            assert all(len(_holders(engine, k)) == 1 for k in taken)
            time.sleep(5)  # more deadlines pass under the new scheduler; health checks go on

            incidents = second.get("/api/v1/incidents")["incidents"]
            assert len(incidents) == 1 and incidents[0]["occurrences"] > before  # the survivor evaluates
            assert len(server.requests) == 1  # and the open incident is not notified again
        checks = second.get(f"/api/v1/sources/{source['id']}/health", limit=1000)["checks"]
        times = sorted(datetime.fromisoformat(c["checkedAt"]) for c in checks)
        gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
        assert len(times) >= 6 and min(gaps) >= 0.8, gaps  # one checker at a time, before and after the kill
        assert times[-1].timestamp() > time.time() - 3  # still checked after the takeover
    finally:
        second.stop()
        first.stop()


def _another(first: Receiver, workdir: Path) -> Receiver:
    """A second receiver on the same databases, with the keys already provisioned there."""
    return Receiver(workdir, settings=first.settings, admin_key=first.admin_key, ingest_key=first.ingest_key,
                    read_key=first.read_key)


def _wait_holder(engine: sa.Engine, key: int, *, other_than: int | None, timeout: float = 20.0) -> int:
    deadline = time.monotonic() + timeout
    while True:
        found = [pid for pid in _holders(engine, key) if pid != other_than]
        if found:
            return found[0]
        assert time.monotonic() < deadline, f"nobody took the advisory lock {key:#x}"
        time.sleep(0.1)
