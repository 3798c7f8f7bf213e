"""Fast acknowledgement: by default a POST is answered at the durable commit of the event log, concurrent
requests share one commit, and a caller that needs to read its own write says so (``Prefer: wait=projected``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from lineagelens.receiver import config, services
from lineagelens.receiver.api.ingest import wants_projection
from lineagelens.receiver.state.event_log import NewEvent
from lineagelens.receiver.state.group_commit import GroupCommit, _Pending
from tests.conftest import close_app, make_app
from tests.factories import chain_events


@pytest.fixture
def background_app(tmp_path: Path) -> Iterator[Flask]:
    """The product's default projection mode, with no worker thread: nothing projects unless asked."""
    app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/fast.db", "PROJECTION_MODE": "background"})
    yield app
    close_app(app)


def test_background_projection_is_the_default() -> None:
    assert config.defaults()["PROJECTION_MODE"] == "background"


def test_a_post_is_answered_at_the_commit_before_projection(background_app: Flask) -> None:
    event = chain_events(1)[0]
    response = background_app.test_client().post("/api/v1/lineage", json=event)
    assert response.status_code == 201
    assert response.get_json()["projected"] is False and "Preference-Applied" not in response.headers
    s = services.get(background_app)
    assert s.events.count() == 1 and s.events.backlog() == 1


def test_prefer_wait_projected_answers_once_the_graph_has_the_event(background_app: Flask) -> None:
    client = background_app.test_client()
    event = chain_events(1)[0]
    response = client.post("/api/v1/lineage", json=event, headers={"Prefer": "wait=projected"})
    assert response.status_code == 201 and response.get_json()["projected"] is True
    assert response.headers["Preference-Applied"] == "wait=projected"
    assert services.get(background_app).events.backlog() == 0
    assert client.get(f"/api/v1/jobs/runs/{event['run']['runId']}").status_code == 200


def test_waiting_for_a_duplicate_waits_for_its_first_copy(background_app: Flask) -> None:
    client = background_app.test_client()
    event = chain_events(1)[0]
    client.post("/api/v1/lineage", json=event)  # committed, not projected
    again = client.post("/api/v1/lineage", json=event, headers={"Prefer": "wait=projected"})
    assert again.get_json()["status"] == "duplicate" and again.get_json()["projected"] is True
    assert services.get(background_app).events.backlog() == 0


def test_batch_honours_prefer_wait_projected(background_app: Flask) -> None:
    client = background_app.test_client()
    response = client.post("/api/v1/lineage/batch", json=chain_events(5), headers={"Prefer": "wait=projected"})
    assert response.status_code == 200 and response.headers["Preference-Applied"] == "wait=projected"
    assert services.get(background_app).events.backlog() == 0


def test_the_worker_projects_what_was_acknowledged(tmp_path: Path) -> None:
    app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/w.db", "PROJECTION_MODE": "background",
                    "WORKER_ENABLED": True})
    try:
        client = app.test_client()
        events = chain_events(20)
        assert all(client.post("/api/v1/lineage", json=e).status_code == 201 for e in events)
        deadline = time.monotonic() + 30
        while services.get(app).events.backlog():
            assert time.monotonic() < deadline, "the worker did not catch up"
            time.sleep(0.02)
        for event in events:
            assert client.get(f"/api/v1/jobs/runs/{event['run']['runId']}").status_code == 200
    finally:
        close_app(app)


@pytest.mark.parametrize(("header", "wanted"), [
    ("wait=projected", True), ("respond-async, wait=projected", True), ('wait="projected"', True),
    ("WAIT=Projected", True), ("wait=10", False), ("return=minimal", False), (None, False), ("", False),
])
def test_prefer_header_is_read_as_rfc_7240(header: str | None, wanted: bool) -> None:
    assert wants_projection(header) is wanted


class _SlowLog:
    """An event log whose first commit blocks until released, so later requests queue behind it."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.commits: list[int] = []
        self.next_id = 0

    def append(self, events: Sequence[Any]) -> list[int | None]:
        if not self.commits:
            self.release.wait(5)
        self.commits.append(len(events))
        ids: list[int | None] = list(range(self.next_id, self.next_id + len(events)))
        self.next_id += len(events)
        return ids


def test_concurrent_requests_share_one_commit_and_each_gets_its_own_ids() -> None:
    log = _SlowLog()
    group = GroupCommit(log)  # type: ignore[arg-type]
    answers: dict[int, list[int | None]] = {}

    def post(n: int) -> None:
        answers[n] = group.append([NewEvent(parsed=None, payload=f"{n}-{i}") for i in range(n)])  # type: ignore[arg-type]

    first = threading.Thread(target=post, args=(1,))
    first.start()
    while not log.release.is_set() and not group._commit_lock.locked():
        time.sleep(0.001)
    others = [threading.Thread(target=post, args=(n,)) for n in (2, 3, 4)]
    for t in others:
        t.start()
    while len(group._queue) < 3:  # all three queued behind the blocked first commit
        time.sleep(0.001)
    log.release.set()
    for t in [first, *others]:
        t.join(5)
    assert log.commits == [1, 9]  # the first alone, the three others in one transaction
    assert sorted(len(ids) for ids in answers.values()) == [1, 2, 3, 4]
    every = [i for ids in answers.values() for i in ids]
    assert sorted(every) == list(range(10))  # no id given twice, none lost


class _CountingLock:
    """A lock that counts how often it was taken."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.taken = 0

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        got = self._lock.acquire(blocking, timeout)
        self.taken += got
        return got

    def release(self) -> None:
        self._lock.release()

    def locked(self) -> bool:
        return self._lock.locked()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def test_requests_committed_by_another_leader_are_answered_without_taking_the_log_in_turn() -> None:
    log = _SlowLog()
    group = GroupCommit(log)  # type: ignore[arg-type]
    lock = group._commit_lock = _CountingLock()  # type: ignore[assignment]
    answers: dict[int, list[int | None]] = {}

    def post(n: int) -> None:
        answers[n] = group.append([NewEvent(parsed=None, payload=f"{n}-{i}") for i in range(n)])  # type: ignore[arg-type]

    first = threading.Thread(target=post, args=(1,))
    first.start()
    while not lock.locked():
        time.sleep(0.001)
    others = [threading.Thread(target=post, args=(n,)) for n in (2, 3, 4)]
    for t in others:
        t.start()
    while len(group._queue) < 3:
        time.sleep(0.001)
    log.release.set()
    for t in [first, *others]:
        t.join(5)
    assert log.commits == [1, 9] and sorted(answers) == [1, 2, 3, 4]
    # two commits, two leaders: the two requests the second leader committed for others were woken with their
    # ids, not handed the log one after the other to find out
    assert lock.taken == 2


def test_a_failing_group_falls_back_to_one_commit_per_request() -> None:
    class Picky:
        def append(self, events: Sequence[Any]) -> list[int | None]:
            if any(e.payload == "bad" for e in events):
                raise RuntimeError("refused")
            return [7] * len(events)

    group = GroupCommit(Picky())  # type: ignore[arg-type]
    bad = _Pending([NewEvent(parsed=None, payload="bad")])  # type: ignore[arg-type]
    good = _Pending([NewEvent(parsed=None, payload="good")])  # type: ignore[arg-type]
    group._queue.extend([bad, good])
    group._lead()
    assert good.done and good.ids == [7] and good.error is None
    assert bad.done and isinstance(bad.error, RuntimeError)
