"""Dashboards: CRUD with optimistic concurrency, manual lineage that ingestion never removes, and
export/import."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from lineagelens.receiver import services
from lineagelens.receiver.graph.model import Rel
from tests.conftest import TEST_ADMIN, post_events, scenario

SRC1 = "dataset:file:/tmp/cll_test/cll_source1"
TBL1 = "dataset:file:/tmp/cll_test/tbl1"
SECRET = "kafka-Secret-Token-1"


def _source(client: FlaskClient, name: str = "reports") -> dict[str, Any]:
    body = {"kind": "airflow", "name": name, "config": {"url": "http://127.0.0.1:9", "token": SECRET}}
    response = client.post("/api/v1/sources", json=body)
    assert response.status_code == 201
    return response.get_json()


def _doc(source: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "name": "Marketing", "description": "what feeds the BI report",
        "viewport": {"x": 10, "y": -5, "zoom": 0.8},
        "nodes": [
            {"id": "n1", "ref": {"kind": "dataset", "id": TBL1}, "position": {"x": 0, "y": 0}, "note": "gold table"},
            {"id": "n2", "ref": {"kind": "source", "id": source["id"]}, "position": {"x": 300, "y": 40},
             "note": None, "selected": True},
        ],
        "edges": [{"id": "e1", "source": "n1", "target": "n2", "note": "nightly export"}],
        **extra,
    }


def _create(client: FlaskClient, doc: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/v1/dashboards", json=doc)
    assert response.status_code == 201, response.get_json()
    assert response.headers["ETag"] == '"1"'
    return response.get_json()


def _comparable(dashboard: dict[str, Any]) -> dict[str, Any]:
    nodes = [{**n, "ref": {**n["ref"], "id": "<source>" if n["ref"]["kind"] == "source" else n["ref"]["id"]}}
             for n in dashboard["nodes"]]
    return {"name": dashboard["name"], "description": dashboard["description"], "viewport": dashboard["viewport"],
            "nodes": nodes, "edges": dashboard["edges"]}


def test_dashboard_crud_keeps_the_react_flow_document(any_client: FlaskClient) -> None:
    post_events(any_client, scenario("CLL"))
    created = _create(any_client, _doc(_source(any_client)))
    assert created["nodes"][0]["note"] == "gold table" and "selected" not in created["nodes"][1]
    listed = any_client.get("/api/v1/dashboards").get_json()
    assert listed["totalCount"] == 1 and listed["dashboards"][0]["nodeCount"] == 2
    got = any_client.get(f"/api/v1/dashboards/{created['id']}")
    assert got.headers["ETag"] == '"1"' and _comparable(got.get_json()) == _comparable(created)
    assert any_client.delete(f"/api/v1/dashboards/{created['id']}").status_code == 204
    assert any_client.get(f"/api/v1/dashboards/{created['id']}").status_code == 404


def test_stale_save_gets_409_and_missing_version_428(client: FlaskClient) -> None:
    post_events(client, scenario("CLL"))
    created = _create(client, _doc(_source(client)))
    url = f"/api/v1/dashboards/{created['id']}"
    mine = {**created, "name": "Mine"}
    first = client.put(url, json=mine, headers={"If-Match": '"1"'})
    assert first.status_code == 200 and first.headers["ETag"] == '"2"'
    stale = client.put(url, json={**created, "name": "Theirs"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 409 and stale.get_json()["errors"][0]["currentVersion"] == 2
    assert client.get(url).get_json()["name"] == "Mine"
    del mine["version"]
    assert client.put(url, json=mine).status_code == 428
    assert client.put(url, json={**mine, "version": 2}).status_code == 200


def test_manual_edge_shows_in_lineage_marked_manual(any_client: FlaskClient) -> None:
    post_events(any_client, scenario("CLL"))
    source = _source(any_client)
    _create(any_client, _doc(source))
    graph = any_client.get("/api/v1/lineage/downstream", query_string={"nodeId": TBL1, "depth": 1}).get_json()
    node = next(n for n in graph["graph"] if n["id"] == TBL1)
    assert {"origin": TBL1, "destination": source["graphId"], "manual": True} in node["outEdges"]
    path = any_client.get("/api/v1/lineage/path", query_string={"from": SRC1, "to": source["graphId"]}).get_json()
    assert path["paths"][0]["hops"][-1]["manual"] is True


def test_manual_edge_survives_replay_and_graph_rebuild(any_app: Flask, any_client: FlaskClient) -> None:
    post_events(any_client, scenario("CLL"))
    source = _source(any_client)
    _create(any_client, _doc(source))
    post_events(any_client, scenario("CLL"))
    s = services.get(any_app)
    s.projector.rebuild()
    edges = s.graph.list_edges(rel=Rel.FLOWS_TO)
    assert [(e.src, e.dst, e.props["origin"], e.props["author"]) for e in edges] == [
        (TBL1, source["graphId"], "manual", TEST_ADMIN)]  # the author is the credential


def test_export_delete_import_gives_back_an_equal_dashboard(client: FlaskClient) -> None:
    post_events(client, scenario("CLL"))
    created = _create(client, _doc(_source(client)))
    exported = client.get(f"/api/v1/dashboards/{created['id']}/export").get_json()
    assert exported["format"] == "lineagelens.dashboard" and exported["formatVersion"] == 1
    assert SECRET not in str(exported) and exported["sources"][0]["kind"] == "airflow"
    client.delete(f"/api/v1/dashboards/{created['id']}")
    imported = client.post("/api/v1/dashboards/import", json=exported)
    assert imported.status_code == 201
    assert imported.get_json()["id"] != created["id"]
    assert _comparable(imported.get_json()) == _comparable(created)
    again = client.post("/api/v1/dashboards/import", json=exported)
    assert again.status_code == 200 and again.get_json()["id"] == imported.get_json()["id"]
    assert client.get("/api/v1/dashboards").get_json()["totalCount"] == 1
    assert client.get("/api/v1/sources").get_json()["totalCount"] == 1


def test_import_into_an_empty_install_recreates_the_sources(client: FlaskClient, tmp_path: Any) -> None:
    from tests.conftest import close_app, make_app

    post_events(client, scenario("CLL"))
    exported = client.get(f"/api/v1/dashboards/{_create(client, _doc(_source(client)))['id']}/export").get_json()
    other = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/other.db"})
    try:
        target = other.test_client()
        post_events(target, scenario("CLL"))
        imported = target.post("/api/v1/dashboards/import", json=exported).get_json()
        new_source = target.get("/api/v1/sources").get_json()["sources"][0]
        assert imported["nodes"][1]["ref"]["id"] == new_source["id"] != exported["sources"][0]["id"]
    finally:
        close_app(other)


def test_invalid_documents_get_422_naming_the_problem(client: FlaskClient) -> None:
    post_events(client, scenario("CLL"))
    source = _source(client)
    cases = [
        ({**_doc(source), "nodes": []}, "edges.0"),
        ({**_doc(source), "name": ""}, "name"),
        ({**_doc(source), "nodes": [{"id": "n1", "ref": {"kind": "dataset", "id": "dataset:nope:x"},
                                    "position": {"x": 0, "y": 0}}], "edges": []}, "nodes.0.ref"),
        ({**_doc(source), "nodes": [{"id": "n1", "ref": {"kind": "table", "id": TBL1},
                                    "position": {"x": 0, "y": 0}}], "edges": []}, "nodes.0.ref.kind"),
        ({**_doc(source), "viewport": {"x": 0, "y": 0, "zoom": 0}}, "viewport.zoom"),
    ]
    for doc, path in cases:
        response = client.post("/api/v1/dashboards", json=doc)
        assert response.status_code == 422, (path, response.get_json())
        assert path in [e["path"] for e in response.get_json()["errors"]], response.get_json()
    bad_import = client.post("/api/v1/dashboards/import", json={"format": "other", "formatVersion": 9})
    assert bad_import.status_code == 422


def test_deleting_a_source_takes_it_off_dashboards(client: FlaskClient) -> None:
    post_events(client, scenario("CLL"))
    source = _source(client)
    created = _create(client, _doc(source))
    assert client.delete(f"/api/v1/sources/{source['id']}").status_code == 204
    after = client.get(f"/api/v1/dashboards/{created['id']}").get_json()
    assert [n["id"] for n in after["nodes"]] == ["n1"] and after["edges"] == [] and after["version"] == 2
    graph = client.get("/api/v1/lineage/downstream", query_string={"nodeId": TBL1, "depth": 1}).get_json()
    assert all(not e.get("manual") for n in graph["graph"] for e in n["outEdges"])


# -- import is one transaction; paging and versions are bounded (issue 9) --------------------------------
def _counts(client: FlaskClient) -> tuple[int, int]:
    return (client.get("/api/v1/sources").get_json()["totalCount"],
            client.get("/api/v1/dashboards").get_json()["totalCount"])


def _export_with_two_new_sources(client: FlaskClient) -> dict[str, Any]:
    """An export whose two sources this install does not have yet."""
    exported = client.get(f"/api/v1/dashboards/{_create(client, _doc(_source(client)))['id']}/export").get_json()
    first = {**exported["sources"][0], "id": "exported-1", "name": "scheduler-a"}
    second = {**first, "id": "exported-2", "name": "scheduler-b"}
    nodes = exported["dashboard"]["nodes"]
    nodes = [{**nodes[0]}, {**nodes[1], "ref": {"kind": "source", "id": "exported-1"}},
             {**nodes[1], "id": "n3", "ref": {"kind": "source", "id": "exported-2"}}]
    return {**exported, "sources": [first, second], "dashboard": {**exported["dashboard"], "nodes": nodes}}


def test_an_import_whose_second_source_is_invalid_leaves_nothing_behind(client: FlaskClient) -> None:
    post_events(client, scenario("CLL"))
    document = _export_with_two_new_sources(client)
    before = _counts(client)
    document["sources"][1]["config"] = {"url": "not a url"}
    response = client.post("/api/v1/dashboards/import", json=document)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"][0]["path"] == "sources.1.config.url"
    assert _counts(client) == before  # neither scheduler-a nor a dashboard was created


def test_an_import_with_an_unknown_node_leaves_no_sources_behind(client: FlaskClient) -> None:
    post_events(client, scenario("CLL"))
    document = _export_with_two_new_sources(client)
    before = _counts(client)
    document["dashboard"]["nodes"][0]["ref"]["id"] = "dataset:nowhere:missing"
    response = client.post("/api/v1/dashboards/import", json=document)
    assert response.status_code == 422 and response.get_json()["errors"][0]["path"] == "nodes.0.ref"
    assert _counts(client) == before


def test_a_valid_import_creates_its_sources_and_dashboard_together(client: FlaskClient) -> None:
    post_events(client, scenario("CLL"))
    document = _export_with_two_new_sources(client)
    sources_before, dashboards_before = _counts(client)
    response = client.post("/api/v1/dashboards/import", json=document)
    assert response.status_code == 201, response.get_json()
    assert _counts(client) == (sources_before + 2, dashboards_before + 1)
    refs = [n["ref"]["id"] for n in response.get_json()["nodes"] if n["ref"]["kind"] == "source"]
    graph = services.get(client.application).graph.get_nodes(ids=[f"source:{r}" for r in refs])
    assert len(set(refs)) == 2 and len(graph) == 2  # the new sources are graph nodes after the commit


def test_an_imported_sealed_secret_is_refused(client: FlaskClient) -> None:
    post_events(client, scenario("CLL"))
    document = _export_with_two_new_sources(client)
    document["sources"][0]["config"]["token"] = {"$enc": "gAAAA-from-another-install"}
    assert client.post("/api/v1/dashboards/import", json=document).status_code == 422


def test_an_offset_past_64_bits_is_a_400_not_a_500(client: FlaskClient) -> None:
    response = client.get("/api/v1/dashboards?offset=10131289923701043200")  # found by schemathesis
    body = response.get_json()
    assert response.status_code == 400 and set(body) == {"code", "status", "message", "errors"}
    assert body["errors"][0]["path"] == "offset"
    assert client.get("/api/v1/dashboards?offset=2147483647").status_code == 200


def test_a_version_past_64_bits_is_a_400_not_a_500(client: FlaskClient) -> None:
    post_events(client, scenario("CLL"))
    created = _create(client, _doc(_source(client)))
    huge = "10131289923701043200"
    by_header = client.put(f"/api/v1/dashboards/{created['id']}", json=_doc(_source(client, "b")),
                           headers={"If-Match": f'"{huge}"'})
    by_body = client.put(f"/api/v1/dashboards/{created['id']}", json={**_doc(_source(client, "c")),
                                                                      "version": int(huge)})
    assert by_header.status_code == 400 and by_header.get_json()["errors"][0]["path"] == "If-Match"
    assert by_body.status_code == 400 and by_body.get_json()["errors"][0]["path"] == "version"
