"""The pure projection: events -> state records and graph writes, in any order."""

from __future__ import annotations

import copy
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from lineagelens.receiver.graph.model import Rel, dataset_id, field_id, job_id
from lineagelens.receiver.openlineage import parse_event
from lineagelens.receiver.openlineage.model import RunState
from lineagelens.receiver.projection import facets as F
from lineagelens.receiver.projection.build import build, learn_aliases
from lineagelens.receiver.state.records import RunRecord, TimedFacets
from tests.conftest import scenario

CTAS = "open_lineage_integration_create_table.execute_create_hive_table_as_select_command.default_tbl1"
TBL1 = ("file", "/tmp/cll_test/tbl1")


def _project(events: list[dict[str, Any]]) -> Any:
    return build([parse_event(e) for e in events], {})


def test_cll_scenario_links_both_sources_to_tbl1_through_the_ctas_job() -> None:
    graph = _project(scenario("CLL")).graph
    job = job_id("testColumnLevelLineage", CTAS)
    for source in ("cll_source1", "cll_source2"):
        assert (dataset_id("file", f"/tmp/cll_test/{source}"), job, Rel.INPUT_TO) in graph.edges
    assert (job, dataset_id(*TBL1), Rel.OUTPUTS) in graph.edges


def test_symlinks_become_aliases_of_the_primary_dataset() -> None:
    state = _project(scenario("CLL")).state
    assert state.aliases[("file:/tmp/cll_test", "default.tbl1")] == TBL1
    assert dataset_id("file:/tmp/cll_test", "default.tbl1") not in _project(scenario("CLL")).graph.nodes


def test_column_lineage_keeps_transformation_type_and_subtype() -> None:
    edges = _project(scenario("CLL")).graph.edges
    agg = field_id(*TBL1, "agg")
    c = field_id("file", "/tmp/cll_test/cll_source2", "c")
    derives = edges[(c, agg, Rel.DERIVES)]
    assert (derives.props["type"], derives.props["subtype"]) == ("DIRECT", "AGGREGATION")
    ident = edges[(field_id("file", "/tmp/cll_test/cll_source1", "a"), field_id(*TBL1, "ident"),
                   Rel.DERIVES)]
    assert (ident.props["type"], ident.props["subtype"]) == ("DIRECT", "IDENTITY")
    assert "INDIRECT/JOIN" in ident.props["subtypes"]


def test_parent_facet_links_the_action_to_its_application() -> None:
    edges = _project(scenario("CLL")).graph.edges
    app = job_id("testColumnLevelLineage", "open_lineage_integration_create_table")
    assert (job_id("testColumnLevelLineage", CTAS), app, Rel.CHILD_OF) in edges


def test_projection_is_independent_of_event_order_and_duplicates() -> None:
    events = scenario("CLL")
    expected = _project(events)
    shuffled = events + copy.deepcopy(events[:4])
    random.Random(7).shuffle(shuffled)
    got = _project(shuffled)
    assert got.graph.edges == expected.graph.edges
    assert got.graph.nodes == expected.graph.nodes
    assert got.state.runs == expected.state.runs


def test_airflow_tasks_link_to_their_dag_and_runs_end_complete() -> None:
    projection = _project(scenario("airflow"))
    children = [e for e in projection.graph.edges.values() if e.rel is Rel.CHILD_OF]
    task_jobs = {j for j in projection.state.jobs if j[1].count(".") >= 1}
    assert children and {e.src for e in children} >= {job_id(*j) for j in task_jobs}
    assert {r.state for r in projection.state.runs.values()} == {RunState.COMPLETE}


def test_dataset_versions_are_minted_only_when_the_schema_changes() -> None:
    events = [e for e in scenario("CLL") if e.get("outputs")]
    versions = [v for v in _project(events).state.versions if v[:2] == TBL1]
    assert len(versions) == 1
    changed = copy.deepcopy(events[-1])
    changed["eventTime"] = "2024-08-07T00:00:00Z"
    changed["outputs"][0]["facets"]["schema"]["fields"].append({"name": "extra", "type": "int"})
    versions = [v for v in _project([*events, changed]).state.versions if v[:2] == TBL1]
    assert len(versions) == 2



def test_a_dataset_whose_schema_or_column_lineage_changes_within_a_batch_projects_each_one() -> None:
    events = [e for e in scenario("CLL") if e.get("outputs")]
    later = copy.deepcopy(events[-1])
    later["eventTime"] = "2024-08-07T00:00:00Z"
    output = later["outputs"][0]["facets"]
    output["schema"]["fields"].append({"name": "extra", "type": "int"})
    output["columnLineage"]["fields"]["extra"] = {"inputFields": [
        {"namespace": "file", "name": "/tmp/cll_test/cll_source1", "field": "a"}]}
    projected = _project([*events, later])
    assert len([v for v in projected.state.versions if v[:2] == TBL1]) == 2
    assert (field_id("file", "/tmp/cll_test/cll_source1", "a"), field_id(*TBL1, "extra"),
            Rel.DERIVES) in projected.graph.edges
    lineage_only = copy.deepcopy(later)
    lineage_only["outputs"][0]["facets"]["schema"] = copy.deepcopy(events[-1]["outputs"][0]["facets"]["schema"])
    edges = _project([*events, lineage_only]).graph.edges
    assert (field_id("file", "/tmp/cll_test/cll_source1", "a"), field_id(*TBL1, "extra"), Rel.DERIVES) in edges


def _run(state: RunState, minute: int) -> RunRecord:
    at = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=minute)
    return RunRecord(run_id="r", job_namespace="ns", job_name="j", state=state, state_time=at,
                     first_seen=at, last_seen=at, started_at=at if state is RunState.START else None)


def test_run_state_only_moves_forward_and_earliest_start_wins() -> None:
    complete, late_start, early_start = _run(RunState.COMPLETE, 5), _run(RunState.START, 9), _run(
        RunState.START, 1)
    for order in ([complete, late_start, early_start], [late_start, early_start, complete]):
        merged = order[0].merge(order[1]).merge(order[2])
        assert merged.state is RunState.COMPLETE
        assert merged.started_at == early_start.started_at


def test_other_before_start_does_not_block_the_start() -> None:
    merged = _run(RunState.OTHER, 0).merge(_run(RunState.START, 1))
    assert merged.state is RunState.START and merged.started_at is not None


def test_later_event_wins_each_facet_key_regardless_of_order() -> None:
    old = TimedFacets.of({"a": 1, "b": 1}, datetime(2024, 1, 1, tzinfo=UTC))
    new = TimedFacets.of({"a": 2}, datetime(2024, 1, 2, tzinfo=UTC))
    assert old.merge(new).values == new.merge(old).values == {"a": 2, "b": 1}


def test_alias_learned_later_points_at_the_existing_canonical() -> None:
    known = {("hive", "db.t"): ("s3", "bucket/t")}
    event = copy.deepcopy(scenario("CLL")[4])
    ref = event["outputs"][0]
    ref["facets"]["symlinks"]["identifiers"] = [{"namespace": "hive", "name": "db.t", "type": "TABLE"}]
    learned = learn_aliases([parse_event(event)], known)
    assert learned[(ref["namespace"], ref["name"])] == ("s3", "bucket/t")


def test_event_without_datasets_adds_no_edges() -> None:
    start = scenario("CLL")[0]
    assert not [e for e in _project([start]).graph.edges.values() if e.rel in (Rel.INPUT_TO, Rel.OUTPUTS)]


def test_the_sources_of_column_lineage_are_the_datasets_its_derivations_read() -> None:
    # what the projector looks aliases up for, without building the derivations: the same datasets
    facets = [ref.get("facets") or {} for name in ("CLL", "airflow", "spark_dataproc_bigquery_shakespare",
                                                   "spark_dataproc_simple_producer_test_complete")
              for event in scenario(name) for ref in [*event.get("inputs", []), *event.get("outputs", [])]]
    with_lineage = [f for f in facets if "columnLineage" in f]
    assert len(with_lineage) >= 10
    dataset_level = {"fields": {"total": {"inputFields": []}}, "dataset": [
        {"namespace": "pg", "name": "orders", "field": "status"}, {"namespace": "pg", "name": "", "field": "x"}]}
    no_fields = {"dataset": dataset_level["dataset"]}  # dataset-level sources feed no field: none
    for facet in [*with_lineage, {"columnLineage": dataset_level}, {"columnLineage": no_fields}]:
        derived = {(d.source_namespace, d.source_dataset) for d in F.column_lineage(facet)}
        assert F.column_lineage_sources(facet) == derived
    assert F.column_lineage_sources({"columnLineage": dataset_level}) == {("pg", "orders")}
