"""Lineage query latency on a synthetic graph (``bench/graphgen.py``; 100k datasets, 50k jobs, 300k
edges at ``BENCH_SCALE=1``), loaded through ``GraphStore.apply(batch=GraphBatch(...))`` into the SQL store on
SQLite, the SQL store on PostgreSQL and Neo4j; then p50/p95 of ``traverse(UPSTREAM, depth=3)``,
``traverse(UPSTREAM, depth=10)`` from random late-layer datasets and ``shortest_paths`` between random
connected pairs, with ``max_nodes`` and the path limits the HTTP API uses (5000 nodes, depth 20, 10 paths).

    python -m bench.query [--backends sqlite,postgres,neo4j] [--queries 200] [--reuse] [--json out.json]

Answers are checked against a breadth-first search over the generated edges (node counts must agree).
"""

from __future__ import annotations

import argparse
import logging
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import common, graphgen
from bench.common import fmt, median, percentile
from lineagelens.receiver.config import defaults
from lineagelens.receiver.graph.base import GraphStore
from lineagelens.receiver.graph.model import Direction

log = logging.getLogger(__name__)

MAX_NODES = int(defaults()["MAX_NODES"])  # the receiver default (5000)
MAX_DEPTH = int(defaults()["MAX_DEPTH"])  # what GET /api/v1/lineage/path uses when maxDepth is not given
PATH_LIMIT = 10  # the path endpoint's default limit


def open_store(backend: str, workdir: Path, fresh: bool) -> GraphStore:
    if backend == "neo4j":
        from lineagelens.receiver.graph.neo4j import Neo4jGraphStore

        if fresh:
            common.reset_neo4j()
        store: GraphStore = Neo4jGraphStore(url=common.NEO4J_URL)
        store.setup()
        return store
    from lineagelens.receiver.graph.sql import SqlGraphStore
    from lineagelens.receiver.state import db

    if backend == "sqlite":
        path = workdir / "query-bench.db"
        if fresh:
            for stale in workdir.glob(f"{path.name}*"):
                stale.unlink()
        engine = db.create_engine(f"sqlite:///{path}")
    elif backend == "postgres":
        if fresh:
            common.reset_postgres()
        engine = db.create_engine(common.PG_URL)
    else:
        raise SystemExit(f"unknown backend {backend!r} (sqlite, postgres, neo4j)")
    db.upgrade(engine)
    return SqlGraphStore(engine)


def load(store: GraphStore, g: graphgen.Graph, batch_size: int) -> dict[str, float]:
    began = time.perf_counter()
    phases: dict[str, float] = {"nodes": 0.0, "edges": 0.0}
    done = 0
    for phase, batch in graphgen.batches(g, batch_size):
        t = time.perf_counter()
        store.apply(batch=batch)
        phases[phase] += time.perf_counter() - t
        done += len(batch.nodes) + len(batch.edges)
        if done % (batch_size * 10) < batch_size:
            log.info("  loaded %d rows (%.0fs)", done, time.perf_counter() - began)
    return {"seconds": time.perf_counter() - began, "nodes_s": phases["nodes"], "edges_s": phases["edges"]}


def timed(fn: Any, cases: list[Any], warmup: int) -> tuple[list[float], list[Any]]:
    for case in cases[:warmup]:
        fn(case)
    times, answers = [], []
    for case in cases:
        t = time.perf_counter()
        answers.append(fn(case))
        times.append(time.perf_counter() - t)
    return times, answers


def run_backend(backend: str, g: graphgen.Graph, a: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    log.info("== %s", backend)
    store = open_store(backend, workdir, fresh=not a.reuse)
    expected = {"dataset": sum(map(len, g.datasets)), "job": sum(map(len, g.jobs)), "edges": len(g.edges)}
    counts = store.counts()
    if a.reuse and all(counts.get(k) == v for k, v in expected.items()):
        loaded: dict[str, float] = {}
        log.info("  reusing the loaded graph %s", counts)
    else:
        if a.reuse:
            store.close()
            store = open_store(backend, workdir, fresh=True)
        loaded = load(store, g, a.batch_size)
        counts = store.counts()
        log.info("  loaded in %.1fs: %s", loaded["seconds"], counts)
    rng = random.Random(a.seed)
    starts = rng.sample(g.late_datasets(), a.queries)
    pairs = []
    for dst in rng.sample(g.late_datasets(), a.queries):  # an upstream dataset 4, 6, 8 or 10 edges away
        cone = g.upstream(dst, 10)
        hops = rng.choice(sorted({d for d in cone.values() if d >= 4}))
        src = rng.choice(sorted(n for n, d in cone.items() if d == hops))
        pairs.append((src, dst, hops))  # the shortest path's length, in edges
    results: dict[str, Any] = {"backend": backend, "load": loaded, "counts": counts, "queries": {}}
    for depth in (3, 10):
        def walk(start: str, depth: int = depth) -> Any:
            return store.traverse(start=[start], direction=Direction.UPSTREAM, depth=depth, max_nodes=MAX_NODES)

        times, answers = timed(walk, starts, a.warmup)
        wrong = sum(len(sg.nodes) != min(len(g.upstream(s, depth)), MAX_NODES) for s, sg in zip(starts, answers,
                                                                                               strict=True))
        results["queries"][f"upstream depth {depth}"] = {
            "times": times, "nodes": [len(sg.nodes) for sg in answers], "edges": [len(sg.edges) for sg in answers],
            "truncated": sum(sg.truncated for sg in answers), "mismatches": wrong}

    def path(pair: tuple[str, str, int]) -> Any:
        return store.shortest_paths(src=pair[0], dst=pair[1], max_depth=MAX_DEPTH, limit=PATH_LIMIT)

    times, answers = timed(path, pairs, a.warmup)
    lengths = [len(p[0].edges) if p else -1 for p in answers]
    wrong = sum(n != hops for (_, _, hops), n in zip(pairs, lengths, strict=True))
    results["queries"]["shortest paths"] = {"times": times, "nodes": [sum(len(p.nodes) for p in ps) for ps in answers],
                                            "paths": [len(ps) for ps in answers], "hops": lengths,
                                            "mismatches": wrong}
    store.close()
    return results


def report(all_results: list[dict[str, Any]], g: graphgen.Graph, a: argparse.Namespace) -> None:
    print(f"\nGraph: {sum(map(len, g.datasets)):,} datasets, {sum(map(len, g.jobs)):,} jobs, {len(g.edges):,} edges "
          f"in {g.layers} layers; {a.queries} queries each (after {a.warmup} warm-up), max_nodes {MAX_NODES}\n")
    rows = [[r["backend"], fmt(r["load"].get("seconds", float("nan"))), fmt(r["load"].get("nodes_s", float("nan"))),
             fmt(r["load"].get("edges_s", float("nan"))),
             f"{r['counts']['dataset']:,} / {r['counts']['job']:,} / {r['counts']['edges']:,}"] for r in all_results]
    print(common.table(["backend", "load s", "of which nodes s", "of which edges s", "datasets / jobs / edges"],
                       rows) + "\n")
    rows = []
    for r in all_results:
        for name, q in r["queries"].items():
            ms = [t * 1000 for t in q["times"]]
            size = f"{median(q['nodes']):,.0f} nodes, " + (
                f"{median(q['paths']):.0f} path(s) of {median(q['hops']):.0f} hops" if "paths" in q
                else f"{median(q['edges']):,.0f} edges")
            rows.append([r["backend"], name, fmt(percentile(ms, 50)), fmt(percentile(ms, 95)), fmt(max(ms)), size,
                         q.get("truncated", 0), q["mismatches"]])
    print(common.table(["backend", "query", "p50 ms", "p95 ms", "max ms", "median answer", "truncated",
                        "mismatches"], rows))


def main() -> None:
    scale = common.scale()
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--backends", default=common.os.environ.get("BENCH_QUERY_BACKENDS", "sqlite,postgres,neo4j"))
    p.add_argument("--datasets", type=int, default=int(100_000 * scale))
    p.add_argument("--jobs", type=int, default=int(50_000 * scale))
    p.add_argument("--edges", type=int, default=int(300_000 * scale))
    p.add_argument("--layers", type=int, default=common.env_int("BENCH_LAYERS", 30))
    p.add_argument("--queries", type=int, default=common.env_int("BENCH_QUERIES", 200))
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=common.env_int("BENCH_LOAD_BATCH", 10_000))
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--reuse", action="store_true", help="keep an already loaded graph of the same size")
    p.add_argument("--out", default=common.os.environ.get("BENCH_OUT") or tempfile.mkdtemp(prefix="ll-bench-"))
    p.add_argument("--json", help="write every measurement here")
    a = p.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    workdir = Path(a.out)
    workdir.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    g = graphgen.generate(datasets=a.datasets, jobs=a.jobs, edges=a.edges, layers=a.layers, seed=a.seed)
    log.info("generated %d nodes, %d edges in %.1fs", g.node_count, len(g.edges), time.perf_counter() - t)
    results = [run_backend(b.strip(), g, a, workdir) for b in a.backends.split(",") if b.strip()]
    report(results, g, a)
    common.write_json(a.json, {"machine": common.machine(), "args": vars(a), "results": results})


if __name__ == "__main__":
    main()
