"""Two receiver processes on one PostgreSQL state database: an event posted to one reaches a stream client
of the other (LISTEN/NOTIFY), and the periodic health checks run in exactly one of them."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL, reset_postgres
from tests.integrations.support import Receiver, http
from tests.receiver.monitoring.support import is_run, new_run, open_stream, post, read, read_until, run_event

pytestmark = pytest.mark.postgres

SHARED = {"DATABASE_URL": POSTGRES_URL, "SECRET_KEY": "lineagelens-live-tests-master-key-0123456789"}


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Receiver, Receiver]]:
    reset_postgres(POSTGRES_URL)
    roots = tmp_path / "data"
    roots.mkdir()
    settings = {**SHARED, "HEALTH_CHECK_INTERVAL": "1", "FILESYSTEM_ROOTS": str(roots)}
    first = Receiver(tmp_path / "a", settings=settings).start()
    try:
        second = Receiver(tmp_path / "b", settings=settings).start()
    except Exception:
        first.stop()
        raise
    yield first, second
    second.stop()
    first.stop()


def test_a_fail_posted_to_one_receiver_reaches_a_client_of_another(pair: tuple[Receiver, Receiver]) -> None:
    one, other = pair
    run = new_run()
    with open_stream(other, "/ws/events", key=other.read_key) as ws:
        read(ws)
        post(one, run_event("START", run, job="across"))
        sent = time.monotonic()
        post(one, run_event("FAIL", run, job="across", seconds=3, error="out of memory"))
        failed = read_until(ws, is_run(run, "FAIL"))[-1]
        took = time.monotonic() - sent
    assert failed["payload"]["error"]["message"] == "out of memory"
    assert took < 5, took


def test_periodic_health_checks_run_once_across_two_receivers(pair: tuple[Receiver, Receiver], tmp_path: Path,
                                                               ) -> None:
    one, _ = pair
    body = {"kind": "filesystem", "name": "landing", "config": {"scheme": "file", "path": str(tmp_path / "data")}}
    status, _, answer = http("POST", f"{one.url}/api/v1/sources", body=json.dumps(body).encode(),
                             headers={**one.auth(), "Content-Type": "application/json"})
    assert status == 201, answer
    source = json.loads(answer)["id"]
    time.sleep(6.5)
    status, _, answer = http("GET", f"{one.url}/api/v1/sources/{source}/health?limit=1000",
                             headers=one.auth(one.read_key))
    assert status == 200, answer
    checks = json.loads(answer)["checks"]
    times = sorted(datetime.fromisoformat(c["checkedAt"]) for c in checks)
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    assert 3 <= len(checks) <= 8, len(checks)  # one checker every ~1 s, not two
    assert min(gaps) >= 0.8, gaps
    assert all(c["status"] == "healthy" for c in checks), checks
