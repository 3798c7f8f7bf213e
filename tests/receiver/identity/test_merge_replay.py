"""A merge folds two dataset nodes into one and its undo splits them again; after each, the graph and the state
records equal a fresh replay of the same events (SQLite, SQL graph store). ``graph rebuild`` keeps the rule."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from lineagelens.receiver import services
from lineagelens.receiver.graph.base import GraphUnavailable
from lineagelens.receiver.state import tables as T
from tests.conftest import POSTGRES_URL, backend_config, close_app, make_app, post_events, projected_state
from tests.receiver.identity.support import dataset, run

ORDERS = {"id": "bigint", "amount": "decimal(10,2)"}
S3 = ("s3://lake", "raw/orders")
S3A = ("s3a://lake", "raw/orders")
HIVE = ("hive://metastore", "lake.orders")


def events() -> list[dict[str, Any]]:
    """``load`` writes the table as s3://, ``report`` reads it as s3a:// (two nodes until merged), and
    ``audit`` reads it under a Hive name whose symlink names the s3a:// spelling."""
    return [
        run("load", inputs=(dataset("postgres://db:5432", "shop.orders", ORDERS),),
            outputs=(dataset(*S3, ORDERS),), minute=1, event_type="START"),
        run("load", inputs=(dataset("postgres://db:5432", "shop.orders", ORDERS),),
            outputs=(dataset(*S3, ORDERS),), minute=2),
        run("report", inputs=(dataset(*S3A, ORDERS),), outputs=(dataset("s3a://lake", "marts/daily", {"d": "date"}),),
            minute=3),
        run("audit", inputs=(dataset(*HIVE, symlinks=[S3A]),), minute=4),
        run("report", inputs=(dataset(*S3A, {**ORDERS, "currency": "string"}),), minute=5),
    ]


def fresh(tmp_path: Path, name: str, *, merged: tuple[str, str] | None) -> dict[str, list[str]]:
    """A new receiver that gets the same events, with the rule (``merged`` into S3) stored before the first
    event, or without it."""
    folder = tmp_path / name
    folder.mkdir()
    app = make_app(backend_config("sqlite", folder))
    try:
        if merged:
            services.get(app).identity.rules.create(alias=merged, canonical=S3, created_by="tests")
        post_events(app.test_client(), events())
        return projected_state(app)
    finally:
        close_app(app)


def nodes(app: Flask) -> set[str]:
    with services.get(app).engine.connect() as conn:
        return {r.id for r in conn.execute(sa.select(T.graph_nodes.c.id).where(T.graph_nodes.c.kind == "dataset"))}


def test_a_merge_folds_the_alias_node_into_the_canonical_one_like_a_fresh_replay(app: Flask, tmp_path: Path,
                                                                                 ) -> None:
    client = app.test_client()
    post_events(client, events())
    # the symlink folded s3a:// into the Hive name: two nodes for one table
    assert {"dataset:s3://lake:raw/orders", "dataset:hive://metastore:lake.orders"} <= nodes(app)
    assert "dataset:s3a://lake:raw/orders" not in nodes(app)
    before = projected_state(app)

    created = client.post("/api/v1/identity/merges", json={"alias": {"namespace": HIVE[0], "name": HIVE[1]},
                                                             "canonical": {"namespace": S3[0], "name": S3[1]}})
    assert created.status_code == 202, created.get_json()
    assert created.get_json()["state"] == "pending"
    assert services.get(app).identity.apply_pending() is True

    rule = client.get(f"/api/v1/identity/merges/{created.get_json()['id']}").get_json()
    assert (rule["state"], rule["progress"], rule["error"]) == ("applied", 1.0, None)
    assert "dataset:hive://metastore:lake.orders" not in nodes(app)
    assert "dataset:s3://lake:raw/orders" in nodes(app)
    merged = projected_state(app)
    assert merged == fresh(tmp_path, "merged", merged=HIVE)
    assert merged != before

    undone = client.delete(f"/api/v1/identity/merges/{rule['id']}")
    assert undone.status_code == 202 and undone.get_json()["state"] == "undoing"
    assert services.get(app).identity.apply_pending() is True
    assert client.get(f"/api/v1/identity/merges/{rule['id']}").get_json()["state"] == "undone"
    assert {"dataset:s3://lake:raw/orders", "dataset:hive://metastore:lake.orders"} <= nodes(app)
    assert projected_state(app) == fresh(tmp_path, "split", merged=None) == before


def test_graph_rebuild_re_applies_console_rules(app: Flask, tmp_path: Path) -> None:
    post_events(app.test_client(), events())
    identity = services.get(app).identity
    identity.merge(alias=HIVE, canonical=S3, created_by="tests")
    identity.apply_pending()
    services.get(app).projector.rebuild()  # what `lineagelens graph rebuild` runs
    assert "dataset:hive://metastore:lake.orders" not in nodes(app)
    assert projected_state(app) == fresh(tmp_path, "merged", merged=HIVE)


def test_new_events_naming_the_alias_land_on_the_canonical_node_while_the_rule_is_pending(app: Flask) -> None:
    identity = services.get(app).identity
    post_events(app.test_client(), events()[:3])
    identity.merge(alias=S3A, canonical=S3, created_by="tests")
    post_events(app.test_client(), [run("late", inputs=(dataset(*S3A),), minute=9)])
    with services.get(app).engine.connect() as conn:
        rows = conn.execute(sa.select(T.graph_edges).where(T.graph_edges.c.rel == "INPUT_TO"))
        edges = {(r.src, r.dst) for r in rows}
    assert ("dataset:s3://lake:raw/orders", "job:identity-tests:late") in edges


def test_the_background_applier_applies_a_rule_and_shows_its_progress(app: Flask) -> None:
    client = app.test_client()
    post_events(client, events())
    identity = services.get(app).identity
    seen: list[float] = []
    original = identity.rules.set_progress
    identity.rules.set_progress = lambda ids, value: (seen.append(value), original(ids, value))[1]  # type: ignore[method-assign]
    identity.applier.start()
    try:
        rule_id = client.post("/api/v1/identity/merges", json={
            "alias": {"namespace": S3A[0], "name": S3A[1]}, "canonical": {"namespace": S3[0], "name": S3[1]},
        }).get_json()["id"]
        deadline = time.monotonic() + 10
        while (rule := client.get(f"/api/v1/identity/merges/{rule_id}").get_json())["state"] != "applied":
            assert time.monotonic() < deadline, rule
            time.sleep(0.05)
    finally:
        identity.applier.stop()
    assert rule["progress"] == 1.0
    assert seen and seen[-1] == 1.0 and seen == sorted(seen)


def test_a_failed_re_projection_keeps_the_rule_pending_with_the_error(app: Flask, monkeypatch: Any) -> None:
    post_events(app.test_client(), events())
    identity = services.get(app).identity
    rule = identity.merge(alias=S3A, canonical=S3, created_by="tests")

    def down(**_: Any) -> None:
        raise GraphUnavailable("graph store down")

    monkeypatch.setattr(identity.projector, "rebuild", down)
    assert identity.apply_pending() is False
    found = identity.rules.get(rule.id)
    assert found is not None and (found.state, found.error) == ("pending", "graph store down")
    monkeypatch.undo()
    assert identity.apply_pending() is True
    found = identity.rules.get(rule.id)
    assert found is not None and (found.state, found.error) == ("applied", None)


def _lineage(client: Any) -> tuple[set[str], set[tuple[str, str]]]:
    """The lineage around the load job, as the API answers it on any graph store: node ids and (from, to)."""
    body = client.get("/api/v1/lineage", query_string={"nodeId": "job:identity-tests:load", "depth": 5}).get_json()
    nodes_seen = {n["id"] for n in body["graph"]}
    return nodes_seen, {(n["id"], e["destination"]) for n in body["graph"] for e in n["outEdges"]}


def test_on_every_backend_a_merge_and_its_undo_answer_like_a_fresh_replay(
        any_app: Flask, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    client = any_app.test_client()
    post_events(client, events())
    before = _lineage(client)
    identity = services.get(any_app).identity
    rule = identity.merge(alias=S3A, canonical=S3, created_by="tests")
    assert identity.apply_pending() is True
    merged = _lineage(client)
    assert "dataset:s3a://lake:raw/orders" not in merged[0] and merged != before
    assert ("dataset:s3://lake:raw/orders", "job:identity-tests:report") in merged[1]
    identity.undo(rule.id)
    assert identity.apply_pending() is True
    assert _lineage(client) == before
    # a fresh receiver on the same kind of backend, given the rule first, answers like the merged one
    backend = request.node.callspec.params["any_app"]
    close_app(any_app)
    folder = tmp_path / "fresh"
    folder.mkdir()
    replay = make_app(backend_config(backend, folder))
    try:
        services.get(replay).identity.rules.create(alias=S3A, canonical=S3, created_by="tests")
        post_events(replay.test_client(), events())
        assert _lineage(replay.test_client()) == merged
    finally:
        close_app(replay)


@pytest.mark.postgres
def test_two_receivers_woken_together_re_project_the_event_log_once_for_a_rule(tmp_path: Path) -> None:
    """Every receiver's applier looks for stored or undone rules (woken, or polling); only one re-projects the
    event log, the other finds the work taken. Checked with an undo, which the claim takes as it is."""
    first = make_app(backend_config("postgres", tmp_path))
    second = make_app({"DATABASE_URL": POSTGRES_URL})
    try:
        post_events(first.test_client(), events())
        one, other = services.get(first).identity, services.get(second).identity
        rule = one.merge(alias=S3A, canonical=S3, created_by="tests")
        assert one.apply_pending() is True
        one.undo(rule.id)
        rebuilds: list[str] = []
        rebuild, rebuild_other = one.projector.rebuild, other.projector.rebuild
        meanwhile: list[bool] = []

        def first_rebuild(**kwargs: Any) -> Any:
            rebuilds.append("first")
            meanwhile.append(other.apply_pending())  # the second receiver's applier, woken by the same undo
            return rebuild(**kwargs)

        def second_rebuild(**kwargs: Any) -> Any:
            rebuilds.append("second")
            return rebuild_other(**kwargs)

        one.projector.rebuild = first_rebuild  # type: ignore[method-assign]
        other.projector.rebuild = second_rebuild  # type: ignore[method-assign]
        assert one.apply_pending() is True
        assert (rebuilds, meanwhile) == (["first"], [False])
        found = one.rules.get(rule.id)
        assert found is not None and found.state == "undone"
        assert other.apply_pending() is False  # nothing left once the first is done
    finally:
        close_app(second)
        close_app(first)
