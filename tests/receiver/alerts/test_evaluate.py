"""The rule evaluator's passes: a pass's firings, recoveries and cursor are one short write transaction (SQLite
has one writer, shared with ingest), recoveries that resolve nothing write nothing, a failing change does not
hold back the others, and the order of the runs within a pass is kept."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from lineagelens.receiver.alerts import model as M
from lineagelens.receiver.alerts.incidents import IncidentService
from lineagelens.receiver.state.tables import alert_cursor, alert_firings, incidents
from tests.receiver.alerts.support import T0, alert_app, alerts, create, dataset, post, run


@contextmanager
def commits(engine: sa.Engine) -> Iterator[list[int]]:
    """Counts the transactions committed on ``engine`` while inside (one item per commit)."""
    seen: list[int] = []

    def count(_conn: Any) -> None:
        seen.append(1)

    sa.event.listen(engine, "commit", count)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "commit", count)


def _cursor(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(sa.select(alert_cursor.c.position)) or 0)


def test_a_pass_records_its_firings_recoveries_and_cursor_in_one_write_transaction(tmp_path: Path) -> None:
    app = alert_app(tmp_path)
    client = app.test_client()
    create(client, "/api/v1/alert-rules", {"name": "any failure", "type": "job_failed"})
    a = alerts(app)
    for i in range(5):
        post(client, run(f"job_{i}", "FAIL", start=T0 + timedelta(minutes=i), error="boom"))
    post(client, run("job_0", "COMPLETE", start=T0 + timedelta(minutes=10)))  # resolves job_0's incident
    for i in range(20):
        post(client, run(f"quiet_{i}", "COMPLETE", start=T0 + timedelta(minutes=i)))
    with commits(a.evaluator.engine) as seen:
        assert a.evaluator.drain() == 26
    assert len(seen) == 1
    found = client.get("/api/v1/incidents?limit=50").get_json()["incidents"]
    assert len(found) == 5
    assert {i["rootNodeId"]: i["state"] for i in found}["job:etl:job_0"] == "resolved"
    assert sorted(i["state"] for i in found).count("open") == 4
    with commits(a.evaluator.engine) as seen:  # the cursor moved with the pass: nothing is evaluated twice
        assert a.evaluator.drain() == 0
    assert seen == []


def test_a_run_that_fails_and_a_later_run_that_completes_in_one_pass_open_then_resolve(tmp_path: Path) -> None:
    with_hook = {"name": "h", "kind": "webhook", "config": {"url": "http://127.0.0.1:9/hook"}}
    app = alert_app(tmp_path)
    client = app.test_client()
    channel = create(client, "/api/v1/channels", with_hook)
    create(client, "/api/v1/alert-rules", {"name": "f", "type": "job_failed", "channelIds": [channel["id"]]})
    post(client, run("load", "FAIL", start=T0, error="disk full"))
    post(client, run("load", "COMPLETE", start=T0 + timedelta(minutes=5)))
    alerts(app).evaluator.drain()
    (incident,) = client.get("/api/v1/incidents").get_json()["incidents"]
    assert incident["state"] == "resolved" and incident["resolvedBy"].startswith("automatically")
    detail = client.get(f"/api/v1/incidents/{incident['id']}").get_json()
    assert [e["kind"] for e in detail["timeline"]] == ["opened", "resolved"]
    queued = client.get("/api/v1/notifications").get_json()["notifications"]
    assert sorted(n["event"] for n in queued) == ["opened", "resolved"]


def test_every_recorded_firing_names_the_incident_it_opened_repeated_or_was_attached_to(tmp_path: Path) -> None:
    app = alert_app(tmp_path)
    client = app.test_client()
    create(client, "/api/v1/alert-rules", {"name": "f", "type": "job_failed"})
    staging = dataset("staging.orders")
    post(client, run("extract", "COMPLETE", outputs=[staging], start=T0))
    post(client, run("transform", "COMPLETE", inputs=[staging], start=T0 + timedelta(minutes=1)))
    post(client, run("extract", "FAIL", outputs=[staging], start=T0 + timedelta(minutes=2), error="disk full"))
    post(client, run("extract", "FAIL", outputs=[staging], start=T0 + timedelta(minutes=3), error="again"))
    post(client, run("transform", "FAIL", inputs=[staging], start=T0 + timedelta(minutes=4), error="no input"))
    alerts(app).evaluator.drain()
    (incident,) = client.get("/api/v1/incidents").get_json()["incidents"]
    kinds = [e["kind"] for e in client.get(f"/api/v1/incidents/{incident['id']}").get_json()["timeline"]]
    assert kinds == ["opened", "repeated", "attached"]
    with alerts(app).evaluator.engine.connect() as conn:
        links = conn.execute(sa.select(alert_firings.c.node_id, alert_firings.c.incident_id)
                             .order_by(alert_firings.c.fired_at, alert_firings.c.node_id)).all()
    assert sorted(node for node, _ in links) == ["job:etl:extract", "job:etl:extract", "job:etl:transform"]
    assert {incident_id for _, incident_id in links} == {incident["id"]}


def test_recoveries_that_resolve_nothing_write_nothing(tmp_path: Path) -> None:
    app = alert_app(tmp_path)
    a = alerts(app)
    with commits(a.evaluator.engine) as seen:
        assert a.incidents.recover(M.Recovery("job:etl:load", frozenset({M.JOB_FAILED}), "completed", T0)) == []
        assert a.incidents.apply([M.Recovery(f"dataset:x:{i}", frozenset({M.FRESHNESS}), "fresh", T0)
                                  for i in range(10)]) == [[]] * 10
    assert seen == []


def test_a_change_that_cannot_be_recorded_does_not_hold_back_the_others(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    app = alert_app(tmp_path)
    client = app.test_client()
    create(client, "/api/v1/alert-rules", {"name": "any failure", "type": "job_failed"})
    for job in ("good_1", "broken", "good_2"):
        post(client, run(job, "FAIL", start=T0, error="boom"))
    a = alerts(app)
    place = IncidentService._place

    def failing(self: IncidentService, batch: Any, firing: M.Firing, *args: Any) -> Any:
        if firing.node_id == "job:etl:broken":
            raise RuntimeError("a broken change")
        return place(self, batch, firing, *args)

    monkeypatch.setattr(IncidentService, "_place", failing)
    a.evaluator.drain()
    with a.evaluator.engine.connect() as conn:
        roots = set(conn.scalars(sa.select(incidents.c.root_node_id)))
        end = int(conn.scalar(sa.text("SELECT max(id) FROM lineage_events")))
    assert roots == {"job:etl:good_1", "job:etl:good_2"}
    assert _cursor(a.evaluator.engine) == end  # the pass is done: the broken change is logged, not retried forever


def test_the_evaluator_waits_for_ingest_to_go_quiet_but_no_longer_than_its_delay(tmp_path: Path) -> None:
    evaluator = alerts(alert_app(tmp_path)).evaluator
    evaluator.quiet_seconds, evaluator.max_delay_seconds = 0.1, 0.6
    evaluator.wake()
    began = time.monotonic()
    evaluator.gather(began)  # one batch, then quiet: evaluated after the quiet gap
    assert 0.08 <= time.monotonic() - began < 0.5
    busy = threading.Event()

    def ingest() -> None:  # projection batches every 20 ms: ingest never goes quiet
        while not busy.wait(0.02):
            evaluator.wake()

    feeder = threading.Thread(target=ingest)
    feeder.start()
    try:
        evaluator.wake()
        began = time.monotonic()
        evaluator.gather(began)
        waited = time.monotonic() - began
    finally:
        busy.set()
        feeder.join()
    assert 0.55 <= waited < 1.5  # bounded by the delay, not by the burst


def test_the_evaluator_thread_evaluates_within_its_delay(tmp_path: Path) -> None:
    app = alert_app(tmp_path)
    client = app.test_client()
    create(client, "/api/v1/alert-rules", {"name": "any failure", "type": "job_failed"})
    evaluator = alerts(app).evaluator
    evaluator.max_delay_seconds = 0.5
    evaluator.start()
    try:
        post(client, run("load", "FAIL", start=T0, error="boom"))
        deadline = time.monotonic() + 5
        while client.get("/api/v1/incidents").get_json()["totalCount"] == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        evaluator.stop()
    assert client.get("/api/v1/incidents").get_json()["totalCount"] == 1


def test_ingest_is_quiet_only_after_two_projection_lingers(tmp_path: Path) -> None:
    assert alerts(alert_app(tmp_path, PROJECTION_MAX_LINGER_MS=400)).evaluator.quiet_seconds == 0.8
    (tmp_path / "b").mkdir()
    assert alerts(alert_app(tmp_path / "b", PROJECTION_MAX_LINGER_MS=50)).evaluator.quiet_seconds == 0.25
