"""Projection throughput into PostgreSQL + Neo4j against a graph-write ceiling measured in the same run.

    python -m bench.projection [--events 6000] [--batch-size 500] [--receivers 1,2] [--reps 2] [--json out.json]

Per repetition, on the benchmark's own databases (``lineagelens_bench`` and the Neo4j on 7688):

* **ceiling** — the bench's Spark-shaped events are parsed and built into one ``GraphBatch`` per
  ``--batch-size`` events with :func:`lineagelens.receiver.projection.build.build` (before the clock starts),
  then only the graph writes are timed: the same nodes, runs and edges written straight through the neo4j
  driver, one write transaction per batch, with the ``UNWIND … MERGE`` statements and rows the store sends
  (:func:`lineagelens.receiver.graph.neo4j.batch_statements`, also built before the clock starts), into an
  empty Neo4j.
* **receiver** — the same events are committed to an empty event log (in-process, no worker, not timed), then
  ``--receivers`` ``lineagelens serve`` processes (worker on) are started on those databases and the clock runs
  from the first event they mark projected to the last: parse (or reuse), aliases, build, graph write, state
  records, projected mark, one drainer at a time across processes (the PostgreSQL advisory lock).

The figure is events/s of each and the ratio receiver / ceiling.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import common, events
from bench.common import HOST, fmt, median

log = logging.getLogger(__name__)


def make_events(n: int) -> list[dict[str, Any]]:
    """``n`` bench events (a START and a COMPLETE per run, fresh run ids), as decoded JSON."""
    tpls = events.templates()
    raws: list[dict[str, Any]] = []
    i = 0
    while len(raws) < n:
        t, run_id = tpls[i % len(tpls)], events.new_run_id()
        raws += [json.loads(events.fill(t.start, run_id)), json.loads(events.fill(t.complete, run_id))]
        i += 1
    return raws[:n]


def ceiling(raws: list[dict[str, Any]], batch_size: int) -> tuple[float, dict[str, int]]:
    """Seconds to write the events' graph rows straight through the driver (empty Neo4j), and row counts."""
    import neo4j

    from lineagelens.receiver.graph.neo4j import Neo4jGraphStore, batch_statements
    from lineagelens.receiver.openlineage import parse_event
    from lineagelens.receiver.projection.build import build

    common.reset_neo4j()
    store = Neo4jGraphStore(url=common.NEO4J_URL)
    store.setup()
    store.close()
    parsed = [parse_event(raw) for raw in raws]
    work: list[list[tuple[str, list[dict[str, Any]]]]] = []  # per batch: (statement, rows)
    aliases: dict[Any, Any] = {}
    counts = {"nodes": 0, "runs": 0, "edges": 0, "statements": 0}
    for start in range(0, len(parsed), batch_size):
        projection = build(parsed[start:start + batch_size], aliases)
        batch = projection.graph
        aliases.update(projection.state.aliases)
        statements = batch_statements(batch)  # the store's statements and rows, built before the clock starts
        counts["nodes"] += len(batch.nodes)
        counts["runs"] += len(batch.runs)
        counts["edges"] += len(batch.edges)
        counts["statements"] += len(statements)
        work.append(statements)

    def write(tx: neo4j.ManagedTransaction, statements: list[tuple[str, list[dict[str, Any]]]]) -> None:
        for statement, rows in statements:
            tx.run(statement, rows=rows).consume()

    with neo4j.GraphDatabase.driver(common.NEO4J_URL, auth=None) as driver, driver.session() as session:
        began = time.perf_counter()
        for statements in work:
            session.execute_write(write, statements)
        return time.perf_counter() - began, counts


def graph_shape() -> dict[str, int]:
    """Nodes per label and relationships per type in the bench Neo4j: the ceiling and the receiver must
    write the same graph."""
    import neo4j

    with neo4j.GraphDatabase.driver(common.NEO4J_URL, auth=None) as driver, driver.session() as session:
        shape = {f"nodes:{r['k']}": r["c"] for r in session.run(
            "MATCH (n) UNWIND labels(n) AS k RETURN k, count(*) AS c")}
        shape |= {f"rels:{r['k']}": r["c"] for r in session.run(
            "MATCH ()-[r]->() RETURN type(r) AS k, count(*) AS c")}
    return shape


def load_log(raws: list[dict[str, Any]], env: dict[str, str]) -> None:
    """Commit the events to the (fresh) event log in-process, nothing projected."""
    from lineagelens.receiver import create_app, services

    config = {"DATABASE_URL": env["LINEAGELENS_DATABASE_URL"], "GRAPH_URL": env["LINEAGELENS_GRAPH_URL"],
              "WORKER_ENABLED": False, "PROJECTION_MODE": "background", "SECRET_KEY": "lineagelens-bench-master-key"}
    s = services.get(create_app(config))
    try:
        for start in range(0, len(raws), 500):
            outcome = s.ingestor.ingest_batch(raws[start:start + 500])
            if outcome.failed:
                raise RuntimeError(f"events refused: {outcome.failed[:1]}")
    finally:
        s.close()


def projected(conn: Any) -> int:
    return int(conn.execute("SELECT count(*) FROM lineage_events WHERE projected").fetchone()[0])


def receiver_drain(raws: list[dict[str, Any]], receivers: int, batch_size: int, out: Path,
                   extra_env: dict[str, str]) -> tuple[float, float]:
    """Seconds from the first projected event to the last with ``receivers`` processes; and the wall time
    from starting them."""
    import psycopg

    common.reset_postgres()
    common.reset_neo4j()
    env = common.clean_env(LINEAGELENS_DATABASE_URL=common.PG_URL, LINEAGELENS_GRAPH_URL=common.NEO4J_URL,
                           LINEAGELENS_SECRET_KEY="lineagelens-bench-master-key",
                           LINEAGELENS_PROJECTION_BATCH_SIZE=str(batch_size), **extra_env)
    load_log(raws, env)
    n = len(raws)
    servers = []
    bin_dir = Path(sys.executable).parent
    pg = common.PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(pg, autocommit=True) as conn:
        assert projected(conn) == 0
        began = time.monotonic()
        try:
            for i in range(receivers):
                port = common.free_port()
                cmd = [str(bin_dir / "lineagelens"), "serve", "--host", HOST, "--port", str(port)]
                server = common.Server(f"receiver {i}", cmd, port=port, env=env, cwd=out,
                                       log_path=out / f"projection-receiver-{i}.log")
                servers.append(server)
                server.start()
            first: tuple[float, int] | None = None
            while True:
                done, now = projected(conn), time.monotonic()
                if done and first is None:
                    first = (now, done)
                if done >= n:
                    break
                if now - began > 1800:
                    raise RuntimeError(f"only {done} of {n} events projected after 30 minutes")
                time.sleep(0.05)
        finally:
            for server in servers:
                server.stop()
    assert first is not None
    t0, done0 = first
    # The first poll that saw projected events saw ``done0`` of them: extrapolate back at the measured rate.
    span = now - t0
    rate = (n - done0) / span if span > 0 else float("inf")
    return n / rate, now - began


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--events", type=int, default=common.env_int("BENCH_PROJECTION_EVENTS",
                                                                 int(max(2000, 10000 * common.scale()))))
    p.add_argument("--batch-size", type=int, default=common.env_int("BENCH_PROJECTION_BATCH", 500))
    p.add_argument("--receivers", default=common.os.environ.get("BENCH_PROJECTION_RECEIVERS", "1,2"))
    p.add_argument("--reps", type=int, default=common.env_int("BENCH_REPS", 3))
    p.add_argument("--out", default=common.os.environ.get("BENCH_OUT") or tempfile.mkdtemp(prefix="ll-bench-"))
    p.add_argument("--json", help="write every measurement here")
    a = p.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    counts = [int(c) for c in a.receivers.split(",") if c.strip()]
    raws = make_events(a.events)
    results: dict[str, list[float]] = {"ceiling": [], **{f"receivers={c}": [] for c in counts}}
    walls: dict[str, list[float]] = {f"receivers={c}": [] for c in counts}
    loads: list[float] = []
    rows_info: dict[str, int] = {}
    mismatches: list[dict[str, Any]] = []
    for rep in range(a.reps):
        loads.append(common.os.getloadavg()[0])
        seconds, rows_info = ceiling(raws, a.batch_size)
        expected = graph_shape()
        results["ceiling"].append(a.events / seconds)
        log.info("rep %d: ceiling %.0f events/s (%s)", rep + 1, a.events / seconds, rows_info)
        for c in counts:
            loads.append(common.os.getloadavg()[0])
            seconds, wall = receiver_drain(raws, c, a.batch_size, out, {})
            shape = graph_shape()
            if shape != expected:
                mismatches.append({"rep": rep + 1, "receivers": c, "ceiling": expected, "receiver": shape})
                log.warning("the receiver's graph differs from the ceiling's: %s vs %s", shape, expected)
            results[f"receivers={c}"].append(a.events / seconds)
            walls[f"receivers={c}"].append(wall)
            log.info("rep %d: %d receiver(s) %.0f events/s (%.1fs from the start of the processes)",
                     rep + 1, c, a.events / seconds, wall)
    ceil = median(results["ceiling"])
    table = [["graph-write ceiling (driver, UNWIND … MERGE)", fmt(ceil), " · ".join(fmt(x) for x in results["ceiling"]),
              "1.00"]]
    for c in counts:
        rates = results[f"receivers={c}"]
        table.append([f"receiver drain, {c} process{'es' if c > 1 else ''}", fmt(median(rates)),
                      " · ".join(fmt(x) for x in rates), fmt(median(rates) / ceil, 2)])
    print(f"\nProjection of {a.events} bench events in batches of {a.batch_size} into PostgreSQL + Neo4j, "
          f"{a.reps} reps; load average {fmt(min(loads))}-{fmt(max(loads))}; per batch on average "
          f"{rows_info.get('nodes', 0) * a.batch_size // a.events} nodes, "
          f"{rows_info.get('edges', 0) * a.batch_size // a.events} edges, "
          f"{rows_info.get('statements', 0) * a.batch_size / a.events:.0f} statements; graphs written by the "
          f"receiver {'equal to' if not mismatches else 'DIFFERENT from'} the ceiling's (nodes per label, "
          f"relationships per type)\n")
    print(common.table(["what", "events/s (median)", "runs", "ratio to the ceiling"], table))
    common.write_json(a.json, {"machine": common.machine(), "args": vars(a), "loads": loads, "results": results,
                               "walls": walls, "rows": rows_info, "mismatches": mismatches})


if __name__ == "__main__":
    main()
