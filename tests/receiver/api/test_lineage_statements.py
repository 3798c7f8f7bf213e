"""``GET /api/v1/lineage`` (Marquez's shape) costs a fixed number of SQL statements and connection checkouts,
however many nodes the answer holds: the dataset, job, run and time-filter reads are batched over the nodes
and share one connection. Also the node look-up that the direct walk replaced: aliases still resolve, and
an unknown node is still reported before a bad depth."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from flask import Flask

from lineagelens.receiver import services
from tests.conftest import post_events
from tests.receiver.api.conftest import dataset, facet, make_run_event

log = logging.getLogger(__name__)

NS = "postgres://db:5432"
SOURCE = f"dataset:{NS}:public.source"


def _fan(app: Flask, jobs: int) -> None:
    """``jobs`` jobs, each reading ``public.source`` and writing its own table: 1 + 2 * jobs nodes within
    depth 2 of the source."""
    source = dataset(NS, "public.source", [("id", "int")])
    events = [make_run_event(job=("etl", f"copy_{j:02d}"), inputs=[source],
                             outputs=[dataset(NS, f"public.copy_{j:02d}", [("id", "int")])],
                             job_facets={"sql": facet("1-0-1/SQLJobFacet.json", query=f"copy {j}")})
              for j in range(jobs)]
    post_events(app.test_client(), events)


@contextmanager
def _counted(app: Flask) -> Iterator[dict[str, int]]:
    engine = services.get(app).engine
    seen = {"statements": 0, "checkouts": 0}

    def statement(*_: Any) -> None:
        seen["statements"] += 1

    def checkout(*_: Any) -> None:
        seen["checkouts"] += 1

    sa.event.listen(engine, "before_cursor_execute", statement)
    sa.event.listen(engine, "checkout", checkout)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", statement)
        sa.event.remove(engine, "checkout", checkout)


def _lineage_cost(app: Flask, node_id: str) -> tuple[int, dict[str, int]]:
    client = app.test_client()
    client.get("/api/v1/lineage", query_string={"nodeId": node_id, "depth": 2})  # warm caches, as in use
    with _counted(app) as seen:
        response = client.get("/api/v1/lineage", query_string={"nodeId": node_id, "depth": 2})
    assert response.status_code == 200, response.get_json()
    return len(response.get_json()["graph"]), dict(seen)


def test_the_sql_statements_of_one_lineage_request_do_not_grow_with_its_nodes(any_app: Flask) -> None:
    _fan(any_app, 2)
    small_nodes, small = _lineage_cost(any_app, SOURCE)
    _fan(any_app, 24)  # 22 more jobs on the same source
    large_nodes, large = _lineage_cost(any_app, SOURCE)
    assert (small_nodes, large_nodes) == (5, 49)
    assert small["statements"] > 0
    assert large == small


def test_a_dataset_named_by_an_alias_is_walked_from_its_canonical_node(any_app: Flask) -> None:
    client = any_app.test_client()
    symlink = facet("1-0-1/SymlinksDatasetFacet.json", identifiers=[
        {"namespace": "hive://metastore:9083", "name": "warehouse.orders", "type": "TABLE"}])
    post_events(client, [make_run_event(job=("etl", "load"), inputs=[dataset(NS, "public.raw")],
                                        outputs=[{**dataset(NS, "public.orders"), "facets": {"symlinks": symlink}}])])
    direct = client.get("/api/v1/lineage", query_string={"nodeId": f"dataset:{NS}:public.orders", "depth": 2})
    aliased = client.get("/api/v1/lineage",
                         query_string={"nodeId": "dataset:hive://metastore:9083:warehouse.orders", "depth": 2})
    assert direct.status_code == aliased.status_code == 200
    assert aliased.get_data() == direct.get_data()
    assert {n["id"] for n in direct.get_json()["graph"]} == {
        f"dataset:{NS}:public.raw", "job:etl:load", f"dataset:{NS}:public.orders"}


def test_an_unknown_node_is_reported_before_a_bad_depth(any_app: Flask) -> None:
    client = any_app.test_client()
    post_events(client, [make_run_event(inputs=[dataset(NS, "public.a")], outputs=[dataset(NS, "public.b")])])
    limit = int(services.get(any_app).settings["MAX_DEPTH"])
    unknown = client.get("/api/v1/lineage", query_string={"nodeId": f"dataset:{NS}:public.nope", "depth": limit + 1})
    known = client.get("/api/v1/lineage", query_string={"nodeId": f"dataset:{NS}:public.a", "depth": limit + 1})
    assert (unknown.status_code, known.status_code) == (404, 400)
