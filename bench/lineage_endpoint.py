"""The Marquez-compatible depth-10 lineage endpoint, in process: ``GET /api/v1/lineage?nodeId=dataset:…&depth=10``
through the Flask test client, on the graph ``bench/marquez.py`` builds (its Spark-shaped events with every
dataset in one namespace: 200 chained jobs), with a per-stage breakdown of where the time goes.

    python -m bench.lineage_endpoint [--backend sqlite|pg-neo4j] [--runs 850] [--queries 40] [--json out.json]

``sqlite`` (default): a fresh SQLite file, the SQL graph store. ``pg-neo4j``: the ``lineagelens_bench`` database
(dropped and recreated) and the bench Neo4j on 127.0.0.1:7688 (wiped). Events are ingested in batches with
inline projection; then ``--queries`` datasets written by jobs 60-139 are asked for (5 warm-up requests first)
and p50/p95 are printed with, per request, the time spent in the graph store (traversal, node look-ups), in
state-store SQL outside the graph store, in encoding the JSON body, and the rest (Flask, argument parsing,
building the answer in Python). Also the SQL statements per request. No assertions on time. Run it under
``flock /tmp/lineagelens-bench.lock``. Everything talks to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from bench import common
from bench.common import fmt, median, percentile
from bench.marquez import make_runs, query_nodes

log = logging.getLogger(__name__)

LINEAGE = "/api/v1/lineage"
GRAPH_METHODS = ("traverse", "get_nodes", "fields_of", "shortest_paths")


@dataclass
class Stages:
    """Seconds spent per stage in the current request."""

    graph: float = 0.0
    sql: float = 0.0
    json: float = 0.0
    statements: int = 0
    in_graph: int = 0
    started: dict[int, float] = field(default_factory=dict)

    def reset(self) -> None:
        self.graph = self.sql = self.json = 0.0
        self.statements = 0


def make_app(backend: str, workdir: Path) -> Flask:
    from lineagelens.receiver import create_app

    config: dict[str, Any] = {"WORKER_ENABLED": False, "PROJECTION_MODE": "inline", "AUTH": False,
                              "SECRET_KEY": "lineagelens-bench-master-key", "INGEST_RATE_LIMIT": "",
                              "PROJECTION_WAIT_SECONDS": 600.0}
    if backend == "sqlite":
        config["DATABASE_URL"] = f"sqlite:///{workdir / 'lineage-endpoint.db'}"
    elif backend == "pg-neo4j":
        common.reset_postgres()
        common.reset_neo4j()
        config.update(DATABASE_URL=common.PG_URL, GRAPH_URL=common.NEO4J_URL, GRAPH_PASSWORD="")
    else:
        raise SystemExit(f"unknown backend {backend!r} (sqlite, pg-neo4j)")
    return create_app(config)


def ingest(app: Flask, runs: int, batch: int) -> float:
    """Post ``runs`` runs (START + COMPLETE each) of the chained bench jobs; returns the seconds taken."""
    client = app.test_client()
    events: list[bytes] = []
    for start, complete in make_runs(runs, seed=0, sent_jobs=set()):
        events += [start, complete]
    began = time.perf_counter()
    for i in range(0, len(events), batch):
        body = b"[" + b",".join(events[i:i + batch]) + b"]"
        resp = client.post(LINEAGE, data=body, content_type="application/json")
        if resp.status_code >= 300:
            raise RuntimeError(f"ingest answered {resp.status_code}: {resp.get_data(as_text=True)[:300]}")
    return time.perf_counter() - began


def instrument(app: Flask, stages: Stages) -> None:
    """Count graph-store time (wrapping its methods), state-store SQL time outside graph calls (cursor
    events on the state engine) and JSON encoding time (the app's JSON provider)."""
    from lineagelens.receiver import services

    s = services.get(app)

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            stages.in_graph += 1
            began = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                stages.in_graph -= 1
                if stages.in_graph == 0:
                    stages.graph += time.perf_counter() - began
        return timed

    for name in GRAPH_METHODS:
        if hasattr(s.graph, name):
            setattr(s.graph, name, wrap(getattr(s.graph, name)))

    @sa.event.listens_for(s.engine, "before_cursor_execute")
    def _before(conn: Any, cursor: Any, statement: Any, params: Any, context: Any, many: bool) -> None:
        stages.statements += 1
        stages.started[id(cursor)] = time.perf_counter()

    @sa.event.listens_for(s.engine, "after_cursor_execute")
    def _after(conn: Any, cursor: Any, statement: Any, params: Any, context: Any, many: bool) -> None:
        began = stages.started.pop(id(cursor), None)
        if began is not None and stages.in_graph == 0:
            stages.sql += time.perf_counter() - began

    provider = app.json
    dumps = provider.dumps

    def timed_dumps(obj: Any, **kwargs: Any) -> str:
        began = time.perf_counter()
        try:
            return dumps(obj, **kwargs)
        finally:
            stages.json += time.perf_counter() - began

    provider.dumps = timed_dumps  # type: ignore[method-assign]


def query(app: Flask, nodes: list[str], depth: int, warmup: int, stages: Stages) -> dict[str, list[float]]:
    client = app.test_client()
    out: dict[str, list[float]] = {k: [] for k in ("total", "graph", "sql", "json", "rest", "nodes", "statements",
                                                   "bytes")}
    for i, node in enumerate(nodes[:warmup] + nodes):
        path = f"{LINEAGE}?{urllib.parse.urlencode({'nodeId': node, 'depth': depth})}"
        stages.reset()
        began = time.perf_counter()
        resp = client.get(path)
        body = resp.get_data()
        total = time.perf_counter() - began
        if resp.status_code != 200:
            raise RuntimeError(f"GET {path}: {resp.status_code} {body[:300]!r}")
        if i < warmup:
            continue
        out["total"].append(total * 1000)
        out["graph"].append(stages.graph * 1000)
        out["sql"].append(stages.sql * 1000)
        out["json"].append(stages.json * 1000)
        out["rest"].append((total - stages.graph - stages.sql - stages.json) * 1000)
        out["nodes"].append(len(json.loads(body)["graph"]))
        out["statements"].append(stages.statements)
        out["bytes"].append(len(body))
    return out


@contextmanager
def app_for(backend: str, workdir: Path) -> Iterator[Flask]:
    from lineagelens.receiver import services

    app = make_app(backend, workdir)
    try:
        yield app
    finally:
        services.get(app).close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--backend", default="sqlite", choices=["sqlite", "pg-neo4j"])
    p.add_argument("--runs", type=int, default=850, help="runs ingested (2 events each); bench/marquez.py's "
                   "default run sends 200 warm-up + 1500 measured events = 850 runs")
    p.add_argument("--batch", type=int, default=100, help="events per ingest POST")
    p.add_argument("--queries", type=int, default=40)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--depth", type=int, default=10)
    p.add_argument("--json", help="write every measurement here")
    a = p.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    with tempfile.TemporaryDirectory(prefix="ll-lineage-endpoint-") as tmp, app_for(a.backend, Path(tmp)) as app:
        sent: set[int] = set()
        make_runs(a.runs, seed=0, sent_jobs=sent)
        seconds = ingest(app, a.runs, a.batch)
        log.info("ingested %d events in %.1fs", 2 * a.runs, seconds)
        stages = Stages()
        instrument(app, stages)
        nodes = query_nodes(a.queries, sent)
        result = query(app, nodes, a.depth, a.warmup, stages)
    report(a, result)


def report(a: argparse.Namespace, r: dict[str, list[float]]) -> None:
    print(f"\nGET {LINEAGE}?nodeId=dataset:...&depth={a.depth}, backend {a.backend}, {len(r['total'])} datasets "
          f"written by jobs 60-139 ({a.warmup} warm-ups first), {2 * a.runs} events ingested; "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    rows = [[stage, fmt(percentile(r[stage], 50)), fmt(percentile(r[stage], 95)), fmt(sum(r[stage]) / len(r[stage]))]
            for stage in ("total", "graph", "sql", "json", "rest")]
    print(common.table(["stage (ms per request)", "p50", "p95", "mean"], rows))
    print(f"\nanswer: nodes median {median(r['nodes']):.0f} ({min(r['nodes']):.0f}-{max(r['nodes']):.0f}), "
          f"bytes median {median(r['bytes']):,.0f}; SQL statements per request: "
          f"{min(r['statements']):.0f}-{max(r['statements']):.0f}")
    print("graph = graph-store calls (traversal, node look-ups; on SQLite their SQL too); sql = state-store SQL "
          "outside them; json = encoding the body; rest = Flask, arguments, building the answer in Python")
    common.write_json(a.json, {"machine": common.machine(), "args": vars(a), "ms": r})


if __name__ == "__main__":
    main()
