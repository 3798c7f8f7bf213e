"""The scenario of issue 12: a three-level pipeline whose root job fails, then a downstream job, then the
root recovers — against real local HTTP servers standing in for Slack, Teams, PagerDuty and a webhook."""

from __future__ import annotations

from pathlib import Path

from lineagelens.plugins.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from tests.receiver.alerts.support import T0, alert_app, alerts, create, dataset, post, run
from tests.servers import http_server

SECRET = "webhook-signing-secret-for-tests"


def _pipeline_run(client, job: str, state: str, minutes: int, error: str | None = None) -> None:  # type: ignore[no-untyped-def]
    levels = {"extract": ("raw.orders", "staging.orders"), "transform": ("staging.orders", "mart.orders"),
              "report": ("mart.orders", "report.daily")}
    owners = {"raw.orders": ("team:ingest",), "staging.orders": ("team:platform",),
              "mart.orders": ("team:analytics",), "report.daily": ("team:finance",)}
    src, dst = levels[job]
    post(client, run(job, state, inputs=[dataset(src, owners=owners[src])],
                     outputs=[dataset(dst, owners=owners[dst])], start=T0.replace(minute=minutes), error=error))


def test_one_incident_per_root_cause_attached_downstream_and_one_resolve(tmp_path: Path) -> None:
    routes = {"/slack": (200, "ok"), "/teams": (200, {}), "/pd": (202, {"status": "success"}),
              "/hook": (204, {})}
    with http_server(routes) as server:
        app = alert_app(tmp_path)
        client = app.test_client()
        # first a healthy pipeline, so the graph knows every level
        for i, job in enumerate(("extract", "transform", "report")):
            _pipeline_run(client, job, "COMPLETE", i)
        channels = [
            create(client, "/api/v1/channels", {"name": "slack", "kind": "slack",
                                                "config": {"url": f"{server.url}/slack"}}),
            create(client, "/api/v1/channels", {"name": "teams", "kind": "teams",
                                                "config": {"url": f"{server.url}/teams"}}),
            create(client, "/api/v1/channels", {"name": "pd", "kind": "pagerduty", "config": {
                "routingKey": "R0UTINGKEY", "eventsUrl": f"{server.url}/pd"}}),
            create(client, "/api/v1/channels", {"name": "hook", "kind": "webhook", "config": {
                "url": f"{server.url}/hook", "signingSecret": SECRET}}),
        ]
        analytics = create(client, "/api/v1/channels", {"name": "analytics-hook", "kind": "webhook",
                                                        "owners": ["team:analytics"],
                                                        "config": {"url": f"{server.url}/hook"}})
        create(client, "/api/v1/alert-rules", {"name": "any job failed", "type": "job_failed",
                                               "channelIds": [c["id"] for c in channels]})
        a = alerts(app)

        _pipeline_run(client, "extract", "FAIL", 10, error="disk full")
        a.run_pending()
        incidents = client.get("/api/v1/incidents").get_json()
        assert incidents["totalCount"] == 1
        incident = client.get(f"/api/v1/incidents/{incidents['incidents'][0]['id']}").get_json()
        assert incident["rootNodeId"] == "job:etl:extract" and incident["state"] == "open"
        impacted = {d["name"] for d in incident["impact"]["datasets"]}
        assert impacted == {"staging.orders", "mart.orders", "report.daily"}
        assert {j["name"] for j in incident["impact"]["jobs"]} == {"transform", "report"}
        assert {"team:platform", "team:analytics", "team:finance"} <= set(incident["owners"])
        by_name = {d["name"]: d["owners"] for d in incident["impact"]["datasets"]}
        assert by_name["mart.orders"] == ["team:analytics"]
        # one notification per channel: the rule's four and the analytics owners' channel
        paths = sorted(r.path for r in server.requests)
        assert paths == ["/hook", "/hook", "/pd", "/slack", "/teams"]
        slack = next(r for r in server.requests if r.path == "/slack").json()
        assert slack["blocks"][0]["type"] == "header" and "extract" in slack["text"]
        assert any("mart.orders" in b.get("text", {}).get("text", "") for b in slack["blocks"])
        teams = next(r for r in server.requests if r.path == "/teams").json()
        card = teams["attachments"][0]
        assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
        assert card["content"]["type"] == "AdaptiveCard"
        pd = next(r for r in server.requests if r.path == "/pd").json()
        assert pd["event_action"] == "trigger" and pd["routing_key"] == "R0UTINGKEY"
        dedup = pd["dedup_key"]
        assert dedup == f"lineagelens-incident-{incident['id']}"
        signed = [r for r in server.requests if r.path == "/hook" and SIGNATURE_HEADER in r.headers]
        assert len(signed) == 1
        hook = signed[0]
        assert verify(SECRET, hook.headers[TIMESTAMP_HEADER], hook.body, hook.headers[SIGNATURE_HEADER])
        assert not verify("another-secret", hook.headers[TIMESTAMP_HEADER], hook.body, hook.headers[SIGNATURE_HEADER])
        assert hook.json()["incident"]["rootNodeId"] == "job:etl:extract"
        log = client.get("/api/v1/notifications").get_json()
        assert log["totalCount"] == 5
        assert {n["status"] for n in log["notifications"]} == {"delivered"}
        assert {n["channelId"] for n in log["notifications"]} == {c["id"] for c in channels} | {analytics["id"]}

        # a downstream job fails: attached to the open incident, nobody notified again
        _pipeline_run(client, "transform", "FAIL", 20, error="upstream table empty")
        a.run_pending()
        assert client.get("/api/v1/incidents").get_json()["totalCount"] == 1
        detail = client.get(f"/api/v1/incidents/{incident['id']}").get_json()
        assert [x["nodeId"] for x in detail["attached"]] == ["job:etl:transform"]
        assert len(server.requests) == 5

        # the root succeeds: resolved, with one resolve notification per channel told of the opening
        _pipeline_run(client, "extract", "COMPLETE", 30)
        a.run_pending()
        detail = client.get(f"/api/v1/incidents/{incident['id']}").get_json()
        assert detail["state"] == "resolved" and detail["resolvedBy"].startswith("automatically")
        resolves = server.requests[5:]
        assert sorted(r.path for r in resolves) == ["/hook", "/hook", "/pd", "/slack", "/teams"]
        pd_resolve = next(r for r in resolves if r.path == "/pd").json()
        assert pd_resolve == {"routing_key": "R0UTINGKEY", "event_action": "resolve", "dedup_key": dedup}
        assert all(r.json()["event"] == "resolved" for r in resolves if r.path == "/hook")
        # nothing more is sent on a later pass
        a.run_pending()
        assert len(server.requests) == 10
