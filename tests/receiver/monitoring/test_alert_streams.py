"""alert.* messages go through the change feed: two receiver processes on one SQLite file stand for two
receivers; only the first evaluates rules, yet a stream client of the second gets the incident's messages,
with the payload the incident service makes, and a client resuming with ``since=`` gets them replayed
(with the state each message had when it was sent, not the incident's state now)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.sync.client import ClientConnection

from tests.integrations.support import Receiver, http
from tests.receiver.monitoring.support import is_run, new_run, open_stream, post, read, read_until, run_event

ALERT_KEYS = {"incidentId", "rootNodeId", "state", "title", "severity", "impactedNodeIds"}


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Receiver, Receiver]]:
    workdir = tmp_path_factory.mktemp("alert-streams")
    shared = {"DATABASE_URL": f"sqlite:///{workdir}/shared.db", "MONITORING_POLL": "0.2",
              "ALERT_POLL_SECONDS": "0.5", "SECRET_KEY": "lineagelens-live-tests-master-key-0123456789"}
    evaluating = Receiver(workdir / "a", settings=shared).start()
    try:
        # the second receiver never evaluates a rule: whatever alert its clients get came from the first one
        other = Receiver(workdir / "b", settings={**shared, "ALERTS_ENABLED": "false"},
                         admin_key=evaluating.admin_key, ingest_key=evaluating.ingest_key,
                         read_key=evaluating.read_key).start()
    except Exception:
        evaluating.stop()
        raise
    yield evaluating, other
    other.stop()
    evaluating.stop()


def _call(receiver: Receiver, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    status, _, answer = http(method, f"{receiver.url}{path}", body=json.dumps(body or {}).encode(),
                             headers={**receiver.auth(), "Content-Type": "application/json"})
    assert status in (200, 201), answer[:500]
    return json.loads(answer)


def _is_alert(kind: str, root: str) -> Any:
    return lambda m: m["type"] == kind and m["payload"]["rootNodeId"] == root


def _alerts(ws: ClientConnection, until: Any) -> list[dict[str, Any]]:
    return [m for m in read_until(ws, until) if m["type"].startswith("alert.")]


def _expected(incident: dict[str, Any], state: str) -> dict[str, Any]:
    """The payload the incident service publishes for ``incident`` (read back with the REST API)."""
    return {"incidentId": incident["id"], "rootNodeId": incident["rootNodeId"], "state": state,
            "title": incident["title"], "severity": incident["severity"],
            "impactedNodeIds": incident["impact"]["nodeIds"]}


def test_an_alert_raised_on_one_receiver_reaches_the_streams_of_another_and_is_replayed_with_since(
        pair: tuple[Receiver, Receiver]) -> None:
    evaluating, other = pair
    _call(evaluating, "POST", "/api/v1/alert-rules", {"name": "alerting failed", "type": "job_failed",
                                                     "scope": {"jobs": ["alerting"]}})
    root = "job:live:alerting"
    run, unrelated = new_run(), new_run()
    with open_stream(other, "/ws/events", key=other.read_key) as everything, \
            open_stream(other, "/ws/events", key=other.read_key) as impacted, \
            open_stream(other, "/ws/events", key=other.read_key) as elsewhere:
        before = read(everything)["seq"]
        for ws, nodes in ((impacted, ["dataset:live:alerting_out"]), (elsewhere, ["job:live:bystander"])):
            read(ws)
            ws.send(json.dumps({"type": "subscribe", "nodeIds": nodes}))
            read_until(ws, lambda m: m["type"] == "snapshot")
        post(evaluating, run_event("START", run, job="alerting"),
             run_event("FAIL", run, job="alerting", seconds=5, error="disk full",
                       outputs=[{"namespace": "live", "name": "alerting_out"}]))
        opened = _alerts(everything, _is_alert("alert.opened", root))[-1]
        assert _alerts(impacted, _is_alert("alert.opened", root))[-1] == opened  # for the impacted dataset too

        incident = evaluating.get(f"/api/v1/incidents/{opened['payload']['incidentId']}")
        assert set(opened["payload"]) == ALERT_KEYS
        assert opened["payload"] == _expected(incident, "open")
        assert "dataset:live:alerting_out" in opened["payload"]["impactedNodeIds"]
        assert opened["seq"] > before

        _call(evaluating, "POST", f"/api/v1/incidents/{incident['id']}/ack")
        acked = _alerts(everything, _is_alert("alert.updated", root))[-1]
        _call(evaluating, "POST", f"/api/v1/incidents/{incident['id']}/resolve")
        resolved = _alerts(everything, _is_alert("alert.resolved", root))[-1]
        assert acked["payload"] == _expected(incident, "acknowledged")
        assert resolved["payload"] == _expected(incident, "resolved")
        assert opened["seq"] < acked["seq"] < resolved["seq"]

        # a stream covering neither the root nor its impact gets none of it
        post(evaluating, run_event("START", unrelated, job="bystander"))
        seen = read_until(elsewhere, is_run(unrelated, "START"))
        assert not any(m["type"].startswith("alert.") for m in seen)

    # a client of the second receiver resuming after `before` gets the three messages again, as they were sent
    with open_stream(other, f"/ws/events?since={before}", key=other.read_key) as resumed:
        replayed = _alerts(resumed, lambda m: m["seq"] >= resolved["seq"])
    strip = [{k: m[k] for k in ("type", "seq", "payload")} for m in (opened, acked, resolved)]
    assert [{k: m[k] for k in ("type", "seq", "payload")} for m in replayed if m["payload"]["rootNodeId"] == root
            ] == strip
