"""Incident changes are recorded in the change feed of the live streams (kind ``alert``), and every app on
the state database turns those rows into the very ``alert.*`` messages the incident service publishes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lineagelens.receiver import services
from lineagelens.receiver.monitoring.changes import ALERT
from tests.receiver.alerts.support import T0, alert_app, alerts, create, dataset, post, run


def _pipeline(client: Any, job: str, state: str, minutes: int) -> None:
    src, dst = {"extract": ("raw.orders", "staging.orders"), "transform": ("staging.orders", "mart.orders")}[job]
    post(client, run(job, state, inputs=[dataset(src)], outputs=[dataset(dst)], start=T0.replace(minute=minutes),
                     error="disk full" if state == "FAIL" else None))


def _stream(app: Any) -> list[tuple[str, int, dict[str, Any], frozenset[str]]]:
    monitor = services.get(app).monitor
    changes = monitor.feed.since(0, limit=10_000)
    return [(m.type, m.seq, m.payload, m.nodes) for m in monitor.reader.messages(changes)
            if m.type.startswith("alert.")]


def test_every_app_on_the_database_streams_the_alert_messages_the_incident_service_publishes(
        tmp_path: Path) -> None:
    app = alert_app(tmp_path)
    client = app.test_client()
    published: list[tuple[str, dict[str, Any]]] = []
    incidents = alerts(app).incidents
    wake = incidents.publish

    def capture(kind: str, payload: dict[str, Any]) -> None:  # what the old path sent to the hub
        published.append((kind, payload))
        if wake is not None:
            wake(kind, payload)

    incidents.publish = capture
    _pipeline(client, "extract", "COMPLETE", 0)
    _pipeline(client, "transform", "COMPLETE", 1)
    create(client, "/api/v1/alert-rules", {"name": "any job failed", "type": "job_failed"})
    _pipeline(client, "extract", "FAIL", 10)  # opens an incident on extract
    alerts(app).run_pending()
    _pipeline(client, "transform", "FAIL", 11)  # downstream of it: attached (updated)
    alerts(app).run_pending()
    incident = published[0][1]["incidentId"]
    assert client.post(f"/api/v1/incidents/{incident}/ack").status_code == 200
    _pipeline(client, "extract", "COMPLETE", 20)  # the root recovers: resolved
    alerts(app).run_pending()

    assert [k for k, _ in published] == ["alert.opened", "alert.updated", "alert.updated", "alert.resolved"]
    assert [p["state"] for _, p in published] == ["open", "open", "acknowledged", "resolved"]
    other = alert_app(tmp_path)  # a second receiver on the same database, which evaluated nothing
    for streamed in (_stream(app), _stream(other)):
        assert [(kind, payload) for kind, _, payload, _ in streamed] == published
        seqs = [seq for _, seq, _, _ in streamed]
        assert seqs == sorted(set(seqs))
        root = "job:etl:extract"
        assert all(nodes == frozenset([root, *payload["impactedNodeIds"]]) for _, _, payload, nodes in streamed)
        assert "job:etl:transform" in streamed[0][2]["impactedNodeIds"]


def test_alert_rows_make_no_message_where_alerting_is_not_wired(tmp_path: Path) -> None:
    app = alert_app(tmp_path)
    client = app.test_client()
    create(client, "/api/v1/alert-rules", {"name": "any job failed", "type": "job_failed"})
    _pipeline(client, "extract", "FAIL", 10)
    alerts(app).run_pending()
    monitor = services.get(app).monitor
    changes = monitor.feed.since(0, limit=10_000)
    assert [c.target for c in changes if c.kind == ALERT] == ["alert.opened"]
    monitor.reader.alert_payloads = None
    assert not [m for m in monitor.reader.messages(changes) if m.type.startswith("alert.")]
