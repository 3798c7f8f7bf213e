"""``GET /api/v1/lineage/impact``: the rows agree with ``/lineage/downstream`` and ``/lineage/upstream`` on the
test estate (the CLL and airflow scenarios, as the UI's e2e tests load them), in JSON and CSV; degrees are
the fewest edges; owners and last run states come from the state store; a column lists derived columns."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import quote

from flask.testing import FlaskClient

from tests.conftest import post_events, scenario
from tests.receiver.api.conftest import RunEventFactory, dataset, facet

RESULT = "dataset:gs://mock-bucket:result.csv"
TEST_CSV = "dataset:gs://mock-bucket:test.csv"
TBL1 = "dataset:file:/tmp/cll_test/tbl1"


def _estate(client: FlaskClient) -> None:
    post_events(client, scenario("CLL") + scenario("airflow"))


def _graph_ids(client: FlaskClient, path: str, node: str, depth: int) -> set[str]:
    body = client.get(f"/api/v1/lineage/{path}?nodeId={quote(node)}&depth={depth}").get_json()
    return {n["id"] for n in body["graph"]} - {node}


def _impact(client: FlaskClient, node: str, **params: Any) -> dict[str, Any]:
    query = "&".join(f"{k}={quote(str(v))}" for k, v in params.items())
    response = client.get(f"/api/v1/lineage/impact?nodeId={quote(node)}&{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_impact_rows_and_csv_agree_with_lineage_downstream_on_the_test_estate(client: FlaskClient) -> None:
    _estate(client)
    starts = [TEST_CSV, TBL1, "job:airflow:BQ.download", "dataset:file:/tmp/cll_test/cll_source1"]
    for start in starts:
        for depth in (2, 6, 20):
            expected = _graph_ids(client, "downstream", start, depth)
            body = _impact(client, start, direction="downstream", depth=depth)
            assert {r["id"] for r in body["rows"]} == expected, (start, depth)
            assert body["totalCount"] == len(expected)
            text = client.get(f"/api/v1/lineage/impact?nodeId={quote(start)}&depth={depth}&format=csv")
            assert text.mimetype == "text/csv"
            assert "attachment" in text.headers["Content-Disposition"]
            rows = list(csv.DictReader(io.StringIO(text.get_data(as_text=True))))
            assert {r["id"] for r in rows} == expected
            assert [int(r["degree"]) for r in rows] == [r["degree"] for r in body["rows"]]
    assert len(_impact(client, TEST_CSV, depth=20)["rows"]) >= 4


def test_upstream_impact_agrees_with_lineage_upstream(client: FlaskClient) -> None:
    _estate(client)
    for start in (RESULT, TBL1):
        expected = _graph_ids(client, "upstream", start, 20)
        assert {r["id"] for r in _impact(client, start, direction="upstream")["rows"]} == expected


def test_degree_counts_the_fewest_edges_and_rows_come_nearest_first(client: FlaskClient) -> None:
    _estate(client)
    rows = _impact(client, TEST_CSV, depth=20)["rows"]
    by_id = {r["id"]: r for r in rows}
    assert by_id["job:airflow:BQ.upload"]["degree"] == 1
    assert by_id["job:airflow:BQ.upload"]["kind"] == "JOB"
    datasets = [r for r in rows if r["kind"] == "DATASET"]
    assert datasets and all(r["degree"] % 2 == 0 for r in datasets)
    assert [r["degree"] for r in rows] == sorted(r["degree"] for r in rows)
    assert by_id[RESULT]["lastRunState"] == "COMPLETED"


def test_rows_carry_owners_and_the_state_of_the_failed_run(client: FlaskClient,
                                                           run_event: RunEventFactory) -> None:
    owners = {"ownership": facet("1-0-1/OwnershipJobFacet.json", owners=[{"name": "team:data", "type": "TEAM"}])}
    post_events(client, [
        run_event(job=("etl", "extract"), inputs=[dataset("db", "raw")], outputs=[dataset("db", "clean")],
                  job_facets=owners),
        run_event(job=("etl", "report"), event_type="FAIL", inputs=[dataset("db", "clean")],
                  outputs=[dataset("db", "report", ownership=facet("1-0-1/OwnershipDatasetFacet.json",
                                                                   owners=[{"name": "alice"}]))]),
    ])
    rows = {r["id"]: r for r in _impact(client, "dataset:db:raw")["rows"]}
    assert rows["job:etl:extract"]["owners"] == ["team:data"]
    assert rows["job:etl:extract"]["lastRunState"] == "COMPLETED"
    assert rows["job:etl:report"]["lastRunState"] == "FAILED"
    assert rows["dataset:db:report"]["lastRunState"] == "FAILED"
    assert rows["dataset:db:report"]["owners"] == ["alice"]
    assert rows["dataset:db:report"]["degree"] == 4
    assert rows["dataset:db:report"]["updatedAt"]


def test_a_column_lists_the_columns_derived_from_it(client: FlaskClient) -> None:
    _estate(client)
    column = "datasetField:file:/tmp/cll_test/cll_source1:a"
    body = _impact(client, column, depth=20)
    assert body["rows"], body
    assert all(r["kind"] == "DATASET_FIELD" and r["field"] for r in body["rows"])
    derived = {(r["datasetId"], r["field"]) for r in body["rows"]}
    columns = client.get(f"/api/v1/column-lineage?nodeId={quote(column)}&depth=20&withDownstream=true").get_json()
    downstream = set()
    frontier = {("dataset:file:/tmp/cll_test/cll_source1", "a")}
    while frontier:
        nxt = set()
        for node in columns["graph"]:
            d = node["data"]
            if any((i["datasetId"], i["field"]) in frontier for i in d["inputFields"]):
                key = (d["datasetId"], d["field"])
                if key not in downstream:
                    downstream.add(key)
                    nxt.add(key)
        frontier = nxt
    assert derived == downstream
    assert all(r["name"] and not r["name"].startswith("datasetField:") for r in body["rows"])


def test_impact_refuses_a_bad_direction_and_an_unknown_node(client: FlaskClient) -> None:
    _estate(client)
    assert client.get(f"/api/v1/lineage/impact?nodeId={quote(RESULT)}&direction=sideways").status_code == 400
    assert client.get("/api/v1/lineage/impact?nodeId=dataset:nope:nothing").status_code == 404


def test_csv_cells_never_start_a_formula(client: FlaskClient, run_event: RunEventFactory) -> None:
    post_events(client, [run_event(job=("etl", "x"), inputs=[dataset("db", "src")],
                                   outputs=[dataset("db", "=HYPERLINK(1)")])])
    text = client.get(f"/api/v1/lineage/impact?nodeId={quote('dataset:db:src')}&format=csv").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in text
    assert ",=HYPERLINK" not in text
