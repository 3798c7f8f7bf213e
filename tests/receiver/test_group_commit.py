"""Inline projection with the worker running: concurrent requests share projection passes, and each
answer comes after its own event is in the graph (read your writes)."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from lineagelens.receiver import services
from tests.conftest import close_app, make_app
from tests.factories import chain_events


def _metric(text: str, name: str) -> float:
    match = re.search(rf"^{name} (\S+)$", text, re.M)
    assert match, name
    return float(match.group(1))


def test_concurrent_requests_share_projection_passes_and_read_their_writes(tmp_path: Path) -> None:
    app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/g.db", "WORKER_ENABLED": True})
    events = chain_events(40)
    try:
        def post_then_read(event: dict[str, Any]) -> tuple[int, int]:
            client = app.test_client()
            status = client.post("/api/v1/lineage", json=event).status_code
            run = client.get(f"/api/v1/jobs/runs/{event['run']['runId']}")
            return status, run.status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(post_then_read, events))
        assert answers == [(201, 200)] * len(events)
        text = app.test_client().get("/metrics").get_data(as_text=True)
        assert _metric(text, "lineagelens_projected_events_total") == len(events)
        assert _metric(text, "lineagelens_projection_batches_total") < len(events)
        assert services.get(app).events.backlog() == 0
    finally:
        close_app(app)


def test_background_mode_answers_before_projection_and_the_worker_catches_up(tmp_path: Path) -> None:
    app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/b.db", "WORKER_ENABLED": True,
                    "PROJECTION_MODE": "background"})
    try:
        client = app.test_client()
        for event in chain_events(10):
            assert client.post("/api/v1/lineage", json=event).status_code == 201
        worker = services.get(app).worker
        assert worker.wait_projected([], timeout=0) is False  # nothing to wait for
        deadline = time.monotonic() + 20
        while services.get(app).events.backlog():
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert client.get("/readyz").get_json()["checks"]["projection"]["backlog"] == 0
    finally:
        close_app(app)
