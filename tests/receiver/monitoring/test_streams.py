"""The live streams over a real WebSocket connection to a real receiver (``lineagelens serve``, SQLite)."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed, ConnectionClosedError

from tests.integrations.support import Receiver, http
from tests.receiver.monitoring.support import (
    is_run,
    new_run,
    open_stream,
    output,
    post,
    read,
    read_until,
    run_event,
    slow_stream,
)


@pytest.fixture(scope="module")
def receiver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Receiver]:
    workdir = tmp_path_factory.mktemp("live")
    (workdir / "landing").mkdir()
    found = Receiver(workdir, settings={"MONITORING_KEEP_ROWS": "40", "FILESYSTEM_ROOTS": str(workdir)}).start()
    yield found
    found.stop()


def test_a_stream_starts_with_a_snapshot_then_sends_the_start_and_the_fail_of_a_run(receiver: Receiver) -> None:
    run = new_run()
    with open_stream(receiver, "/ws/events", key=receiver.read_key) as ws:
        first = read(ws)
        assert first["type"] == "snapshot" and first["payload"]["resync"] is False
        assert isinstance(first["payload"]["nodes"], dict)
        post(receiver, run_event("START", run, job="snap"))
        started = read_until(ws, is_run(run, "START"))[-1]
        post(receiver, run_event("FAIL", run, job="snap", seconds=7, error="division by zero",
                                 outputs=[output("snap_out", rows=12, size=3400)]))
        failed = read_until(ws, is_run(run, "FAIL"))[-1]
    assert started["payload"]["jobId"] == "job:live:snap" and started["payload"]["error"] is None
    body = failed["payload"]
    assert body["error"]["message"] == "division by zero"
    assert (body["durationMs"], body["rows"], body["bytes"]) == (7000, 12, 3400)
    assert failed["seq"] > started["seq"] > first["seq"]
    # what the stream said is what a read returns
    runs = receiver.runs("live", "snap")
    assert [(r["id"], r["state"]) for r in runs] == [(run, "FAILED")] or runs[0]["state"] in {"FAIL", "FAILED"}


def test_the_snapshot_holds_the_status_a_read_returns(receiver: Receiver) -> None:
    run = new_run()
    post(receiver, run_event("START", run, job="snapshot_job"),
         run_event("COMPLETE", run, job="snapshot_job", seconds=3, outputs=[output("fresh", rows=5, size=50)]))
    receiver.settle()
    with open_stream(receiver, "/ws/events", key=receiver.read_key) as ws:
        nodes = read(ws)["payload"]["nodes"]
    job = nodes["job:live:snapshot_job"]
    assert (job["kind"], job["state"], job["runId"], job["rows"], job["bytes"]) == ("job", "COMPLETE", run, 5, 50)
    dataset = nodes["dataset:live:fresh"]
    assert (dataset["producedBy"], dataset["runId"], dataset["state"]) == ("job:live:snapshot_job", run, "COMPLETE")
    assert dataset["lastProducedAt"].startswith("2026-12-01T00:00:03")


def test_a_lineage_stream_covers_its_view_only(receiver: Receiver) -> None:
    inside, outside = new_run(), new_run()
    post(receiver, run_event("START", inside, job="view_job", inputs=[{"namespace": "live", "name": "view_in"}]))
    receiver.settle()
    query = urllib.parse.urlencode({"nodeId": "dataset:live:view_in", "depth": 2})
    with open_stream(receiver, f"/ws/lineage?{query}", key=receiver.read_key) as ws:
        snapshot = read(ws)
        assert set(snapshot["payload"]["nodes"]) == {"job:live:view_job", "dataset:live:view_in"}
        post(receiver, run_event("START", outside, job="elsewhere"))
        post(receiver, run_event("COMPLETE", inside, job="view_job", seconds=2,
                                 outputs=[output("view_out", rows=1, size=1)]))
        seen = read_until(ws, is_run(inside, "COMPLETE"))
        grown = read_until(ws, lambda m: m["type"] == "node.status")
    assert all(m["payload"].get("jobId") != "job:live:elsewhere" for m in seen + grown)
    changed = [m for m in seen + grown if m["type"] == "graph.changed"]
    assert any("dataset:live:view_out" in m["payload"]["nodes"] for m in changed)
    assert grown[-1]["payload"]["nodeId"] == "dataset:live:view_out"


def test_resuming_with_since_replays_what_was_missed(receiver: Receiver) -> None:
    with open_stream(receiver, "/ws/events", key=receiver.read_key) as ws:
        seq = read(ws)["seq"]
    run = new_run()
    post(receiver, run_event("START", run, job="resumed"), run_event("FAIL", run, job="resumed", seconds=1,
                                                                      error="lost connection"))
    receiver.settle()
    with open_stream(receiver, f"/ws/events?since={seq}", key=receiver.read_key) as ws:
        replayed = read_until(ws, is_run(run, "FAIL"))
    assert replayed[0]["type"] != "snapshot"
    assert all(m["seq"] > seq for m in replayed)
    assert replayed[-1]["payload"]["error"]["message"] == "lost connection"


def test_resuming_from_a_pruned_seq_gets_a_fresh_snapshot_marked_resync(receiver: Receiver) -> None:
    runs = [new_run() for _ in range(30)]  # more changes than MONITORING_KEEP_ROWS keeps
    post(receiver, *[run_event("START", r, job=f"prune_{i}") for i, r in enumerate(runs)])
    receiver.settle()
    with open_stream(receiver, "/ws/events", key=receiver.read_key) as ws:  # its listener prunes
        read(ws)
        post(receiver, *[run_event("COMPLETE", r, job=f"prune_{i}", seconds=1) for i, r in enumerate(runs)])
        read_until(ws, is_run(runs[-1], "COMPLETE"))
    with open_stream(receiver, "/ws/events?since=1", key=receiver.read_key) as ws:
        first = read(ws)
    assert first["type"] == "snapshot" and first["payload"]["resync"] is True
    assert first["payload"]["nodes"]["job:live:prune_0"]["state"] == "COMPLETE"


def test_a_subscribe_message_narrows_the_events_stream_and_answers_with_a_snapshot(receiver: Receiver) -> None:
    wanted, other = new_run(), new_run()
    with open_stream(receiver, "/ws/events", key=receiver.read_key) as ws:
        read(ws)
        ws.send(json.dumps({"type": "subscribe", "nodeIds": ["job:live:wanted"]}))
        snapshot = read_until(ws, lambda m: m["type"] == "snapshot")[-1]
        assert set(snapshot["payload"]["nodes"]) <= {"job:live:wanted"}
        post(receiver, run_event("START", other, job="unwanted"), run_event("START", wanted, job="wanted"))
        seen = read_until(ws, is_run(wanted, "START"))
    assert not any(m["type"] == "run.state" and m["payload"]["runId"] == other for m in seen)


def test_a_client_that_does_not_read_is_dropped_with_4408_while_another_keeps_receiving(tmp_path: Path) -> None:
    receiver = Receiver(tmp_path, settings={"MONITORING_SEND_BUFFER": "8192"}).start()
    try:
        with slow_stream(receiver, "/ws/events", key=receiver.read_key) as slow, \
                open_stream(receiver, "/ws/events", key=receiver.read_key) as fast:
            read(fast)
            runs = [new_run() for _ in range(2000)]  # ~700 kB of messages: more than the kernel buffers hold
            got: list[dict[str, Any]] = []
            reader = threading.Thread(target=lambda: got.extend(read_until(fast, is_run(runs[-1], "START"),
                                                                           timeout=120)))
            reader.start()
            for start in range(0, len(runs), 100):
                post(receiver, *[run_event("START", r, job=f"flood_{start + i}")
                                 for i, r in enumerate(runs[start:start + 100])])
            reader.join(150)
            assert {m["payload"]["runId"] for m in got if m["type"] == "run.state"} >= set(runs)
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    slow.recv(timeout=30)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4408
    finally:
        receiver.stop()


@pytest.mark.parametrize("path", ["/ws/events", "/ws/lineage?nodeId=dataset:live:x", "/ws/monitoring/some-id"])
def test_every_stream_closes_with_4401_without_a_credential(receiver: Receiver, path: str) -> None:
    with pytest.raises(ConnectionClosedError) as closed, open_stream(receiver, path) as ws:
        ws.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


def test_an_ingest_key_is_closed_with_4403_and_an_unknown_dashboard_with_4404(receiver: Receiver) -> None:
    with pytest.raises(ConnectionClosedError) as closed, open_stream(receiver, "/ws/events",
                                                                     key=receiver.ingest_key) as ws:
        ws.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
    with pytest.raises(ConnectionClosedError) as closed, open_stream(receiver, "/ws/monitoring/no-such-dashboard",
                                                                     key=receiver.read_key) as ws:
        ws.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4404


def test_a_dashboard_stream_covers_the_dashboard_nodes(receiver: Receiver) -> None:
    run = new_run()
    post(receiver, run_event("START", run, job="on_board"))
    receiver.settle()
    doc = {"name": "live board", "nodes": [{"id": "n1", "ref": {"kind": "job", "id": "job:live:on_board"},
                                           "position": {"x": 0, "y": 0}}]}
    status, _, body = http("POST", f"{receiver.url}/api/v1/dashboards", body=json.dumps(doc).encode(),
                           headers={**receiver.auth(), "Content-Type": "application/json"})
    assert status == 201, body
    board = json.loads(body)["id"]
    with open_stream(receiver, f"/ws/monitoring/{board}", key=receiver.read_key) as ws:
        snapshot = read(ws)
        assert snapshot["payload"]["nodes"]["job:live:on_board"]["state"] == "START"
        post(receiver, run_event("START", new_run(), job="off_board"), run_event("FAIL", run, job="on_board",
                                                                                 seconds=4, error="disk full"))
        seen = read_until(ws, is_run(run, "FAIL"))
    assert all(m["payload"].get("jobId") in (None, "job:live:on_board") for m in seen)


def test_a_plain_get_of_a_stream_answers_426(receiver: Receiver) -> None:
    status, _, body = http("GET", f"{receiver.url}/ws/events", headers=receiver.auth(receiver.read_key))
    assert status == 426 and json.loads(body)["code"] == "upgrade_required"


def test_an_on_demand_check_is_health_history_and_its_transition_is_pushed(receiver: Receiver) -> None:
    body = {"kind": "filesystem", "name": "landing zone", "checkIntervalSeconds": 3600,
            "config": {"scheme": "file", "path": str(receiver.workdir / "landing")}}
    status, _, answer = http("POST", f"{receiver.url}/api/v1/sources", body=json.dumps(body).encode(),
                             headers={**receiver.auth(), "Content-Type": "application/json"})
    assert status == 201, answer
    created = json.loads(answer)
    assert created["checkIntervalSeconds"] == 3600
    source = created["id"]
    with open_stream(receiver, "/ws/events", key=receiver.read_key) as ws:
        snapshot = read(ws)
        assert snapshot["payload"]["nodes"][f"source:{source}"]["health"] in {"unknown", "healthy"}
        status, _, answer = http("POST", f"{receiver.url}/api/v1/sources/{source}/test", headers=receiver.auth())
        assert status == 200 and json.loads(answer)["ok"] is True, answer
        pushed = read_until(ws, lambda m: m["type"] == "source.health")[-1]["payload"]
    assert (pushed["nodeId"], pushed["sourceId"], pushed["health"]) == (f"source:{source}", source, "healthy")
    status, _, answer = http("GET", f"{receiver.url}/api/v1/sources/{source}/health",
                             headers=receiver.auth(receiver.read_key))
    history = json.loads(answer)
    assert status == 200 and history["total"] >= 1
    assert history["checks"][0]["status"] == "healthy" and history["checks"][0]["checkedAt"] == pushed["checkedAt"]
    status, _, answer = http("GET", f"{receiver.url}/api/v1/sources/{source}/health?since=2999-01-01T00:00:00Z",
                             headers=receiver.auth(receiver.read_key))
    assert json.loads(answer) == {"checks": [], "total": 0}
