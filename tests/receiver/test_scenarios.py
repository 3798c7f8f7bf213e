"""Real producers' event sequences, replayed on every backend (SQLite, PostgreSQL, PostgreSQL + Neo4j)."""

from __future__ import annotations

import copy
import random
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lineagelens.receiver import services
from lineagelens.receiver.graph.model import NodeKind, Rel, dataset_id, field_id, job_id
from lineagelens.receiver.state.tables import lineage_events
from tests.conftest import post_events, scenario

CTAS = job_id("testColumnLevelLineage",
              "open_lineage_integration_create_table.execute_create_hive_table_as_select_command.default_tbl1")
TBL1 = dataset_id("file", "/tmp/cll_test/tbl1")
SOURCES = [dataset_id("file", f"/tmp/cll_test/cll_source{i}") for i in (1, 2)]


def _reset(app: Flask) -> None:
    s = services.get(app)
    s.graph.clear()
    s.records.clear()
    with s.engine.begin() as conn:
        conn.execute(lineage_events.delete())


def _ids(response: Any) -> set[str]:
    assert response.status_code == 200, response.get_json()
    return {node["id"] for node in response.get_json()["graph"]}


def test_cll_replay_in_any_order_with_duplicates_gives_one_graph(any_app: Flask, any_client: FlaskClient) -> None:
    events = scenario("CLL")
    post_events(any_client, events)
    expected = services.get(any_app).graph.snapshot()
    for seed in (1, 2):
        _reset(any_app)
        shuffled = events + copy.deepcopy(events)
        random.Random(seed).shuffle(shuffled)
        post_events(any_client, shuffled)
        assert services.get(any_app).graph.snapshot() == expected


def test_tbl1_has_both_sources_upstream_through_the_ctas_job(any_client: FlaskClient) -> None:
    post_events(any_client, scenario("CLL"))
    response = any_client.get("/api/v1/lineage/upstream", query_string={"nodeId": TBL1, "depth": 2})
    assert _ids(response) == {TBL1, CTAS, *SOURCES}
    node = next(n for n in response.get_json()["graph"] if n["id"] == CTAS)
    assert {e["origin"] for e in node["inEdges"]} == set(SOURCES)


def test_hive_symlink_names_resolve_to_the_same_datasets(any_client: FlaskClient) -> None:
    post_events(any_client, scenario("CLL"))
    by_id = any_client.get("/api/v1/lineage/upstream",
                           query_string={"nodeId": "dataset:file:/tmp/cll_test:default.tbl1", "depth": 2})
    by_parts = any_client.get("/api/v1/lineage/upstream", query_string={
        "type": "dataset", "namespace": "file:/tmp/cll_test", "name": "default.cll_source2", "depth": 0})
    assert _ids(by_id) == {TBL1, CTAS, *SOURCES}
    assert _ids(by_parts) == {SOURCES[1]}


def test_column_lineage_of_agg_reaches_source2_c_with_subtypes(any_client: FlaskClient) -> None:
    post_events(any_client, scenario("CLL"))
    response = any_client.get("/api/v1/column-lineage",
                              query_string={"nodeId": field_id("file", "/tmp/cll_test/tbl1", "agg"), "depth": 3})
    graph = {n["id"]: n for n in response.get_json()["graph"]}
    agg = graph[field_id("file", "/tmp/cll_test/tbl1", "agg")]
    inputs = {(i["dataset"], i["field"]): i for i in agg["data"]["inputFields"]}
    c = inputs[("/tmp/cll_test/cll_source2", "c")]
    assert (c["transformationType"], c["transformationSubtype"]) == ("DIRECT", "AGGREGATION")
    assert field_id("file", "/tmp/cll_test/tbl1", "ident") not in graph, "sibling output fields are not upstream"
    full = any_client.get("/api/v1/column-lineage", query_string={"nodeId": TBL1, "depth": 1})
    subtypes = {(i["field"], i["transformationSubtype"])
                for n in full.get_json()["graph"] for i in n["data"]["inputFields"]}
    assert {("a", "IDENTITY"), ("b", "TRANSFORMATION"), ("c", "AGGREGATION")} <= subtypes


def test_airflow_tasks_link_to_their_dag_and_runs_end_complete(any_app: Flask, any_client: FlaskClient) -> None:
    events = scenario("airflow")
    post_events(any_client, events)
    nodes, edges = services.get(any_app).graph.snapshot()
    parents = {e.src: e.dst for e in edges if e.rel is Rel.CHILD_OF}
    task_jobs = {job_id(e["job"]["namespace"], e["job"]["name"]) for e in events
                 if "parent" in (e["run"].get("facets") or {})}
    assert task_jobs and set(parents) == task_jobs
    dag_jobs = {job_id(e["run"]["facets"]["parent"]["job"]["namespace"], e["run"]["facets"]["parent"]["job"]["name"])
                for e in events if "parent" in (e["run"].get("facets") or {})}
    assert set(parents.values()) == dag_jobs
    states = {n.props["state"] for n in nodes if n.kind is NodeKind.RUN}
    assert states == {"COMPLETE"}


def test_rebuild_from_the_log_gives_the_same_graph(any_app: Flask, any_client: FlaskClient) -> None:
    names = ("CLL", "airflow", "spark_dataproc_simple_producer_test_complete", "spark_dataproc_bigquery_shakespare")
    for name in names:
        post_events(any_client, scenario(name))
    s = services.get(any_app)
    before = s.graph.snapshot()
    with s.engine.connect() as conn:
        runs_before = conn.execute(sa.text("SELECT run_id, state, started_at FROM runs ORDER BY run_id")).all()
    s.projector.rebuild()
    assert s.graph.snapshot() == before
    with s.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT run_id, state, started_at FROM runs ORDER BY run_id")).all() == runs_before
