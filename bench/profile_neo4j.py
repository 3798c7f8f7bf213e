"""Why a depth-10 upstream traversal on Neo4j takes what it takes, and what a one-statement traversal would
take instead. Needs the graph that ``python -m bench.query --backends neo4j`` loaded (same size and seed).

    python -m bench.profile_neo4j [--queries 60] [--depth 10]

Part 1 wraps the driver's ``ManagedTransaction.run`` (from outside: the store's code is unchanged) and reports,
per Cypher statement of ``Neo4jGraphStore.traverse``: calls, wall time as the client sees it (round trip +
decoding) and the server's own time (``result_available_after + result_consumed_after``); the remainder is
Python in the store (building ``Node``/``Edge`` objects, sorting) and transaction begin/commit.

Part 2 times, interleaved on the same start nodes, the current ``traverse`` against candidate single
statements (``ANY SHORTEST`` quantified path pattern = one breadth-first search on the server with each node's
depth, then the edges among the kept nodes, in one round trip). The candidates are experiments, not the
store's code; their answers are checked to have the same node and edge counts.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import neo4j
from neo4j._sync.work.transaction import ManagedTransaction

from bench import common, graphgen
from bench.common import fmt, median, percentile
from lineagelens.receiver.graph import cypher
from lineagelens.receiver.graph.model import Direction, Edge, Node, NodeKind, Rel
from lineagelens.receiver.graph.neo4j import Neo4jGraphStore, _edge, _node

# One statement: the reached nodes by breadth-first search with their depth (nearest first, max_nodes + 1 of
# them to tell truncation), then the flow edges among them. Depth bound and relationship types must be
# literals in a quantified path pattern: a store would keep one statement per (depth, rels), built at import.
ONE_STATEMENT = """
MATCH (s:Dataset|Job|Field|Run|Source {id: $id})
OPTIONAL MATCH p = ANY SHORTEST (s)<-[:INPUT_TO|OUTPUTS|FLOWS_TO]-{1,__DEPTH__}(m)
WITH s, m, length(p) AS depth ORDER BY depth, m.id LIMIT $limit
WITH s, [x IN collect(m) WHERE x IS NOT NULL] AS reached
WITH [s] + reached AS ns
CALL (ns) {
  UNWIND ns AS a
  MATCH (a)-[r:INPUT_TO|OUTPUTS|FLOWS_TO]->(b) WHERE b IN ns
  RETURN collect(__EDGE__) AS edges
}
RETURN [n IN ns | __NODE__] AS nodes, edges
"""
VARIANTS = {
    "one statement, properties() maps": ("[a.id, b.id, type(r), properties(r)]", "properties(n)"),
    "one statement, listed properties": ("[a.id, b.id, type(r), r.lastRunId, r.firstSeen, r.lastSeen]",
                                         "[n.id, n.kind, n.namespace, n.name, n.firstSeen, n.lastSeen]"),
    "one statement, ids only (lower bound)": ("[a.id, b.id, type(r)]", "n.id"),
}


class _Eager(list[Any]):
    """Records read at once (so the time is the statement's), still answering ``.single()``."""

    def single(self, strict: bool = False) -> Any:
        return self[0]


def statement_profile(store: Neo4jGraphStore, starts: list[str], depth: int) -> None:
    names = {v: k for k, v in vars(cypher).items() if isinstance(v, str)}
    stats: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    original = ManagedTransaction.run

    def run(self: ManagedTransaction, query: Any, parameters: Any = None, **kwargs: Any) -> _Eager:
        began = time.perf_counter()
        result = original(self, query, parameters, **kwargs)
        records = _Eager(result)
        summary = result.consume()
        entry = stats[names.get(query, str(query)[:40])]
        entry[0] += 1
        entry[1] += time.perf_counter() - began
        entry[2] += ((summary.result_available_after or 0) + (summary.result_consumed_after or 0)) / 1000
        return records

    ManagedTransaction.run = run  # type: ignore[method-assign,assignment]
    try:
        walk = [store.traverse(start=[s], direction=Direction.UPSTREAM, depth=depth, max_nodes=5000)
                for s in starts[:5]]
        stats.clear()
        began = time.perf_counter()
        walk = [store.traverse(start=[s], direction=Direction.UPSTREAM, depth=depth, max_nodes=5000)
                for s in starts]
        total = time.perf_counter() - began
    finally:
        ManagedTransaction.run = original  # type: ignore[method-assign]
    n = len(starts)
    rows = [[name, f"{calls / n:.1f}", fmt(wall / n * 1000), fmt(server / n * 1000), fmt((wall - server) / n * 1000)]
            for name, (calls, wall, server) in stats.items()]
    in_statements = sum(s[1] for s in stats.values())
    rows.append(["Python in the store + tx begin/commit", "", fmt((total - in_statements) / n * 1000), "", ""])
    rows.append(["**total per traverse**", "", fmt(total / n * 1000), "", ""])
    print(f"\nPart 1: traverse(UPSTREAM, depth={depth}) on {n} late-layer datasets, mean per traversal "
          f"(median answer {median([len(w.nodes) for w in walk]):,.0f} nodes, "
          f"{median([len(w.edges) for w in walk]):,.0f} edges)\n")
    print(common.table(["statement", "calls", "client ms", "server ms", "transfer + decode ms"], rows))


def _full(rec: Any) -> tuple[dict[str, Node], list[Edge]]:
    return ({p["id"]: _node(p) for p in rec["nodes"]}, [_edge(a, b, r, p) for a, b, r, p in rec["edges"]])


def _listed(rec: Any) -> tuple[dict[str, Node], list[Edge]]:
    nodes = {i: Node(id=i, kind=NodeKind(k), namespace=ns, name=n, props={"firstSeen": f, "lastSeen": ls})
             for i, k, ns, n, f, ls in rec["nodes"]}
    edges = [Edge(src=a, dst=b, rel=Rel(r), props={"firstSeen": f, "lastSeen": ls, "lastRunId": lr})
             for a, b, r, lr, f, ls in rec["edges"]]
    return nodes, edges


def compare(store: Neo4jGraphStore, starts: list[str], depth: int) -> None:
    driver = neo4j.GraphDatabase.driver(common.NEO4J_URL, auth=None,
                                        notifications_min_severity=neo4j.NotificationMinimumSeverity.OFF)

    def statement(edge: str, node: str, build: Callable[[Any], Any]) -> Callable[[str], tuple[int, int]]:
        query = ONE_STATEMENT.replace("__DEPTH__", str(depth)).replace("__EDGE__", edge).replace("__NODE__", node)

        def fn(start: str) -> tuple[int, int]:
            with driver.session() as session:
                rec = session.execute_read(lambda tx: tx.run(query, id=start, limit=5001).single(strict=True))
            nodes, edges = build(rec)
            return len(nodes), len(edges)

        return fn

    def current(start: str) -> tuple[int, int]:
        sg = store.traverse(start=[start], direction=Direction.UPSTREAM, depth=depth, max_nodes=5000)
        return len(sg.nodes), len(sg.edges)

    fns: dict[str, Callable[[str], tuple[int, int]]] = {"current traverse()": current}
    for name, (edge, node) in VARIANTS.items():
        build = _full if "maps" in name else _listed if "listed" in name else (lambda r: (r["nodes"], r["edges"]))
        fns[name] = statement(edge, node, build)
    times: dict[str, list[float]] = defaultdict(list)
    sizes: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for rep in range(2):  # the first pass warms caches and plans
        for start in starts:
            for name, fn in fns.items():
                began = time.perf_counter()
                size = fn(start)
                if rep:
                    times[name].append((time.perf_counter() - began) * 1000)
                    sizes[name].append(size)
    driver.close()
    rows = [[name, fmt(percentile(t, 50)), fmt(percentile(t, 95)),
             "yes" if sizes[name] == sizes["current traverse()"] else "NO"] for name, t in times.items()]
    print(f"\nPart 2: depth {depth}, {len(starts)} start nodes, interleaved\n")
    print(common.table(["implementation", "p50 ms", "p95 ms", "same node/edge counts"], rows))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--queries", type=int, default=60)
    p.add_argument("--depth", type=int, default=10)
    p.add_argument("--seed", type=int, default=42)
    a = p.parse_args()
    scale = common.scale()
    g = graphgen.generate(datasets=int(100_000 * scale), jobs=int(50_000 * scale), edges=int(300_000 * scale),
                          seed=a.seed)
    starts = random.Random(a.seed).sample(g.late_datasets(), a.queries)
    store = Neo4jGraphStore(url=common.NEO4J_URL)
    if store.counts()["edges"] != len(g.edges):
        raise SystemExit("load the graph first: python -m bench.query --backends neo4j (same BENCH_SCALE)")
    statement_profile(store, starts, a.depth)
    compare(store, starts, a.depth)
    store.close()


if __name__ == "__main__":
    main()
