"""``lineagelens serve`` projects in a background process beside its HTTP workers (receiver/server.py,
receiver/background_process.py): the workers run the API only, the master keeps the background process running,
and a stop stops both. Real processes on the embedded default."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

from tests.factories import chain_events
from tests.integrations.support import Receiver, http
from tests.receiver.alerts.support import run
from tests.servers import HttpServer, http_server

BACKGROUND = "lineagelens.receiver.background_process"


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _cmdline(pid: int) -> str:
    return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()


def _environ(pid: int) -> dict[str, str]:
    pairs = (Path("/proc") / str(pid) / "environ").read_bytes().split(b"\0")
    return dict(p.decode().split("=", 1) for p in pairs if b"=" in p)


def _background(master: int, *, not_pid: int = 0, timeout: float = 30.0) -> int:
    deadline = time.monotonic() + timeout
    while True:
        for pid in _children(master):
            try:
                if BACKGROUND in _cmdline(pid) and pid != not_pid:
                    return pid
            except OSError:
                continue
        assert time.monotonic() < deadline, "no background process"
        time.sleep(0.2)


def _post(receiver: Receiver, events: list[dict[str, Any]]) -> None:
    status, _, body = http("POST", f"{receiver.url}/api/v1/lineage/batch", body=json.dumps(events).encode(),
                           headers={**receiver.auth(receiver.ingest_key), "Content-Type": "application/json"})
    assert status in (200, 201), body[:300]


def _names(events: list[dict[str, Any]]) -> int:
    return len({(d["namespace"], d["name"]) for e in events for d in [*e["inputs"], *e["outputs"]]})


def _datasets(receiver: Receiver) -> int:
    status, _, body = http("GET", f"{receiver.url}/api/v1/browse/datasets?limit=1", headers=receiver.auth())
    assert status == 200, body[:300]
    return int(json.loads(body)["totalCount"])


def _metrics(receiver: Receiver) -> dict[str, float]:
    status, _, body = http("GET", f"{receiver.url}/metrics", headers=receiver.auth())
    assert status == 200, body[:300]
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in body.decode().splitlines()
            if line and not line.startswith("#")}


def test_serve_answers_in_api_workers_and_projects_in_one_background_process(tmp_path: Path) -> None:
    receiver = Receiver(tmp_path / "r").start()
    try:
        assert receiver.proc is not None
        background = _background(receiver.proc.pid)
        workers = [pid for pid in _children(receiver.proc.pid) if pid != background]
        assert len(workers) == 1
        env = _environ(background)  # exec'd by the master with the serve's settings
        assert env["LINEAGELENS_ROLE"] == "api"  # the workers'; the background process overrides it
        serve_dir = Path(env["LINEAGELENS_SERVE_DIR"])
        assert oct(serve_dir.stat().st_mode & 0o777) == "0o700"
        wake_dir = serve_dir / "wake"
        # who listens for what: committed events, projected batches, merge rules and queued notifications wake
        # the background process only (the worker projects, evaluates, applies and delivers nothing by itself);
        # change-feed rows wake both (live monitoring streams are served by the worker)
        expected = sorted([f"{background}.eimnp.sock", f"{workers[0]}.m.sock"])
        deadline = time.monotonic() + 30  # the background process may still be starting
        while sorted(p.name for p in wake_dir.iterdir()) != expected and time.monotonic() < deadline:
            time.sleep(0.1)
        assert sorted(p.name for p in wake_dir.iterdir()) == expected

        events = chain_events(2, jobs=5)
        _post(receiver, events)  # answered at the commit, projected by the background process
        receiver.settle()
        assert _datasets(receiver) == _names(events) > 0
        # /metrics (answered by the worker) sums both processes: the worker's ingest, the background's projection
        metrics = _metrics(receiver)
        assert metrics['lineagelens_events_total{kind="run",outcome="accepted"}'] == len(events)
        assert metrics["lineagelens_projected_events_total"] == len(events)
        assert metrics["lineagelens_projection_backlog"] == 0
        # the worker does not know the projector's retry backoff: it says so rather than a made-up 0
        ready = json.loads(http("GET", f"{receiver.url}/readyz")[2])
        assert ready["checks"]["projection"] == {"backlog": 0, "retryInSeconds": None}
    finally:
        receiver.stop()
    assert not serve_dir.exists()  # the master removes the folder when it stops
    assert not (Path("/proc") / str(background)).exists()  # and stops the background process with the workers


def test_a_background_process_that_dies_is_started_again_and_projects_what_was_sent_meanwhile(
        tmp_path: Path) -> None:
    receiver = Receiver(tmp_path / "r").start()
    try:
        assert receiver.proc is not None
        first = _background(receiver.proc.pid)
        os.kill(first, signal.SIGKILL)
        events = chain_events(3, jobs=3)
        _post(receiver, events)  # acknowledged while nothing projects
        second = _background(receiver.proc.pid, not_pid=first)
        assert second != first
        receiver.settle()
        assert _datasets(receiver) == _names(events) > 0
        log = (receiver.workdir / "receiver.log").read_text()
        assert f"Background process {first} exited with status -9: starting it again" in log
    finally:
        receiver.stop()


def test_a_request_that_waits_for_the_graph_is_answered_projected_by_an_api_worker(tmp_path: Path) -> None:
    receiver = Receiver(tmp_path / "r").start()
    try:
        event = chain_events(1, jobs=1)[0]
        status, headers, body = http("POST", f"{receiver.url}/api/v1/lineage", body=json.dumps(event).encode(),
                                     headers={**receiver.auth(receiver.ingest_key), "Prefer": "wait=projected",
                                              "Content-Type": "application/json"})
        assert status == 201 and json.loads(body)["projected"] is True
        assert headers["Preference-Applied"] == "wait=projected"
    finally:
        receiver.stop()


def _call(receiver: Receiver, method: str, path: str, body: Any = None, **headers: str) -> Any:
    status, _, answer = http(method, f"{receiver.url}{path}", body=json.dumps(body).encode() if body else None,
                             headers={**receiver.auth(), "Content-Type": "application/json", **headers})
    assert 200 <= status < 300, answer[:500]
    return json.loads(answer) if answer else None


def _received(hook: HttpServer, event: str, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        found = [r.json() for r in hook.requests if r.json().get("event") == event]
        if found:
            return found[0]
        assert time.monotonic() < deadline, f"no {event!r} notification"
        time.sleep(0.1)


def test_alerting_asked_for_in_an_api_worker_happens_at_once_in_the_background_process(tmp_path: Path) -> None:
    # The rule and the resolve are stored by the HTTP worker, which also projects the FAIL its request waits
    # for; evaluation and delivery run in the background process, polling only every 600 s here: the rule
    # must apply to the very next event, evaluated and delivered on the wakes the worker sends, not on a poll.
    settings = {"SOURCE_ALLOW_NETWORKS": "127.0.0.0/8", "ALERT_POLL_SECONDS": "600"}
    receiver = Receiver(tmp_path / "r", settings=settings).start()
    try:
        with http_server({"/hook": (200, {})}) as hook:
            channel = _call(receiver, "POST", "/api/v1/channels", {"name": "hook", "kind": "webhook",
                                                                   "config": {"url": f"{hook.url}/hook"}})
            _call(receiver, "POST", "/api/v1/alert-rules", {"name": "load failed", "type": "job_failed",
                                                            "channelIds": [channel["id"]], "scope": {"jobs": ["load"]}})
            start, fail = run("load", "FAIL", error="disk full")
            _call(receiver, "POST", "/api/v1/lineage", start)
            _call(receiver, "POST", "/api/v1/lineage", fail, Prefer="wait=projected")
            opened = _received(hook, "opened")["incident"]
            assert opened["rootNodeId"] == "job:etl:load"
            _call(receiver, "POST", f"/api/v1/incidents/{opened['id']}/resolve")
            assert _received(hook, "resolved")["incident"]["id"] == opened["id"]
    finally:
        receiver.stop()
