"""The notification queue: retries with exponential backoff, the delivery log, rate limits, durability."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from lineagelens.receiver.alerts.delivery import Delivery, queue_rows
from lineagelens.receiver.state.db import transaction
from tests.conftest import POSTGRES_URL, backend_config, close_app, make_app
from tests.receiver.alerts.support import LOOPBACK, T0, alert_app, alerts, create
from tests.servers import HttpServer, http_server


def _queue(app, channel_id: str, incident_id: int = 1) -> None:  # type: ignore[no-untyped-def]
    a = alerts(app)
    with transaction(a.delivery.engine) as conn:
        a.delivery.enqueue_rows(conn, queue_rows(incident_id=incident_id, event="opened", channel_ids=[channel_id],
                                                 message={"event": "opened", "title": "t", "text": "x",
                                                          "severity": "error"}, now=T0))


def _webhook(app: Flask, server: HttpServer, **fields: Any) -> str:
    """A webhook channel posting to ``server``'s /hook (``fields``: more of the channel, e.g. its rate limit);
    its id."""
    channel = create(app.test_client(), "/api/v1/channels", {"name": "h", "kind": "webhook", **fields,
                                                              "config": {"url": f"{server.url}/hook"}})
    return str(channel["id"])


def test_a_channel_answering_500_twice_is_delivered_on_the_third_attempt_and_logged(tmp_path: Path) -> None:
    with http_server({"/hook": (500, {"error": "secret internals"})}) as server:
        app = alert_app(tmp_path, ALERT_RETRY_BASE_SECONDS=10.0)
        client = app.test_client()
        channel_id = _webhook(app, server)
        _queue(app, channel_id)
        d = alerts(app).delivery
        assert d.run_due(T0) == 1
        first = client.get("/api/v1/notifications").get_json()["notifications"][0]
        assert first["status"] == "pending" and first["attempts"] == 1 and first["responseStatus"] == 500
        assert first["lastError"] == "webhook answered HTTP 500"
        assert "secret internals" not in str(first)
        assert d.run_due(T0 + timedelta(seconds=9)) == 0  # backing off: 10 s after the first failure
        assert d.run_due(T0 + timedelta(seconds=10)) == 1
        second = client.get("/api/v1/notifications").get_json()["notifications"][0]
        assert second["attempts"] == 2
        assert second["nextAttemptAt"].startswith((T0 + timedelta(seconds=30)).isoformat()[:19])  # 10 + 20 s
        server.routes["/hook"] = (200, {})
        assert d.run_due(T0 + timedelta(seconds=29)) == 0
        assert d.run_due(T0 + timedelta(seconds=30)) == 1
        done = client.get("/api/v1/notifications").get_json()["notifications"][0]
        assert done["status"] == "delivered" and done["attempts"] == 3 and done["responseStatus"] == 200
        assert done["lastError"] is None
        assert len(server.requests) == 3


def test_a_client_error_is_not_retried(tmp_path: Path) -> None:
    with http_server({"/hook": (404, {})}) as server:
        app = alert_app(tmp_path)
        channel_id = _webhook(app, server)
        _queue(app, channel_id)
        alerts(app).delivery.run_due(T0)
        row = app.test_client().get("/api/v1/notifications?status=failed").get_json()["notifications"]
        assert len(row) == 1 and row[0]["responseStatus"] == 404


def test_the_same_incident_event_and_channel_is_queued_once(tmp_path: Path) -> None:
    with http_server({"/hook": (200, {})}) as server:
        app = alert_app(tmp_path)
        channel_id = _webhook(app, server)
        _queue(app, channel_id)
        _queue(app, channel_id)
        alerts(app).delivery.run_due(T0)
        assert len(server.requests) == 1


def test_a_channel_over_its_rate_limit_is_postponed_not_dropped(tmp_path: Path) -> None:
    with http_server({"/hook": (200, {})}) as server:
        app = alert_app(tmp_path)
        channel_id = _webhook(app, server, rateLimitPerMinute=2)
        for incident in (1, 2, 3):
            _queue(app, channel_id, incident)
        d = alerts(app).delivery
        d.run_due(T0)
        assert len(server.requests) == 2
        d.run_due(T0 + timedelta(seconds=30))
        assert len(server.requests) == 2
        d.run_due(T0 + timedelta(seconds=61))
        assert len(server.requests) == 3


def test_pending_notifications_survive_a_restart(tmp_path: Path) -> None:
    with http_server({"/hook": (200, {})}) as server:
        app = alert_app(tmp_path)
        channel_id = _webhook(app, server)
        _queue(app, channel_id)
        first = alerts(app).delivery
        # a new process: a fresh Delivery over the same database sends what the first one left
        again = Delivery(engine=first.engine, channels=first.channels)
        assert again.run_due(T0) == 1
        assert len(server.requests) == 1


def test_rows_over_a_channel_limit_are_postponed_together_without_being_attempted(tmp_path: Path) -> None:
    with http_server({"/hook": (200, {})}) as server:
        app = alert_app(tmp_path)
        client = app.test_client()
        channel_id = _webhook(app, server, rateLimitPerMinute=2)
        for incident in range(1, 11):
            _queue(app, channel_id, incident)
        d = alerts(app).delivery
        written: list[int] = []
        sa.event.listen(d.engine, "commit", lambda _conn: written.append(1))
        assert d.run_due(T0) == 2
        assert len(server.requests) == 2
        # two sends (a claim and a result each) and one transaction postponing the other eight
        assert len(written) == 2 * 2 + 1
        rows = client.get("/api/v1/notifications?status=pending&limit=50").get_json()["notifications"]
        assert len(rows) == 8 and {r["attempts"] for r in rows} == {0}
        assert {r["nextAttemptAt"][:19] for r in rows} == {(T0 + timedelta(seconds=60)).isoformat()[:19]}
        assert d.run_due(T0 + timedelta(seconds=59)) == 0
        assert d.run_due(T0 + timedelta(seconds=61)) == 2
        assert len(server.requests) == 4


def test_a_notification_another_receiver_claimed_after_this_pass_planned_it_is_sent_once(tmp_path: Path) -> None:
    """Two receivers' delivery passes: A plans (reads what is due), B claims the row and is sending it when A
    reads the rows it planned and claims them. The row is no longer due (B's lease): A must leave it."""
    with http_server({"/hook": (200, {})}) as server:
        app = alert_app(tmp_path)
        channel_id = _webhook(app, server)
        _queue(app, channel_id)
        mine = alerts(app).delivery
        a = Delivery(engine=mine.engine, channels=mine.channels)
        b = Delivery(engine=mine.engine, channels=mine.channels)
        a_planned, b_sending, a_done = threading.Event(), threading.Event(), threading.Event()
        plan, attempt = a._within_limits, b._attempt

        def plan_then_let_b_claim(due: Any, now: datetime) -> list[Any]:
            planned = plan(due, now)
            a_planned.set()
            assert b_sending.wait(10)
            return planned

        def send_while_a_goes_on(row: Any, now: datetime) -> int:
            b_sending.set()
            a_done.wait(10)  # A's pass goes on to its end first
            return attempt(row, now)

        a._within_limits = plan_then_let_b_claim  # type: ignore[method-assign]
        b._attempt = send_while_a_goes_on  # type: ignore[method-assign]
        with ThreadPoolExecutor(2) as pool:
            a_sent = pool.submit(a.run_due, T0)
            assert a_planned.wait(10)
            b_sent = pool.submit(b.run_due, T0)
            sent_by_a = a_sent.result(30)
            a_done.set()
            sent_by_b = b_sent.result(30)
        assert (sent_by_a, sent_by_b) == (0, 1)
        assert len(server.requests) == 1


@pytest.mark.postgres
def test_a_channel_limit_holds_across_receivers_sending_at_the_same_time(tmp_path: Path) -> None:
    """Two receivers on one database with notifications due on a channel limited to 2 a minute: while one pass
    is sending (here one row, its first attempt not yet in the log), the other's pass sends nothing, so the
    channel gets its 2 a minute, not 2 per receiver's count."""
    with http_server({"/hook": (200, {})}) as server:
        first = make_app({**backend_config("postgres", tmp_path), **LOOPBACK})
        second = make_app({"DATABASE_URL": POSTGRES_URL, **LOOPBACK})
        try:
            channel_id = _webhook(first, server, rateLimitPerMinute=2)
            for incident in range(1, 7):
                _queue(first, channel_id, incident)
            one, other = alerts(first).delivery, alerts(second).delivery
            finish = one._finish
            meanwhile: list[int] = []

            def record_after_the_other_pass(row_id: int, **values: Any) -> None:
                if not meanwhile:  # the first send is out, not yet in the log: the other receiver's pass now
                    meanwhile.append(other.run_due(T0))
                finish(row_id, **values)

            one._finish = record_after_the_other_pass  # type: ignore[method-assign]
            sent = one.run_due(T0, limit=1)
            assert (len(server.requests), meanwhile, sent) == (1, [0], 1)
            assert one.run_due(T0) == 1 and len(server.requests) == 2  # the minute's 2; the others postponed
            assert other.run_due(T0 + timedelta(seconds=61)) == 2  # the next minute, from either receiver
            assert len(server.requests) == 4
        finally:
            close_app(second)
            close_app(first)
