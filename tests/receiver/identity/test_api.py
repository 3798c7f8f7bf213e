"""The identity console API: candidates with reasons, external sources, the merge rules of every origin, the
errors of a bad merge, roles and the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lineagelens.receiver import services
from tests.conftest import post_events
from tests.receiver.auth.support import sign_in
from tests.receiver.identity.support import dataset, run

COLS = {"id": "bigint", "amount": "double"}


@pytest.fixture
def seeded(client: FlaskClient) -> FlaskClient:
    post_events(client, [
        run("load", inputs=(dataset("postgres://db:5432", "shop.Orders", COLS),),
            outputs=(dataset("s3://lake", "raw/orders", COLS),), minute=1),
        run("report", inputs=(dataset("s3a://lake", "raw/orders/", COLS), dataset("postgres://db:5432", "shop.orders")),
            outputs=(dataset("s3://lake", "marts/daily", {"d": "date"}),), minute=2),
        run("audit", inputs=(dataset("hive://ms", "lake.audit_view", symlinks=[("s3://lake", "marts/daily")]),),
            minute=3),
    ])
    return client


def name(namespace: str, value: str) -> dict[str, str]:
    return {"namespace": namespace, "name": value}


def merge(client: FlaskClient, alias: tuple[str, str], canonical: tuple[str, str]) -> Any:
    return client.post("/api/v1/identity/merges", json={"alias": name(*alias), "canonical": name(*canonical)})


def test_candidates_group_each_kind_of_duplicate_with_its_reasons(seeded: FlaskClient) -> None:
    body = seeded.get("/api/v1/identity/candidates").get_json()
    groups = {tuple(d["nodeId"] for d in g["datasets"]): {r["kind"] for r in g["reasons"]} for g in body["groups"]}
    assert groups[("dataset:s3://lake:raw/orders", "dataset:s3a://lake:raw/orders/")] == {"scheme"}
    assert groups[("dataset:postgres://db:5432:shop.Orders", "dataset:s3://lake:raw/orders",
                   "dataset:s3a://lake:raw/orders/")] == {"schema"}  # the same two columns
    assert groups[("dataset:postgres://db:5432:shop.Orders", "dataset:postgres://db:5432:shop.orders")] == {"case"}
    assert body["totalCount"] == len(body["groups"])
    only_case = seeded.get("/api/v1/identity/candidates?reason=case").get_json()["groups"]
    assert {r["kind"] for g in only_case for r in g["reasons"]} == {"case"}
    bad = seeded.get("/api/v1/identity/candidates?reason=vibes")
    assert bad.status_code == 400 and bad.get_json()["errors"][0]["path"].startswith("reason")


def test_external_sources_are_the_datasets_no_job_writes(seeded: FlaskClient) -> None:
    body = seeded.get("/api/v1/identity/external").get_json()
    found = {d["nodeId"]: d["readers"] for d in body["datasets"]}
    # s3://lake:raw/orders and marts/daily (under its Hive name, see the symlink) are written by jobs
    assert found == {"dataset:postgres://db:5432:shop.Orders": 1, "dataset:postgres://db:5432:shop.orders": 1,
                     "dataset:s3a://lake:raw/orders/": 1}
    assert body["totalCount"] == 3
    page = seeded.get("/api/v1/identity/external?limit=1&offset=1").get_json()
    assert [d["nodeId"] for d in page["datasets"]] == [body["datasets"][1]["nodeId"]]


def test_the_rules_list_shows_console_symlink_and_plugin_rules_with_their_origin(seeded: FlaskClient) -> None:
    created = merge(seeded, ("s3a://lake", "raw/orders/"), ("s3://lake", "raw/orders")).get_json()
    rules = seeded.get("/api/v1/identity/merges").get_json()["rules"]
    by_origin = {r["origin"]: r for r in rules}
    assert by_origin["console"]["id"] == created["id"]
    assert by_origin["console"]["createdBy"] == "tests-admin" and by_origin["console"]["state"] == "pending"
    # the Hive name was the primary name of the event with the symlink: it became the canonical one
    assert by_origin["symlink"]["alias"]["nodeId"] == "dataset:s3://lake:marts/daily"
    assert by_origin["symlink"]["canonical"]["nodeId"] == "dataset:hive://ms:lake.audit_view"
    assert by_origin["plugin"]["plugin"] == "lineagelens.plugins.naming"
    assert "naming" in by_origin["plugin"]["description"].lower()
    only = seeded.get("/api/v1/identity/merges?origin=plugin").get_json()
    assert [r["origin"] for r in only["rules"]] == ["plugin"] and only["totalCount"] == 1


def test_the_alias_is_normalised_by_the_naming_plugins_before_it_is_stored(seeded: FlaskClient) -> None:
    created = merge(seeded, ("postgresql://DB/", "shop.Orders"), ("postgres://db:5432", "shop.orders"))
    assert created.status_code == 202, created.get_json()
    assert created.get_json()["alias"]["namespace"] == "postgres://db:5432"


@pytest.mark.parametrize(("body", "paths"), [
    ({"alias": name("s3://lake", "raw/orders")}, ["canonical"]),
    ({"alias": name("s3://lake", "raw/orders"), "canonical": {"namespace": "s3://lake"}}, ["canonical.name"]),
    ({"alias": name("s3://lake", "raw/orders"), "canonical": name("s3://lake", "raw/orders")}, ["canonical"]),
    ({"alias": name("s3://lake", "nope"), "canonical": name("s3://lake", "raw/orders")}, ["alias"]),
    ({"alias": name("s3://lake", "raw/orders"), "canonical": name("gs://x", "y")}, ["canonical"]),
])
def test_a_bad_merge_is_a_422_naming_the_field(seeded: FlaskClient, body: dict[str, Any], paths: list[str]) -> None:
    response = seeded.post("/api/v1/identity/merges", json=body)
    error = response.get_json()
    assert response.status_code == 422 and error["code"] == "invalid_merge"
    assert [e["path"] for e in error["errors"]] == paths
    assert set(error) == {"code", "status", "message", "errors"}


def test_conflicting_merges_are_409(seeded: FlaskClient) -> None:
    s3, s3a = ("s3://lake", "raw/orders"), ("s3a://lake", "raw/orders/")
    assert merge(seeded, s3a, s3).status_code == 202
    again = merge(seeded, s3a, ("postgres://db:5432", "shop.orders"))
    assert again.status_code == 409 and "undo that rule first" in again.get_json()["message"]
    cycle = merge(seeded, s3, s3a)
    assert cycle.status_code == 409 and "cycle" in cycle.get_json()["message"]
    # marts/daily is already an alias of the Hive name (symlink): nothing to merge
    same = merge(seeded, ("s3://lake", "marts/daily"), ("hive://ms", "lake.audit_view"))
    assert same.status_code == 409 and "already one dataset" in same.get_json()["message"]


def test_undo_of_an_unknown_or_undone_rule(seeded: FlaskClient) -> None:
    assert seeded.delete("/api/v1/identity/merges/no-such-rule").status_code == 404
    assert seeded.get("/api/v1/identity/merges/no-such-rule").status_code == 404
    rule = merge(seeded, ("s3a://lake", "raw/orders/"), ("s3://lake", "raw/orders")).get_json()
    assert seeded.delete(f"/api/v1/identity/merges/{rule['id']}").status_code == 202
    twice = seeded.delete(f"/api/v1/identity/merges/{rule['id']}")
    assert twice.status_code == 409 and twice.get_json()["code"] == "conflict"


def test_viewers_read_and_only_editors_merge_and_undo(app: Flask, seeded: FlaskClient) -> None:
    viewer = sign_in(app, "vera", "viewer")
    assert viewer.client.get("/api/v1/identity/candidates").status_code == 200
    assert viewer.client.get("/api/v1/identity/merges").status_code == 200
    body = {"alias": name("s3a://lake", "raw/orders/"), "canonical": name("s3://lake", "raw/orders")}
    assert viewer.write("POST", "/api/v1/identity/merges", json=body).status_code == 403
    editor = sign_in(app, "eddie", "editor")
    created = editor.write("POST", "/api/v1/identity/merges", json=body)
    assert created.status_code == 202 and created.get_json()["createdBy"] == "eddie"
    assert viewer.write("DELETE", f"/api/v1/identity/merges/{created.get_json()['id']}").status_code == 403
    assert editor.write("DELETE", f"/api/v1/identity/merges/{created.get_json()['id']}").status_code == 202


def test_merge_and_undo_are_in_the_audit_log(app: Flask, seeded: FlaskClient) -> None:
    rule = merge(seeded, ("s3a://lake", "raw/orders/"), ("s3://lake", "raw/orders")).get_json()
    seeded.delete(f"/api/v1/identity/merges/{rule['id']}")
    entries, _ = services.get(app).auth.audit.find(limit=10, offset=0, action="identity.")
    assert [(e["action"], e["status"], e["target"]) for e in entries] == [
        ("identity.undo_merge", 202, rule["id"]),
        ("identity.create_merge", 202, "s3a://lake:raw/orders/ -> s3://lake:raw/orders")]


def test_the_routes_are_in_the_openapi_spec(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/api/v1/identity/candidates", "/api/v1/identity/external", "/api/v1/identity/merges",
            "/api/v1/identity/merges/{rule}"} <= set(paths)
    assert {"get", "post"} <= set(paths["/api/v1/identity/merges"])
