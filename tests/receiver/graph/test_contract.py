"""The graph store contract: every backend (SQL on SQLite/PostgreSQL, Neo4j) must pass these unchanged.

Tests build :class:`GraphBatch` objects by hand and observe the store only through the interface.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from lineagelens.receiver.graph.base import GraphStore
from lineagelens.receiver.graph.model import (
    Direction,
    EdgeRow,
    GraphBatch,
    NodeKind,
    NodeRow,
    Rel,
    RunNodeRow,
    dataset_id,
    field_id,
    job_id,
)

log = logging.getLogger(__name__)

NS = "postgres://db:5432"  # namespaces contain colons
T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
RANK = {"OTHER": 0, "START": 1, "RUNNING": 2, "COMPLETE": 3, "FAIL": 3, "ABORT": 3}


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def iso(minutes: int) -> str:
    return at(minutes).isoformat()


def minutes(moment: datetime) -> int:
    return int((moment - T0).total_seconds() // 60)


# -- builders -------------------------------------------------------------------------------------


def D(name: str) -> str:
    return dataset_id(NS, name)


def J(name: str) -> str:
    return job_id(NS, name)


def F(dataset: str, column: str) -> str:
    return field_id(NS, dataset, column)


def node(node_id: str, first: int = 0, last: int | None = None, **props: Any) -> NodeRow:
    kind, rest = node_id.split(":", 1)
    if kind == "datasetField":
        namespace, name = NS, rest.rsplit(":", 1)[1]
    else:
        namespace, name = rest.rsplit(":", 1)
    return NodeRow(id=node_id, kind=NodeKind(kind), namespace=namespace, name=name,
                   first_seen=at(first), last_seen=at(first if last is None else last), props=props)


def edge(src: str, dst: str, rel: Rel, first: int = 0, last: int | None = None, run: str | None = None,
         **props: Any) -> EdgeRow:
    return EdgeRow(src=src, dst=dst, rel=rel, first_seen=at(first),
                   last_seen=at(first if last is None else last), last_run_id=run, props=props)


def run(run_id: str, job: str, state: str, minute: int, started: int | None = None,
        ended: int | None = None) -> RunNodeRow:
    return RunNodeRow(run_id=run_id, job=job, state=state, rank=RANK[state], state_time=at(minute),
                      first_seen=at(minute), last_seen=at(minute),
                      started_at=None if started is None else at(started),
                      ended_at=None if ended is None else at(ended))


def batch(*items: NodeRow | EdgeRow | RunNodeRow, merges: dict[str, str] | None = None) -> GraphBatch:
    out = GraphBatch(merges=dict(merges or {}))
    for item in items:
        if isinstance(item, NodeRow):
            out.nodes[item.id] = item
        elif isinstance(item, EdgeRow):
            out.edges[item.key] = item
            for end in (item.src, item.dst):
                out.nodes.setdefault(end, node(end, minutes(item.first_seen), minutes(item.last_seen)))
        else:
            out.runs[item.run_id] = item
            out.nodes.setdefault(item.job, node(item.job, 0))
    return out


def job_run(job: str, inputs: list[str], outputs: list[str], minute: int, run_id: str) -> GraphBatch:
    """What one run event yields: the job, its datasets and the INPUT_TO / OUTPUTS edges."""
    return batch(
        *(edge(d, job, Rel.INPUT_TO, minute, run=run_id) for d in inputs),
        *(edge(job, d, Rel.OUTPUTS, minute, run=run_id) for d in outputs),
    )


def chain(store: GraphStore) -> None:
    """d1 -> j1 -> d2 -> j2 -> d3, plus j1 -> d2b (a sibling of d2)."""
    store.apply(batch=job_run(J("j1"), [D("d1")], [D("d2"), D("d2b")], 1, "r1"))
    store.apply(batch=job_run(J("j2"), [D("d2")], [D("d3")], 2, "r2"))


def ids(store: GraphStore, start: str, direction: Direction, depth: int, **kw: Any) -> set[str]:
    return set(store.traverse(start=[start], direction=direction, depth=depth, max_nodes=100, **kw).nodes)


# -- idempotency and merge rules ------------------------------------------------------------------


def test_applying_the_same_batch_twice_changes_nothing(graph_store: GraphStore) -> None:
    b = batch(edge(D("a"), J("j"), Rel.INPUT_TO, 1, 3, run="r1"), edge(J("j"), D("b"), Rel.OUTPUTS, 1, 3),
              run("r1", J("j"), "COMPLETE", 3, started=1, ended=3))
    graph_store.apply(batch=b)
    first = graph_store.snapshot()
    graph_store.apply(batch=b)
    assert graph_store.snapshot() == first
    assert len(first[0]) == 4 and len(first[1]) == 3


def test_batches_in_either_order_give_the_same_graph(graph_store: GraphStore) -> None:
    early = batch(edge(D("a"), J("j"), Rel.INPUT_TO, 1, 2, run="r1", note="early"))
    late = batch(edge(D("a"), J("j"), Rel.INPUT_TO, 5, 9, run="r2", note="late"))
    graph_store.apply(batch=early)
    graph_store.apply(batch=late)
    forward = graph_store.snapshot()
    graph_store.clear()
    graph_store.apply(batch=late)
    graph_store.apply(batch=early)
    assert graph_store.snapshot() == forward
    (only,) = forward[1]
    assert only.props == {"firstSeen": iso(1), "lastSeen": iso(9), "lastRunId": "r2", "note": "late"}


def test_node_props_come_from_the_most_recently_seen_row(graph_store: GraphStore) -> None:
    old = batch(node(F("t", "c"), 1, 2, type="int", dataset=D("t")))
    new = batch(node(F("t", "c"), 3, 4, type="bigint", dataset=D("t")))
    graph_store.apply(batch=new)
    graph_store.apply(batch=old)
    got = graph_store.get_nodes(ids=[F("t", "c")])[F("t", "c")]
    assert got.kind is NodeKind.FIELD and got.name == "c" and got.namespace == NS
    assert got.props == {"firstSeen": iso(1), "lastSeen": iso(4), "type": "bigint", "dataset": D("t")}



def test_on_a_last_seen_tie_the_incoming_row_s_props_win(graph_store: GraphStore) -> None:
    graph_store.apply(batch=batch(node(F("t", "c"), 2, 4, type="int", dataset=D("t")),
                                  edge(D("a"), J("j"), Rel.INPUT_TO, 2, 4, run="r1", note="first")))
    graph_store.apply(batch=batch(node(F("t", "c"), 1, 4, type="bigint", dataset=D("t")),
                                  edge(D("a"), J("j"), Rel.INPUT_TO, 1, 4, run="r2", note="second")))
    got = graph_store.get_nodes(ids=[F("t", "c")])[F("t", "c")]
    assert got.props == {"firstSeen": iso(1), "lastSeen": iso(4), "type": "bigint", "dataset": D("t")}
    (only,) = [e for e in graph_store.snapshot()[1] if e.rel is Rel.INPUT_TO]
    assert only.props == {"firstSeen": iso(1), "lastSeen": iso(4), "lastRunId": "r1", "note": "second"}

def test_edge_keeps_stored_last_run_id_when_last_seen_ties(graph_store: GraphStore) -> None:
    graph_store.apply(batch=batch(edge(D("a"), J("j"), Rel.INPUT_TO, 1, 5, run="r1")))
    graph_store.apply(batch=batch(edge(D("a"), J("j"), Rel.INPUT_TO, 0, 5, run="r2")))
    (only,) = graph_store.snapshot()[1]
    assert only.props == {"firstSeen": iso(0), "lastSeen": iso(5), "lastRunId": "r1"}


def test_edge_last_run_id_on_a_tie_prefers_a_known_run(graph_store: GraphStore) -> None:
    graph_store.apply(batch=batch(edge(D("a"), J("j"), Rel.INPUT_TO, 1, 5)))
    graph_store.apply(batch=batch(edge(D("a"), J("j"), Rel.INPUT_TO, 1, 5, run="r1")))
    graph_store.apply(batch=batch(edge(D("a"), J("j"), Rel.INPUT_TO, 1, 5)))
    (only,) = graph_store.snapshot()[1]
    assert only.props["lastRunId"] == "r1"


# -- runs -----------------------------------------------------------------------------------------


def _run_props(store: GraphStore, run_id: str) -> dict[str, Any]:
    return dict(store.get_nodes(ids=[f"run:{run_id}"])[f"run:{run_id}"].props)


def test_run_state_only_moves_forward_and_keeps_earliest_start(graph_store: GraphStore) -> None:
    graph_store.apply(batch=batch(run("r1", J("j"), "COMPLETE", 10, started=2, ended=10)))
    graph_store.apply(batch=batch(run("r1", J("j"), "START", 1, started=1)))
    props = _run_props(graph_store, "r1")
    assert props["state"] == "COMPLETE" and props["endedAt"] == iso(10)
    assert props["startedAt"] == iso(1)
    assert (props["firstSeen"], props["lastSeen"]) == (iso(1), iso(10))


def test_run_state_other_before_start_is_superseded_by_start(graph_store: GraphStore) -> None:
    graph_store.apply(batch=batch(run("r1", J("j"), "OTHER", 1)))
    graph_store.apply(batch=batch(run("r1", J("j"), "START", 2, started=2)))
    graph_store.apply(batch=batch(run("r1", J("j"), "OTHER", 3)))
    props = _run_props(graph_store, "r1")
    assert props["state"] == "START" and props["stateTime"] == iso(2) and props["startedAt"] == iso(2)


def test_run_state_on_equal_rank_takes_the_later_event(graph_store: GraphStore) -> None:
    graph_store.apply(batch=batch(run("r1", J("j"), "RUNNING", 5)))
    graph_store.apply(batch=batch(run("r1", J("j"), "RUNNING", 3)))
    assert _run_props(graph_store, "r1")["stateTime"] == iso(5)


def test_run_is_a_node_linked_to_its_job(graph_store: GraphStore) -> None:
    graph_store.apply(batch=batch(run("r1", J("j"), "START", 4, started=4)))
    got = graph_store.get_nodes(ids=["run:r1"])["run:r1"]
    assert (got.kind, got.namespace, got.name) == (NodeKind.RUN, "", "r1")
    edges = graph_store.snapshot()[1]
    assert [(e.src, e.dst, e.rel) for e in edges] == [("run:r1", J("j"), Rel.OF)]
    assert edges[0].props == {"firstSeen": iso(4), "lastSeen": iso(4)}


# -- traversal ------------------------------------------------------------------------------------


def test_upstream_traversal_follows_edges_backwards_within_depth(graph_store: GraphStore) -> None:
    chain(graph_store)
    assert ids(graph_store, D("d3"), Direction.UPSTREAM, 2) == {D("d3"), J("j2"), D("d2")}
    assert ids(graph_store, D("d3"), Direction.UPSTREAM, 4) == {D("d3"), J("j2"), D("d2"), J("j1"), D("d1")}
    assert ids(graph_store, D("d3"), Direction.UPSTREAM, 0) == {D("d3")}


def test_downstream_traversal_follows_edges_forwards(graph_store: GraphStore) -> None:
    chain(graph_store)
    assert ids(graph_store, D("d1"), Direction.DOWNSTREAM, 2) == {D("d1"), J("j1"), D("d2"), D("d2b")}
    assert ids(graph_store, D("d2"), Direction.DOWNSTREAM, 9) == {D("d2"), J("j2"), D("d3")}


def test_both_directions_is_the_union_not_siblings(graph_store: GraphStore) -> None:
    chain(graph_store)
    got = graph_store.traverse(start=[D("d2")], direction=Direction.BOTH, depth=9, max_nodes=100)
    assert set(got.nodes) == {D("d1"), J("j1"), D("d2"), J("j2"), D("d3")}  # not d2b, d2's sibling
    assert {(e.src, e.dst) for e in got.edges} == {
        (D("d1"), J("j1")), (J("j1"), D("d2")), (D("d2"), J("j2")), (J("j2"), D("d3"))}


def test_traversal_returns_the_edges_walked_with_their_props(graph_store: GraphStore) -> None:
    chain(graph_store)
    got = graph_store.traverse(start=[D("d3")], direction=Direction.UPSTREAM, depth=2, max_nodes=100)
    assert [(e.src, e.dst, e.rel) for e in got.edges] == [(D("d2"), J("j2"), Rel.INPUT_TO),
                                                         (J("j2"), D("d3"), Rel.OUTPUTS)]
    assert got.edges[0].props == {"firstSeen": iso(2), "lastSeen": iso(2), "lastRunId": "r2"}
    assert got.nodes[D("d2")].props["firstSeen"] == iso(1) and not got.truncated


def test_traversal_terminates_on_cycles(graph_store: GraphStore) -> None:
    graph_store.apply(batch=job_run(J("j1"), [D("a")], [D("b")], 1, "r1"))
    graph_store.apply(batch=job_run(J("j2"), [D("b")], [D("a")], 1, "r2"))
    got = graph_store.traverse(start=[D("a")], direction=Direction.BOTH, depth=50, max_nodes=100)
    assert set(got.nodes) == {D("a"), D("b"), J("j1"), J("j2")} and len(got.edges) == 4


def test_max_nodes_truncates_keeping_the_nearest(graph_store: GraphStore) -> None:
    chain(graph_store)
    got = graph_store.traverse(start=[D("d3")], direction=Direction.UPSTREAM, depth=10, max_nodes=3)
    assert got.truncated
    assert set(got.nodes) == {D("d3"), J("j2"), D("d2")}
    assert {(e.src, e.dst) for e in got.edges} == {(D("d2"), J("j2")), (J("j2"), D("d3"))}
    exact = graph_store.traverse(start=[D("d3")], direction=Direction.UPSTREAM, depth=10, max_nodes=5)
    assert not exact.truncated and len(exact.nodes) == 5


def test_traversal_only_follows_the_given_relationship_types(graph_store: GraphStore) -> None:
    chain(graph_store)
    graph_store.apply(batch=batch(edge(D("x"), D("d3"), Rel.FLOWS_TO, 3, origin="manual")))
    assert D("x") in ids(graph_store, D("d3"), Direction.UPSTREAM, 1)
    only_observed = ids(graph_store, D("d3"), Direction.UPSTREAM, 9, rels=(Rel.INPUT_TO, Rel.OUTPUTS))
    assert D("x") not in only_observed and D("d1") in only_observed
    assert ids(graph_store, "dataset:nope:nope", Direction.UPSTREAM, 3) == set()


# -- paths ----------------------------------------------------------------------------------------


def diamond(store: GraphStore) -> None:
    """s -> ja -> t and s -> jb -> t; plus a longer way s -> j1 -> m -> j2 -> t."""
    store.apply(batch=job_run(J("ja"), [D("s")], [D("t")], 1, "ra"))
    store.apply(batch=job_run(J("jb"), [D("s")], [D("t")], 1, "rb"))
    store.apply(batch=job_run(J("j1"), [D("s")], [D("m")], 1, "r1"))
    store.apply(batch=job_run(J("j2"), [D("m")], [D("t")], 1, "r2"))


def test_shortest_paths_returns_every_shortest_path_in_order(graph_store: GraphStore) -> None:
    diamond(graph_store)
    paths = graph_store.shortest_paths(src=D("s"), dst=D("t"), max_depth=10, limit=10)
    assert [p.nodes for p in paths] == [(D("s"), J("ja"), D("t")), (D("s"), J("jb"), D("t"))]
    assert [(e.src, e.dst, e.rel) for e in paths[0].edges] == [(D("s"), J("ja"), Rel.INPUT_TO),
                                                              (J("ja"), D("t"), Rel.OUTPUTS)]
    assert paths[0].edges[0].props["lastRunId"] == "ra"
    assert len(graph_store.shortest_paths(src=D("s"), dst=D("t"), max_depth=10, limit=1)) == 1


def test_shortest_paths_are_directed(graph_store: GraphStore) -> None:
    diamond(graph_store)
    assert graph_store.shortest_paths(src=D("t"), dst=D("s"), max_depth=10, limit=10) == []


def test_shortest_paths_respect_max_depth(graph_store: GraphStore) -> None:
    diamond(graph_store)
    assert graph_store.shortest_paths(src=D("s"), dst=D("t"), max_depth=1, limit=10) == []
    assert len(graph_store.shortest_paths(src=D("s"), dst=D("t"), max_depth=2, limit=10)) == 2


def test_shortest_paths_from_a_node_to_itself_or_a_missing_node_are_empty(graph_store: GraphStore) -> None:
    diamond(graph_store)
    assert graph_store.shortest_paths(src=D("s"), dst=D("s"), max_depth=10, limit=10) == []
    assert graph_store.shortest_paths(src=D("s"), dst=D("nope"), max_depth=10, limit=10) == []


# -- column lineage -------------------------------------------------------------------------------


def test_column_lineage_follows_derives_edges_between_fields(graph_store: GraphStore) -> None:
    graph_store.apply(batch=batch(
        edge(F("src", "b"), D("src"), Rel.IN, 1), edge(F("src", "a"), D("src"), Rel.IN, 1),
        edge(F("dst", "total"), D("dst"), Rel.IN, 1),
        edge(F("src", "a"), F("dst", "total"), Rel.DERIVES, 1, type="DIRECT", subtype="AGGREGATION"),
        edge(F("src", "b"), F("dst", "total"), Rel.DERIVES, 1, type="INDIRECT", subtype="FILTER"),
    ))
    up = graph_store.traverse(start=[F("dst", "total")], direction=Direction.UPSTREAM, depth=3,
                              max_nodes=100, rels=(Rel.DERIVES,))
    assert set(up.nodes) == {F("dst", "total"), F("src", "a"), F("src", "b")}
    assert {e.props["type"] for e in up.edges} == {"DIRECT", "INDIRECT"}
    fields = graph_store.fields_of(dataset_ids=[D("src"), D("dst")])
    assert [f.name for f in fields[D("src")]] == ["a", "b"]
    assert [f.id for f in fields[D("dst")]] == [F("dst", "total")]


# -- merges ---------------------------------------------------------------------------------------


def test_merge_folds_alias_dataset_into_canonical(graph_store: GraphStore) -> None:
    graph_store.apply(batch=batch(
        edge(D("alias"), J("reader"), Rel.INPUT_TO, 1, 8, run="r8"),
        edge(J("writer"), D("alias"), Rel.OUTPUTS, 2),
        node(F("alias", "c"), 2, type="int", dataset=D("alias")),
        edge(F("alias", "c"), D("alias"), Rel.IN, 2),
        edge(F("alias", "c"), F("out", "c"), Rel.DERIVES, 2, type="DIRECT"),
        edge(J("reader"), D("out"), Rel.OUTPUTS, 2),
    ))
    graph_store.apply(batch=batch(node(D("canon"), 4, 5, owner="ops"),
                                  edge(D("canon"), J("reader"), Rel.INPUT_TO, 4, 5, run="r5"),
                                  merges={D("alias"): D("canon")}))
    nodes, edges = graph_store.snapshot()
    assert D("alias") not in {n.id for n in nodes} and F("alias", "c") not in {n.id for n in nodes}
    keys = {(e.src, e.dst, e.rel): e for e in edges}
    assert keys[(D("canon"), J("reader"), Rel.INPUT_TO)].props == {
        "firstSeen": iso(1), "lastSeen": iso(8), "lastRunId": "r8"}
    assert (J("writer"), D("canon"), Rel.OUTPUTS) in keys
    assert (F("canon", "c"), D("canon"), Rel.IN) in keys
    assert keys[(F("canon", "c"), F("out", "c"), Rel.DERIVES)].props["type"] == "DIRECT"
    assert not any(D("alias") in (e.src, e.dst) for e in edges)
    canon = graph_store.get_nodes(ids=[D("canon")])[D("canon")]
    assert canon.props == {"firstSeen": iso(1), "lastSeen": iso(8), "owner": "ops"}
    (field,) = graph_store.fields_of(dataset_ids=[D("canon")])[D("canon")]
    assert (field.id, field.namespace, field.name) == (F("canon", "c"), NS, "c")
    assert field.props == {"firstSeen": iso(2), "lastSeen": iso(2), "type": "int", "dataset": D("canon")}


def test_merge_of_an_unknown_alias_changes_nothing(graph_store: GraphStore) -> None:
    graph_store.apply(batch=batch(node(D("canon"), 1)))
    before = graph_store.snapshot()
    graph_store.apply(batch=batch(node(D("canon"), 1), merges={D("ghost"): D("canon")}))
    assert graph_store.snapshot() == before


# -- search, clear, counts ------------------------------------------------------------------------


def test_search_ranks_exact_then_prefix_then_shorter_names(graph_store: GraphStore) -> None:
    graph_store.apply(batch=batch(*(node(D(n), 1) for n in ("raw_orders", "orders_daily", "orders",
                                                            "ORDERS_X", "archive.orders_old"))))
    got = graph_store.search(q="Orders", kinds=[NodeKind.DATASET], limit=10)
    assert [n.name for n in got] == ["orders", "ORDERS_X", "orders_daily", "raw_orders", "archive.orders_old"]
    assert len(graph_store.search(q="orders", kinds=[NodeKind.DATASET], limit=2)) == 2


def test_search_matches_namespace_and_filters_kinds(graph_store: GraphStore) -> None:
    graph_store.apply(batch=job_run(J("load"), [D("events")], [D("facts")], 1, "r1"))
    assert {n.id for n in graph_store.search(q="DB:5432", kinds=[NodeKind.JOB], limit=10)} == {J("load")}
    assert graph_store.search(q="load", kinds=[NodeKind.DATASET], limit=10) == []
    assert [n.kind for n in graph_store.search(q="load", kinds=list(NodeKind), limit=10)] == [NodeKind.JOB]


def test_clear_keeps_manual_flows_to_edges_and_their_ends(graph_store: GraphStore) -> None:
    chain(graph_store)
    graph_store.apply(batch=batch(edge(D("d3"), D("report"), Rel.FLOWS_TO, 5, origin="manual", author="ann"),
                                  edge(D("d1"), D("d3"), Rel.FLOWS_TO, 5, origin="inferred")))
    graph_store.clear()
    nodes, edges = graph_store.snapshot()
    assert {n.id for n in nodes} == {D("d3"), D("report")}
    assert [(e.src, e.dst, e.rel, e.props["author"]) for e in edges] == [
        (D("d3"), D("report"), Rel.FLOWS_TO, "ann")]


def test_clear_keeps_source_nodes(graph_store: GraphStore) -> None:
    at = T0
    src = NodeRow("source:s1", NodeKind.SOURCE, "postgres", "warehouse", at, at, {})
    graph_store.apply(batch=GraphBatch(nodes={src.id: src}))
    chain(graph_store)
    graph_store.clear()
    assert [n.id for n in graph_store.snapshot()[0]] == ["source:s1"]
    assert graph_store.counts()["source"] == 1


def test_counts_nodes_per_kind_and_edges(graph_store: GraphStore) -> None:
    assert graph_store.counts() == {"dataset": 0, "job": 0, "datasetField": 0, "run": 0, "source": 0, "edges": 0}
    chain(graph_store)
    graph_store.apply(batch=batch(edge(F("d1", "c"), D("d1"), Rel.IN, 1), run("r1", J("j1"), "START", 1)))
    assert graph_store.counts() == {"dataset": 4, "job": 2, "datasetField": 1, "run": 1, "source": 0, "edges": 7}


def test_get_nodes_returns_only_existing_nodes(graph_store: GraphStore) -> None:
    chain(graph_store)
    got = graph_store.get_nodes(ids=[D("d1"), J("j1"), D("missing")])
    assert set(got) == {D("d1"), J("j1")}
    assert (got[D("d1")].kind, got[D("d1")].namespace, got[D("d1")].name) == (NodeKind.DATASET, NS, "d1")
    assert got[D("d1")].props == {"firstSeen": iso(1), "lastSeen": iso(1)}


def test_delete_edges_removes_only_the_named_edges(graph_store: GraphStore) -> None:
    chain(graph_store)
    graph_store.apply(batch=batch(edge(D("d1"), D("d3"), Rel.FLOWS_TO, 5, origin="manual")))
    graph_store.delete_edges(keys=[(D("d1"), D("d3"), Rel.FLOWS_TO), (D("d3"), D("nope"), Rel.FLOWS_TO)])
    _, edges = graph_store.snapshot()
    assert Rel.FLOWS_TO not in {e.rel for e in edges} and len(edges) == 5


def test_delete_nodes_removes_them_with_their_edges(graph_store: GraphStore) -> None:
    chain(graph_store)
    graph_store.delete_nodes(ids=[J("j1")])
    nodes, edges = graph_store.snapshot()
    assert J("j1") not in {n.id for n in nodes}
    assert all(J("j1") not in (e.src, e.dst) for e in edges) and len(edges) == 2


def test_list_edges_gives_every_edge_of_one_type(graph_store: GraphStore) -> None:
    chain(graph_store)
    graph_store.apply(batch=batch(edge(D("d3"), D("d1"), Rel.FLOWS_TO, 5, origin="manual", author="ann"),
                                  edge(D("d1"), D("d2"), Rel.FLOWS_TO, 6, origin="manual", author="bob")))
    found = graph_store.list_edges(rel=Rel.FLOWS_TO)
    assert [(e.src, e.dst, e.props["author"]) for e in found] == [(D("d1"), D("d2"), "bob"), (D("d3"), D("d1"), "ann")]
