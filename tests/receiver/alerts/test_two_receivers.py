"""Time-driven rules fire once across two real receivers sharing one PostgreSQL: both run the scheduler
thread, one holds the leader lock, and the firing keys and SLA rows are unique whatever happens."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import POSTGRES_URL, reset_postgres
from tests.integrations.support import Receiver, http
from tests.receiver.alerts.support import dataset, run
from tests.servers import http_server

pytestmark = pytest.mark.postgres

SETTINGS = {"DATABASE_URL": POSTGRES_URL, "SOURCE_ALLOW_NETWORKS": "127.0.0.0/8,::1/128",
            "SECRET_KEY": "two-receivers-shared-master-key", "ALERT_SCHEDULE_SECONDS": "0.5",
            "ALERT_POLL_SECONDS": "0.2", "ALERT_RETRY_BASE_SECONDS": "0.5"}


@pytest.fixture
def receivers(tmp_path: Path) -> Iterator[tuple[Receiver, Receiver]]:
    reset_postgres(POSTGRES_URL)
    first = Receiver(tmp_path / "a", settings=dict(SETTINGS)).start()
    second = Receiver(tmp_path / "b", settings=dict(SETTINGS))
    try:
        second.start()
        yield first, second
    finally:
        second.stop()
        first.stop()


def _post(receiver: Receiver, path: str, body: Any) -> Any:
    status, _, answer = http("POST", f"{receiver.url}{path}", body=json.dumps(body).encode(),
                             headers={**receiver.auth(), "Content-Type": "application/json"})
    assert status in (200, 201), answer[:500]
    return json.loads(answer) if answer else None


def test_a_freshness_and_a_deadline_rule_fire_once_across_two_receivers(receivers: tuple[Receiver, Receiver]) -> None:
    first, second = receivers
    with http_server({"/hook": (200, {})}) as server:
        now = datetime.now(UTC)
        for event in (run("loader", "COMPLETE", outputs=[dataset("raw.fresh")], start=now, seconds=0.1)
                      + run("nightly", "COMPLETE", outputs=[dataset("other.table")], start=now, seconds=0.1)):
            _post(second, "/api/v1/lineage", event)
        second.settle()
        hook = _post(first, "/api/v1/channels", {"name": "hook", "kind": "webhook",
                                                 "config": {"url": f"{server.url}/hook"}})
        _post(first, "/api/v1/alert-rules", {"name": "fresh", "type": "freshness", "channelIds": [hook["id"]],
                                             "params": {"maxAgeMinutes": 0.05}, "scope": {"datasets": ["raw.*"]}})
        _post(second, "/api/v1/alert-rules", {"name": "every 5 s", "type": "deadline", "channelIds": [hook["id"]],
                                              "params": {"cron": "* * * * * */5"}, "scope": {"jobs": ["nightly"]}})
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and len(server.requests) < 2:
            time.sleep(0.2)
        time.sleep(8)  # more deadlines pass and both schedulers keep ticking: nothing new may be sent

        incidents = first.get("/api/v1/incidents")["incidents"]
        assert sorted(i["ruleType"] for i in incidents) == ["deadline", "freshness"]
        by_type = {i["ruleType"]: i for i in incidents}
        assert by_type["freshness"]["rootNodeId"] == "dataset:postgres://db:5432:raw.fresh"
        assert by_type["deadline"]["rootNodeId"] == "job:etl:nightly"
        assert by_type["deadline"]["occurrences"] >= 2  # later missed deadlines count, they do not re-notify
        sent = [r.json() for r in server.requests]
        assert sorted(m["incident"]["ruleType"] for m in sent) == ["deadline", "freshness"]
        assert all(m["event"] == "opened" for m in sent)
        log = second.get("/api/v1/notifications")
        assert log["totalCount"] == 2 and {n["status"] for n in log["notifications"]} == {"delivered"}
        sla = second.get("/api/v1/sla", nodeId="job:etl:nightly")
        assert sla["last7d"]["evaluations"] >= 2 and sla["last7d"]["missed"] >= 1
