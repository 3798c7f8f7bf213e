"""Lineage through time (issue 14): ``asOf`` on every lineage read, stale edges, and the diff, on every
backend (``any_client``). A job ``etl.rewire`` reads B and writes OUT at 10:00, then is rewired to read C
at 12:00; t1 = 11:00 and t2 = 13:00 sit between and after the two runs."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from flask.testing import FlaskClient

from tests.conftest import post_events
from tests.receiver.api.conftest import dataset, make_run_event

log = logging.getLogger(__name__)

NS = "postgres://db:5432"
B, C, OUT = f"dataset:{NS}:public.b", f"dataset:{NS}:public.c", f"dataset:{NS}:public.out"
JOB = "job:etl:rewire"
T1, T2 = "2024-05-01T11:00:00Z", "2024-05-01T13:00:00Z"


def _column_lineage(source: str, column: str) -> dict[str, Any]:
    return {"_producer": "https://example.com", "_schemaURL": "https://openlineage.io/spec/facets/1-2-0/"
            "ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet",
            "fields": {"id": {"inputFields": [{"namespace": NS, "name": source, "field": column}]}}}


def _run(source: str, start: str, end: str, out_columns: list[tuple[str, str]],
         run_id: str | None = None) -> list[dict[str, Any]]:
    run_id = run_id or str(uuid.uuid4())
    inputs = [dataset(NS, source, [("id", "int")])]
    outputs = [dataset(NS, "public.out", out_columns, columnLineage=_column_lineage(source, "id"))]
    return [make_run_event(job=("etl", "rewire"), run_id=run_id, event_type="START", time=start, inputs=inputs),
            make_run_event(job=("etl", "rewire"), run_id=run_id, event_type="COMPLETE", time=end,
                           inputs=inputs, outputs=outputs)]


def _rewired(client: FlaskClient) -> tuple[str, str]:
    """Posts the two runs; returns their run ids (reading B, then C)."""
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    post_events(client, _run("public.b", "2024-05-01T09:55:00Z", "2024-05-01T10:00:00Z", [("id", "int")], first)
                + _run("public.c", "2024-05-01T11:55:00Z", "2024-05-01T12:00:00Z",
                       [("id", "bigint"), ("name", "text")], second))
    return first, second


def _edges(client: FlaskClient, path: str, **params: Any) -> dict[tuple[str, str], dict[str, Any]]:
    response = client.get(path, query_string=params)
    assert response.status_code == 200, response.get_json()
    return {(e["origin"], e["destination"]): e for n in response.get_json()["graph"] for e in n["outEdges"]}


def test_a_rewired_job_reads_b_at_t1_and_c_at_t2(any_client: FlaskClient) -> None:
    _rewired(any_client)
    assert set(_edges(any_client, "/api/v1/lineage", nodeId=OUT, depth=2, asOf=T1)) == {(B, JOB), (JOB, OUT)}
    assert set(_edges(any_client, "/api/v1/lineage", nodeId=OUT, depth=2, asOf=T2)) == {(C, JOB), (JOB, OUT)}
    assert set(_edges(any_client, "/api/v1/lineage/upstream", nodeId=OUT, depth=2, asOf=T1)) == {
        (B, JOB), (JOB, OUT)}
    assert set(_edges(any_client, "/api/v1/lineage/downstream", nodeId=B, depth=2, asOf=T1)) == {
        (B, JOB), (JOB, OUT)}
    assert set(_edges(any_client, "/api/v1/lineage/downstream", nodeId=B, depth=2, asOf=T2)) == set()


def test_before_its_first_completed_run_a_job_shows_what_it_has_been_seen_reading(
        any_client: FlaskClient) -> None:
    _rewired(any_client)
    during = _edges(any_client, "/api/v1/lineage", nodeId=B, depth=2, asOf="2024-05-01T09:57:00Z")
    assert set(during) == {(B, JOB)}
    before = any_client.get("/api/v1/lineage", query_string={"nodeId": OUT, "asOf": "2024-05-01T09:00:00Z"})
    assert before.get_json()["graph"] == []


def test_a_stale_edge_is_hidden_by_default_and_shown_marked_with_include_stale(any_client: FlaskClient) -> None:
    _rewired(any_client)
    assert set(_edges(any_client, "/api/v1/lineage", nodeId=OUT, depth=2)) == {(C, JOB), (JOB, OUT)}
    shown = _edges(any_client, "/api/v1/lineage", nodeId=OUT, depth=2, includeStale="true")
    assert set(shown) == {(B, JOB), (C, JOB), (JOB, OUT)}
    assert shown[(B, JOB)]["stale"] is True
    assert shown[(C, JOB)]["stale"] is False and shown[(JOB, OUT)]["stale"] is False
    assert shown[(B, JOB)]["firstSeen"].startswith("2024-05-01T09:55")
    assert shown[(B, JOB)]["lastSeen"].startswith("2024-05-01T10:00")
    at_t1 = _edges(any_client, "/api/v1/lineage", nodeId=OUT, depth=2, includeStale="true", asOf=T1)
    assert set(at_t1) == {(B, JOB), (JOB, OUT)}, "C was not seen yet at t1"
    assert at_t1[(B, JOB)]["stale"] is False


def test_paths_follow_only_the_edges_current_at_the_instant(any_client: FlaskClient) -> None:
    _rewired(any_client)

    def lengths(src: str, when: str) -> list[int]:
        response = any_client.get("/api/v1/lineage/path", query_string={"from": src, "to": OUT, "asOf": when})
        assert response.status_code == 200, response.get_json()
        return [p["length"] for p in response.get_json()["paths"]]

    assert lengths(B, T1) == [2] and lengths(B, T2) == []
    assert lengths(C, T1) == [] and lengths(C, T2) == [2]
    assert lengths(B, "2024-05-02T00:00:00Z") == []


def test_column_lineage_at_an_instant_names_the_source_column_of_that_time(any_client: FlaskClient) -> None:
    _rewired(any_client)

    def sources(when: str) -> set[str]:
        response = any_client.get("/api/v1/column-lineage",
                                  query_string={"nodeId": f"datasetField:{NS}:public.out:id", "asOf": when})
        assert response.status_code == 200, response.get_json()
        return {f["datasetId"] for n in response.get_json()["graph"] if n["data"]["field"] == "id"
                and n["id"].endswith("public.out:id") for f in n["data"]["inputFields"]}

    assert sources(T1) == {B}
    assert sources(T2) == {C}


def test_the_diff_lists_exactly_the_rewiring_and_the_schema_change(any_client: FlaskClient) -> None:
    _rewired(any_client)
    response = any_client.get("/api/v1/lineage/diff", query_string={"nodeId": OUT, "depth": 2, "from": T1, "to": T2})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert [n["id"] for n in body["nodes"]["added"]] == [C]
    assert [n["id"] for n in body["nodes"]["removed"]] == [B]
    assert body["edges"] == {"added": [{"origin": C, "destination": JOB, "type": "INPUT_TO"}],
                             "removed": [{"origin": B, "destination": JOB, "type": "INPUT_TO"}]}
    out = [s for s in body["schemaChanges"] if s["id"] == OUT]
    assert out == [{"id": OUT, "namespace": NS, "name": "public.out",
                    "added": [{"name": "name", "type": "text"}], "removed": [],
                    "retyped": [{"name": "id", "from": "int", "to": "bigint"}]}]
    assert [s["id"] for s in body["schemaChanges"]] == [C, OUT], "C had no version at t1: its columns are added"
    same = any_client.get("/api/v1/lineage/diff", query_string={"nodeId": OUT, "from": T2, "to": T2}).get_json()
    assert same["nodes"] == {"added": [], "removed": []} and same["edges"] == {"added": [], "removed": []}
    assert same["schemaChanges"] == []


def test_bad_instants_are_refused(any_client: FlaskClient) -> None:
    _rewired(any_client)
    assert any_client.get("/api/v1/lineage", query_string={"nodeId": OUT, "asOf": "yesterday"}).status_code == 400
    backwards = any_client.get("/api/v1/lineage/diff", query_string={"nodeId": OUT, "from": T2, "to": T1})
    assert backwards.status_code == 400
    assert any_client.get("/api/v1/lineage/diff", query_string={"nodeId": OUT, "from": T1}).status_code == 400


def test_static_lineage_from_a_job_event_stays_current_after_runs_that_do_not_repeat_it(
        any_client: FlaskClient) -> None:
    _rewired(any_client)
    static = {"eventTime": "2024-05-01T09:00:00Z", "producer": "https://example.com",
              "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent",
              "job": {"namespace": "etl", "name": "rewire", "facets": {}},
              "inputs": [dataset(NS, "public.lookup")], "outputs": []}
    post_events(any_client, [static])
    lookup = f"dataset:{NS}:public.lookup"
    assert (lookup, JOB) in _edges(any_client, "/api/v1/lineage", nodeId=OUT, depth=2, asOf=T2)
    assert (lookup, JOB) in _edges(any_client, "/api/v1/lineage", nodeId=OUT, depth=2)
    assert (lookup, JOB) not in _edges(any_client, "/api/v1/lineage", nodeId=JOB, depth=1,
                                       asOf="2024-05-01T08:00:00Z")


def test_impact_hides_stale_edges_like_the_downstream_view(any_client: FlaskClient) -> None:
    _rewired(any_client)

    def impacted(node: str) -> set[str]:
        response = any_client.get("/api/v1/lineage/impact", query_string={"nodeId": node})
        assert response.status_code == 200, response.get_json()
        return {r["id"] for r in response.get_json()["rows"]}

    assert impacted(B) == set()
    assert impacted(C) == {JOB, OUT}


def test_a_failed_run_neither_retires_nor_adds_edges(any_client: FlaskClient) -> None:
    _rewired(any_client)
    run_id = str(uuid.uuid4())
    post_events(any_client, [make_run_event(job=("etl", "rewire"), run_id=run_id, event_type="FAIL",
                                            time="2024-05-01T12:30:00Z", inputs=[dataset(NS, "public.d")])])
    d = f"dataset:{NS}:public.d"
    assert set(_edges(any_client, "/api/v1/lineage", nodeId=OUT, depth=2)) == {(C, JOB), (JOB, OUT)}
    shown = _edges(any_client, "/api/v1/lineage", nodeId=OUT, depth=2, includeStale="true")
    assert shown[(d, JOB)]["stale"] is True and shown[(C, JOB)]["stale"] is False


def test_the_diff_between_two_runs_of_a_job_lists_exactly_what_the_later_run_rewired(
        any_client: FlaskClient) -> None:
    first, second = _rewired(any_client)
    response = any_client.get("/api/v1/lineage/diff", query_string={"fromRun": first, "toRun": second})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["nodeId"] == JOB, "without nodeId the diff is of the runs' job"
    assert (body["fromRun"], body["toRun"]) == (first, second)
    assert body["from"].startswith("2024-05-01T10:00:00") and body["to"].startswith("2024-05-01T12:00:00")
    assert body["edges"] == {"added": [{"origin": C, "destination": JOB, "type": "INPUT_TO"}],
                             "removed": [{"origin": B, "destination": JOB, "type": "INPUT_TO"}]}
    assert [n["id"] for n in body["nodes"]["added"]] == [C]
    assert [n["id"] for n in body["nodes"]["removed"]] == [B]
    around_out = any_client.get("/api/v1/lineage/diff", query_string={
        "fromRun": first, "toRun": second, "nodeId": OUT, "depth": 2}).get_json()
    assert around_out["nodeId"] == OUT and around_out["edges"] == body["edges"]


def test_a_diff_between_runs_refuses_unknown_runs_runs_of_two_jobs_and_half_a_window(
        any_client: FlaskClient) -> None:
    first, second = _rewired(any_client)
    other = str(uuid.uuid4())
    post_events(any_client, [make_run_event(job=("etl", "other"), run_id=other, event_type="COMPLETE",
                                            time="2024-05-01T12:30:00Z", inputs=[dataset(NS, "public.b")])])
    unknown = any_client.get("/api/v1/lineage/diff", query_string={"fromRun": first, "toRun": str(uuid.uuid4())})
    assert unknown.status_code == 404 and unknown.get_json()["errors"][0]["path"] == "toRun"
    mixed = any_client.get("/api/v1/lineage/diff", query_string={"fromRun": first, "toRun": other})
    assert mixed.status_code == 422 and mixed.get_json()["code"] == "runs_of_different_jobs"
    backwards = any_client.get("/api/v1/lineage/diff", query_string={"fromRun": second, "toRun": first})
    assert backwards.status_code == 400
    assert any_client.get("/api/v1/lineage/diff", query_string={"fromRun": first}).status_code == 400
    both = any_client.get("/api/v1/lineage/diff", query_string={"fromRun": first, "toRun": second, "from": T1,
                                                                "to": T2, "nodeId": OUT})
    assert both.status_code == 400


def test_the_schema_diff_compares_two_versions_or_the_versions_in_force_at_two_instants(
        any_client: FlaskClient) -> None:
    _rewired(any_client)
    versions = any_client.get(f"/api/v1/namespaces/{NS}/datasets/public.out/versions").get_json()["versions"]
    newest, oldest = versions[0]["version"], versions[-1]["version"]
    assert len(versions) == 2
    by_version = any_client.get("/api/v1/lineage/schema-diff", query_string={
        "nodeId": OUT, "fromVersion": oldest, "toVersion": newest})
    assert by_version.status_code == 200, by_version.get_json()
    body = by_version.get_json()
    assert (body["from"]["version"], body["to"]["version"]) == (oldest, newest)
    assert body["added"] == [{"name": "name", "type": "text"}] and body["removed"] == []
    assert body["retyped"] == [{"name": "id", "from": "int", "to": "bigint"}]
    by_time = any_client.get("/api/v1/lineage/schema-diff", query_string={"nodeId": OUT, "from": T1}).get_json()
    assert (by_time["from"]["version"], by_time["to"]["version"]) == (oldest, newest), "to defaults to now"
    assert by_time["retyped"] == body["retyped"]
    backwards = any_client.get("/api/v1/lineage/schema-diff", query_string={
        "nodeId": OUT, "fromVersion": newest, "toVersion": oldest}).get_json()
    assert backwards["added"] == [] and backwards["removed"] == [{"name": "name", "type": "text"}]
    before_any = any_client.get("/api/v1/lineage/schema-diff", query_string={
        "nodeId": OUT, "from": "2024-05-01T08:00:00Z", "to": T1}).get_json()
    assert before_any["from"]["version"] is None and before_any["added"] == [{"name": "id", "type": "int"}]


def test_the_schema_diff_refuses_jobs_unknown_versions_and_a_missing_side(any_client: FlaskClient) -> None:
    _rewired(any_client)
    assert any_client.get("/api/v1/lineage/schema-diff", query_string={
        "nodeId": JOB, "from": T1}).status_code == 400
    assert any_client.get("/api/v1/lineage/schema-diff", query_string={
        "nodeId": OUT, "fromVersion": "nope"}).status_code == 404
    assert any_client.get("/api/v1/lineage/schema-diff", query_string={"nodeId": OUT}).status_code == 400
