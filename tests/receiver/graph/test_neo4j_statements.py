"""What the Neo4j store sends for a batch (``batch_statements``, a pure function): one ``UNWIND`` statement per
node label, the runs, then one per edge type and endpoint labels; times as UTC ISO-8601 strings however the
datetimes were zoned, and no null properties (Neo4j cannot store them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from lineagelens.receiver.graph import cypher
from lineagelens.receiver.graph.model import EdgeRow, GraphBatch, NodeKind, NodeRow, Rel, RunNodeRow
from lineagelens.receiver.graph.neo4j import batch_statements

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
PARIS = timezone(timedelta(hours=1))


def test_a_batch_is_one_statement_per_label_then_the_runs_then_one_per_edge_shape() -> None:
    batch = GraphBatch()
    later = (T0 + timedelta(minutes=5)).astimezone(PARIS)  # the same instants, zoned otherwise
    batch.nodes["job:ns:j"] = NodeRow("job:ns:j", NodeKind.JOB, "ns", "j", T0, later, {})
    for table in ("a", "b"):
        ds, col = f"dataset:ns:{table}", f"datasetField:ns:{table}:id"
        batch.nodes[ds] = NodeRow(ds, NodeKind.DATASET, "ns", table, T0, T0, {"note": None})
        batch.nodes[col] = NodeRow(col, NodeKind.FIELD, "ns", "id", T0, T0, {"dataset": ds, "field": "id"})
        batch.edges[(col, ds, Rel.IN)] = EdgeRow(col, ds, Rel.IN, T0, T0, None, {})
    batch.edges[("dataset:ns:a", "job:ns:j", Rel.INPUT_TO)] = EdgeRow(
        "dataset:ns:a", "job:ns:j", Rel.INPUT_TO, T0, later, "r1", {})
    derives = ("datasetField:ns:a:id", "datasetField:ns:b:id", Rel.DERIVES)
    batch.edges[derives] = EdgeRow(*derives, T0, T0, "r1", {"type": "DIRECT", "subtype": None,
                                                           "subtypes": ("DIRECT/IDENTITY",)})
    batch.runs["r1"] = RunNodeRow(run_id="r1", job="job:ns:j", state="COMPLETE", rank=3, state_time=later,
                                  first_seen=T0, last_seen=later, started_at=T0, ended_at=None)

    statements = batch_statements(batch)

    assert [s for s, _ in statements] == [
        cypher.MERGE_NODES[NodeKind.JOB], cypher.MERGE_NODES[NodeKind.DATASET], cypher.MERGE_NODES[NodeKind.FIELD],
        cypher.MERGE_RUNS, cypher.MERGE_EDGES_BETWEEN[(Rel.IN, NodeKind.FIELD, NodeKind.DATASET)],
        cypher.MERGE_EDGES_BETWEEN[(Rel.INPUT_TO, NodeKind.DATASET, NodeKind.JOB)],
        cypher.MERGE_EDGES_BETWEEN[(Rel.DERIVES, NodeKind.FIELD, NodeKind.FIELD)]]
    rows = dict(statements)
    job = rows[cypher.MERGE_NODES[NodeKind.JOB]][0]["inc"]
    assert job["firstSeen"] == "2026-03-02T08:00:00+00:00" and job["lastSeen"] == "2026-03-02T08:05:00+00:00"
    assert rows[cypher.MERGE_NODES[NodeKind.DATASET]][0]["inc"] == {
        "id": "dataset:ns:a", "kind": "dataset", "namespace": "ns", "name": "a",
        "firstSeen": "2026-03-02T08:00:00+00:00", "lastSeen": "2026-03-02T08:00:00+00:00"}  # no "note": null
    assert len(rows[cypher.MERGE_EDGES_BETWEEN[(Rel.IN, NodeKind.FIELD, NodeKind.DATASET)]]) == 2
    run = rows[cypher.MERGE_RUNS][0]
    assert (run["stateTime"], run["endedAt"]) == ("2026-03-02T08:05:00+00:00", None)
    derived = rows[cypher.MERGE_EDGES_BETWEEN[(Rel.DERIVES, NodeKind.FIELD, NodeKind.FIELD)]][0]
    assert derived["inc"] == {"type": "DIRECT", "subtypes": ["DIRECT/IDENTITY"], "lastRunId": "r1",
                              "firstSeen": "2026-03-02T08:00:00+00:00", "lastSeen": "2026-03-02T08:00:00+00:00"}
