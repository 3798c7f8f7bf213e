"""Time-driven rules (deadline, freshness, source health) evaluated by the scheduler at chosen times, and the
SLA figures their evaluations give."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

from lineagelens.receiver import services
from lineagelens.receiver.alerts.scheduler import last_deadline
from lineagelens.receiver.state.db import transaction
from lineagelens.receiver.state.tables import alert_rules, source_checks
from tests.receiver.alerts.support import T0, alert_app, alerts, create, dataset, post, run
from tests.servers import http_server


def _backdate(app, rule_id: str) -> None:  # type: ignore[no-untyped-def]
    with transaction(services.get(app).engine) as conn:
        conn.execute(alert_rules.update().where(alert_rules.c.id == rule_id).values(created_at=T0 - timedelta(days=2)))
    alerts(app).rules.invalidate()


def test_last_deadline_follows_the_time_zone() -> None:
    previous, due = last_deadline("0 6 * * *", "Europe/Paris", T0.replace(hour=12))
    assert due.isoformat() == "2026-03-02T05:00:00+00:00" and previous == due - timedelta(days=1)


def test_a_deadline_missed_fires_once_and_a_completion_resolves_it(tmp_path: Path) -> None:
    with http_server({"/hook": (200, {})}) as server:
        app = alert_app(tmp_path)
        client = app.test_client()
        hook = create(client, "/api/v1/channels", {"name": "h", "kind": "webhook",
                                                   "config": {"url": f"{server.url}/hook"}})
        post(client, run("daily_load", "COMPLETE", start=T0 - timedelta(days=1, hours=3)))
        rule = create(client, "/api/v1/alert-rules", {"name": "by 7", "type": "deadline", "channelIds": [hook["id"]],
                                                      "params": {"cron": "0 7 * * *", "timezone": "UTC"},
                                                      "scope": {"jobs": ["daily_*"]}})
        _backdate(app, rule["id"])
        a = alerts(app)
        a.set_clock(lambda: T0.replace(hour=9))
        assert a.scheduler.tick(T0 - timedelta(days=1, hours=-2)) == 0  # yesterday 07:00 met (done at 05:00)
        assert a.scheduler.tick(T0.replace(hour=7, minute=1)) == 1  # today 07:00: nothing completed since
        assert a.scheduler.tick(T0.replace(hour=7, minute=2)) == 0  # the same deadline is evaluated once
        a.run_pending()
        incidents = client.get("/api/v1/incidents").get_json()["incidents"]
        assert len(incidents) == 1 and incidents[0]["rootNodeId"] == "job:etl:daily_load"
        assert len(server.requests) == 1
        post(client, run("daily_load", "COMPLETE", start=T0.replace(hour=7, minute=30)))
        a.run_pending()
        assert client.get("/api/v1/incidents").get_json()["incidents"][0]["state"] == "resolved"
        assert [r.json()["event"] for r in server.requests] == ["opened", "resolved"]
        sla = client.get(f"/api/v1/sla?nodeId={quote('job:etl:daily_load')}").get_json()
        assert sla["last7d"]["evaluations"] == 2 and sla["last7d"]["onTimePercent"] == 50.0
        assert sla["currentStreak"] == {"met": False, "count": 1}
        assert sla["lastMiss"]["dueAt"].startswith("2026-03-02T07:00:00")


def test_a_stale_dataset_fires_once_and_fresh_again_resolves(tmp_path: Path) -> None:
    app = alert_app(tmp_path)
    client = app.test_client()
    post(client, run("loader", "COMPLETE", outputs=[dataset("raw.events")], start=T0))
    rule = create(client, "/api/v1/alert-rules", {"name": "fresh", "type": "freshness",
                                                  "params": {"maxAgeMinutes": 60}, "scope": {"datasets": ["raw.*"]}})
    _backdate(app, rule["id"])
    a = alerts(app)
    a.set_clock(lambda: T0 + timedelta(hours=3))
    assert a.scheduler.tick(T0 + timedelta(minutes=50)) == 0
    assert a.scheduler.tick(T0 + timedelta(minutes=70)) == 1
    a.scheduler.tick(T0 + timedelta(minutes=90))  # still stale: the same episode, no new incident
    found = client.get("/api/v1/incidents").get_json()["incidents"]
    assert len(found) == 1 and found[0]["rootNodeId"] == "dataset:postgres://db:5432:raw.events"
    post(client, run("loader", "COMPLETE", outputs=[dataset("raw.events")], start=T0 + timedelta(minutes=100)))
    a.run_pending()
    assert client.get("/api/v1/incidents").get_json()["incidents"][0]["state"] == "resolved"
    sla = client.get(f"/api/v1/sla?nodeId={quote('dataset:postgres://db:5432:raw.events')}").get_json()
    # one evaluation per window-sized bucket (08:00 fresh, 09:00 stale: the 09:30 tick is the same bucket)
    assert sla["last30d"]["evaluations"] == 2 and sla["last30d"]["met"] == 1


def test_a_source_unhealthy_for_n_checks_fires(tmp_path: Path) -> None:
    app = alert_app(tmp_path)
    client = app.test_client()
    source = create(client, "/api/v1/sources", {"kind": "postgres", "name": "warehouse",
                                                "config": {"host": "db.example", "port": 5432, "database": "w"}})
    create(client, "/api/v1/alert-rules", {"name": "down", "type": "source_unhealthy", "params": {"checks": 3}})
    engine = services.get(app).engine
    a = alerts(app)

    def check(ok: bool, minute: int) -> None:
        with transaction(engine) as conn:
            conn.execute(source_checks.insert().values(source_id=source["id"], ok=ok, message="refused", latency_ms=1.0,
                                                       details={}, checked_at=T0 + timedelta(minutes=minute)))

    for minute in (1, 2):
        check(False, minute)
    assert a.scheduler.tick(T0 + timedelta(minutes=3)) == 0
    check(False, 3)
    assert a.scheduler.tick(T0 + timedelta(minutes=4)) == 1
    check(True, 5)
    a.scheduler.tick(T0 + timedelta(minutes=6))
    found = client.get("/api/v1/incidents").get_json()["incidents"]
    assert len(found) == 1 and found[0]["state"] == "resolved" and found[0]["rootNodeId"] == f"source:{source['id']}"
    with engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(source_checks)) == 4
