"""Helpers for the live-monitoring tests: OpenLineage events, posting them to a real receiver, and a real
WebSocket client (the ``websockets`` library) reading stream messages."""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from websockets.sync.client import ClientConnection, connect

from tests.integrations.support import Receiver, http

PRODUCER = "https://github.com/lineagelens/tests"
RUN_SCHEMA = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/definitions/RunEvent"
T0 = datetime(2026, 12, 1, tzinfo=UTC)


def run_event(event_type: str, run_id: str, *, job: str = "load", namespace: str = "live", seconds: int = 0,
              error: str | None = None, outputs: list[dict[str, Any]] | None = None,
              inputs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    facets: dict[str, Any] = {}
    if error:
        facets["errorMessage"] = {"_producer": PRODUCER, "message": error, "programmingLanguage": "python",
                                  "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json"}
    return {"eventType": event_type, "eventTime": (T0 + timedelta(seconds=seconds)).isoformat(),
            "run": {"runId": run_id, "facets": facets}, "job": {"namespace": namespace, "name": job},
            "inputs": inputs or [], "outputs": outputs or [], "producer": PRODUCER, "schemaURL": RUN_SCHEMA}


def output(name: str, *, rows: int, size: int, namespace: str = "live") -> dict[str, Any]:
    return {"namespace": namespace, "name": name, "outputFacets": {"outputStatistics": {
        "_producer": PRODUCER, "rowCount": rows, "size": size,
        "_schemaURL": "https://openlineage.io/spec/facets/1-0-2/OutputStatisticsOutputDatasetFacet.json"}}}


def new_run() -> str:
    return str(uuid.uuid4())


def post(receiver: Receiver, *events: dict[str, Any]) -> None:
    body = json.dumps(events[0] if len(events) == 1 else list(events)).encode()
    status, _, answer = http("POST", f"{receiver.url}/api/v1/lineage", body=body,
                             headers={**receiver.auth(receiver.ingest_key), "Content-Type": "application/json"})
    assert status in (200, 201), answer[:500]


def ws_url(receiver: Receiver, path: str) -> str:
    return f"ws://127.0.0.1:{receiver.port}{path}"


def open_stream(receiver: Receiver, path: str, *, key: str | None = None, **kwargs: Any) -> ClientConnection:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return connect(ws_url(receiver, path), additional_headers=headers, open_timeout=10, **kwargs)


def slow_stream(receiver: Receiver, path: str, *, key: str) -> ClientConnection:
    """A client that stops reading: a tiny receive buffer, and the library reads no further than one frame
    ahead of the application (which never asks)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", receiver.port))
    return connect(ws_url(receiver, path), sock=sock, additional_headers={"Authorization": f"Bearer {key}"},
                   max_queue=1, open_timeout=10)


def read(ws: ClientConnection, timeout: float = 10.0) -> dict[str, Any]:
    message = json.loads(ws.recv(timeout=timeout))
    assert set(message) == {"type", "seq", "ts", "payload"}, message
    return dict(message)


def read_until(ws: ClientConnection, done: Callable[[dict[str, Any]], bool], *, timeout: float = 15.0,
               ) -> list[dict[str, Any]]:
    """Every message up to and including the first one ``done`` accepts."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        assert left > 0, f"no matching message within {timeout} s; got {[m['type'] for m in seen]}"
        message = read(ws, timeout=left)
        if message["type"] == "heartbeat":
            continue
        seen.append(message)
        if done(message):
            return seen


def is_run(run_id: str, state: str) -> Callable[[dict[str, Any]], bool]:
    return lambda m: m["type"] == "run.state" and m["payload"]["runId"] == run_id and m["payload"]["state"] == state
