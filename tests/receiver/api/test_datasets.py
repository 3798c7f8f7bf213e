"""Marquez dataset reads: ``/namespaces/{ns}/datasets[/{ds}[/versions[/{version}]]]``."""

from __future__ import annotations

import sqlalchemy as sa

from lineagelens.receiver import marquez, services
from lineagelens.receiver.state.queries import Queries
from tests.conftest import post_events, scenario
from tests.receiver.api.conftest import dataset, enc, facet


def test_datasets_of_a_namespace_carry_the_current_versions_fields(client, run_event):
    post_events(client, [run_event(outputs=[dataset("db", "orders", [("id", "int"), ("total", "decimal")]),
                                            dataset("db", "customers")])])
    body = client.get("/api/v1/namespaces/db/datasets").get_json()
    assert body["totalCount"] == 2
    orders = next(d for d in body["datasets"] if d["name"] == "orders")
    assert orders["fields"] == [{"name": "id", "type": "int", "tags": [], "description": None},
                                {"name": "total", "type": "decimal", "tags": [], "description": None}]
    assert orders["currentVersion"]
    customers = next(d for d in body["datasets"] if d["name"] == "customers")
    assert customers["fields"] == [] and customers["currentVersion"] is None


def test_dataset_with_a_slashed_name_has_the_marquez_shape(client):
    post_events(client, scenario("CLL"))
    response = client.get(f"/api/v1/namespaces/file/datasets/{enc('/tmp/cll_test/tbl1')}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == {"namespace": "file", "name": "/tmp/cll_test/tbl1"}
    assert body["type"] == "DB_TABLE"
    assert body["physicalName"] == "/tmp/cll_test/tbl1"
    assert body["sourceName"] == "file"
    assert body["lastLifecycleState"] == "CREATE"
    assert [f["name"] for f in body["fields"]] == ["ident", "trans", "agg"]
    assert {"schema", "symlinks", "columnLineage"} <= set(body["facets"])
    assert body["deleted"] is False and body["tags"] == [] and body["description"] is None


def test_dataset_asked_for_by_its_symlink_resolves_to_the_canonical_dataset(client):
    post_events(client, scenario("CLL"))
    response = client.get(f"/api/v1/namespaces/{enc('file:/tmp/cll_test')}/datasets/default.tbl1")
    assert response.status_code == 200
    assert response.get_json()["id"] == {"namespace": "file", "name": "/tmp/cll_test/tbl1"}


def test_a_new_version_is_listed_only_when_the_schema_changes(client, run_event):
    post_events(client, [
        run_event(time="2024-05-01T10:00:00Z", outputs=[dataset("db", "t", [("id", "int")])]),
        run_event(time="2024-05-02T10:00:00Z", outputs=[dataset("db", "t", [("id", "int")])]),
        run_event(time="2024-05-03T10:00:00Z", outputs=[dataset("db", "t", [("id", "int"), ("v", "text")])]),
    ])
    body = client.get("/api/v1/namespaces/db/datasets/t/versions").get_json()
    assert body["totalCount"] == 2
    newest, oldest = body["versions"]
    assert [f["name"] for f in newest["fields"]] == ["id", "v"]
    assert [f["name"] for f in oldest["fields"]] == ["id"]
    assert newest["createdAt"] == "2024-05-03T10:00:00.000000Z"
    assert newest["version"] == client.get("/api/v1/namespaces/db/datasets/t").get_json()["currentVersion"]
    assert newest["createdByRun"]["state"] == "COMPLETED"
    assert newest["id"] == {"namespace": "db", "name": "t"}


def test_one_version_by_id_and_unknown_version_is_404(client, run_event):
    post_events(client, [run_event(outputs=[dataset("db", "t", [("id", "int")])])])
    version = client.get("/api/v1/namespaces/db/datasets/t").get_json()["currentVersion"]
    body = client.get(f"/api/v1/namespaces/db/datasets/t/versions/{version}").get_json()
    assert body["version"] == version and body["fields"][0]["name"] == "id"
    assert client.get("/api/v1/namespaces/db/datasets/t/versions/nope").status_code == 404


def test_source_name_description_and_lifecycle_come_from_facets(client, run_event):
    post_events(client, [run_event(outputs=[dataset(
        "postgres://db:5432", "public.t",
        dataSource=facet("1-0-1/DatasourceDatasetFacet.json#/$defs/DatasourceDatasetFacet",
                         name="warehouse", uri="postgres://db:5432"),
        documentation=facet("1-0-1/DocumentationDatasetFacet.json#/$defs/DocumentationDatasetFacet",
                            description="all the things"),
    )])])
    body = client.get(f"/api/v1/namespaces/{enc('postgres://db:5432')}/datasets/public.t").get_json()
    assert body["sourceName"] == "warehouse"
    assert body["description"] == "all the things"
    assert body["lastLifecycleState"] == ""


def test_unknown_dataset_and_namespace_are_404(client, run_event):
    post_events(client, [run_event(outputs=[dataset("db", "t")])])
    missing = client.get("/api/v1/namespaces/db/datasets/nope")
    assert missing.status_code == 404
    assert missing.get_json()["message"] == "dataset 'nope' not found in namespace 'db'"
    assert client.get("/api/v1/namespaces/nowhere/datasets").status_code == 404
    assert client.get("/api/v1/namespaces/nowhere/datasets/t").get_json()["message"] == \
        "namespace 'nowhere' not found"


def test_datasets_page_with_limit_and_offset(client, run_event):
    post_events(client, [run_event(outputs=[dataset("db", n) for n in ("a", "b", "c")])])
    body = client.get("/api/v1/namespaces/db/datasets?limit=2&offset=1").get_json()
    assert [d["name"] for d in body["datasets"]] == ["b", "c"]
    assert body["totalCount"] == 3


def test_datasets_data_presents_many_datasets_in_one_query(app, client, run_event):
    post_events(client, [run_event(outputs=[dataset("db", f"t{i}", [("id", "int")]) for i in range(30)])])
    engine = services.get(app).engine
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    keys = [("db", f"t{i}") for i in range(30)] + [("db", "missing")]
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        data = marquez.datasets_data(Queries(engine), keys)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert len(seen) == 1
    assert len(data) == 30 and ("db", "missing") not in data
    assert data[("db", "t7")]["fields"][0]["name"] == "id"
