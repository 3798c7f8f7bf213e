"""Dashboards: CRUD with optimistic concurrency, manual lineage that ingestion never removes, and
export/import."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from lineagelens.receiver import services
from lineagelens.receiver.graph.model import Rel
from tests.conftest import post_events, scenario

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
    response = client.post("/api/v1/dashboards", json=doc, headers={"X-LineageLens-User": "ann"})
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
        (TBL1, source["graphId"], "manual", "ann")]


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
