"""Locust load test of live monitoring: WebSocket users watching ``/ws/events`` and ingest users posting
OpenLineage events, against a running receiver.

    LOCUST_READ_KEY=ll_... LOCUST_INGEST_KEY=ll_... flock /tmp/lineagelens-bench.lock \\
        .venv/bin/locust -f bench/locustfile.py --headless -H http://127.0.0.1:5000 -u 200 -r 50 -t 2m

A WebSocket user (the ``websocket-client`` library Locust installs, on gevent) connects, reads its snapshot
and then reports every ``run.state`` it receives as a Locust request named ``ws run.state`` whose response
time is the event-POST -> client latency (the posting user puts its send time in the job name). Ingest users
post START events at ``LOCUST_INGEST_WAIT`` seconds apart each. Keys come from ``lineagelens apikey create``
(``--scope read`` and ``--scope ingest``). Only 127.0.0.1 targets are meant.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import gevent
import websocket
from locust import HttpUser, User, between, events, task

log = logging.getLogger(__name__)

READ_KEY = os.environ.get("LOCUST_READ_KEY", "")
INGEST_KEY = os.environ.get("LOCUST_INGEST_KEY", "")
INGEST_WAIT = float(os.environ.get("LOCUST_INGEST_WAIT", "1.0"))


def _event(sent_ms: int) -> dict[str, Any]:
    return {"eventType": "START", "eventTime": datetime.now(UTC).isoformat(), "producer": "bench.locustfile",
            "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/definitions/RunEvent",
            "run": {"runId": str(uuid.uuid4())}, "job": {"namespace": "locust", "name": f"job_{sent_ms}"},
            "inputs": [], "outputs": []}


class IngestUser(HttpUser):
    """Posts one START event at a time; the job name carries the send time (ms since the epoch)."""

    weight = 1
    wait_time = between(INGEST_WAIT * 0.5, INGEST_WAIT * 1.5)

    @task
    def post_event(self) -> None:
        self.client.post("/api/v1/lineage", json=_event(int(time.time() * 1000)), name="POST /api/v1/lineage",
                         headers={"Authorization": f"Bearer {INGEST_KEY}"})


class WebSocketUser(User):
    """Holds one ``/ws/events`` stream and records each ``run.state`` with its POST -> client latency."""

    weight = 10

    def on_start(self) -> None:
        url = self.host.replace("http://", "ws://").replace("https://", "wss://") + "/ws/events"
        started = time.perf_counter()
        self.ws = websocket.create_connection(url, header=[f"Authorization: Bearer {READ_KEY}"], timeout=30)
        first = json.loads(self.ws.recv())
        events.request.fire(request_type="WS", name="connect+snapshot", response_length=len(str(first)),
                            response_time=(time.perf_counter() - started) * 1000, exception=None)
        self.reader = gevent.spawn(self._read)

    def _read(self) -> None:
        while True:
            try:
                raw = self.ws.recv()
            except websocket.WebSocketConnectionClosedException as exc:
                events.request.fire(request_type="WS", name="closed", response_time=0, response_length=0,
                                    exception=exc)
                return
            except websocket.WebSocketTimeoutException:
                continue
            now_ms = time.time() * 1000
            message = json.loads(raw)
            if message["type"] != "run.state":
                continue
            job = message["payload"]["jobId"].rsplit("_", 1)[-1]
            if job.isdigit():
                events.request.fire(request_type="WS", name="ws run.state", response_length=len(raw),
                                    response_time=now_ms - int(job), exception=None)

    @task
    def idle(self) -> None:
        gevent.sleep(1.0)

    def on_stop(self) -> None:
        self.reader.kill()
        self.ws.close()
