"""The projection worker lingers while producers keep committing (fewer, larger passes), projects a lone event
once producers pause, never lingers past its bound, and never makes a waiting request linger."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pytest

from lineagelens.receiver.projection.projector import DrainResult
from lineagelens.receiver.projection.worker import CatchUpWorker


class FakeEvents:
    def __init__(self) -> None:
        self.projected: set[int] = set()

    def projected_among(self, ids: Sequence[int]) -> set[int]:
        return self.projected & set(ids)


class FakeProjector:
    """Projects whatever was committed since the last pass, and counts its passes."""

    def __init__(self) -> None:
        self.events = FakeEvents()
        self.committed: list[int] = []
        self.passes: list[list[int]] = []
        self.lock = threading.Lock()

    def commit(self, event_id: int) -> None:
        with self.lock:
            self.committed.append(event_id)

    def drain(self, *, stopping: Callable[[], bool] | None = None) -> DrainResult:
        with self.lock:
            batch, self.committed = self.committed, []
        if batch:
            self.passes.append(batch)
            self.events.projected.update(batch)
        return DrainResult(projected=len(batch), ids=batch)


def _until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.005)


@pytest.fixture
def setup() -> Iterator[Any]:
    workers: list[CatchUpWorker] = []

    def make(*, quiet: float, max_linger: float) -> tuple[FakeProjector, CatchUpWorker]:
        projector = FakeProjector()
        worker = CatchUpWorker(projector, poll_seconds=30.0, quiet_seconds=quiet,  # type: ignore[arg-type]
                               max_linger_seconds=max_linger)
        worker.start()
        workers.append(worker)
        return projector, worker

    yield make
    for worker in workers:
        worker.stop()


@contextmanager
def _endless_stream(projector: FakeProjector, worker: CatchUpWorker, first_id: int) -> Iterator[None]:
    """Producers that never pause: a commit every 10 ms, ids from ``first_id``, until the block ends."""
    stop = threading.Event()

    def endless() -> None:
        i = first_id
        while not stop.is_set():
            projector.commit(i)
            worker.wake()
            i += 1
            time.sleep(0.01)

    producer = threading.Thread(target=endless)
    producer.start()
    try:
        yield
    finally:
        stop.set()
        producer.join()


def _stream(projector: FakeProjector, worker: CatchUpWorker, count: int, every: float, first_id: int = 1) -> None:
    for i in range(count):
        projector.commit(first_id + i)
        worker.wake()
        time.sleep(every)


def test_a_lone_commit_is_projected_once_producers_pause(setup: Any) -> None:
    projector, worker = setup(quiet=0.02, max_linger=30.0)
    projector.commit(1)
    worker.wake()
    _until(lambda: projector.passes == [[1]], timeout=5.0)  # far below the 30 s bound: the pause ended it


def test_a_stream_of_commits_is_projected_in_one_pass_when_it_stops(setup: Any) -> None:
    projector, worker = setup(quiet=0.5, max_linger=30.0)
    _stream(projector, worker, count=20, every=0.01)  # each commit well within the quiet time of the last
    assert projector.passes == []  # still lingering while they come
    _until(lambda: len(projector.events.projected) == 20)
    assert projector.passes == [list(range(1, 21))]


def test_lingering_never_exceeds_its_bound_under_an_endless_stream(setup: Any) -> None:
    projector, worker = setup(quiet=0.2, max_linger=0.1)
    with _endless_stream(projector, worker, first_id=1):
        _until(lambda: len(projector.passes) >= 2)  # passes happen although producers never pause


def test_a_waiting_request_is_never_made_to_linger(setup: Any) -> None:
    projector, worker = setup(quiet=0.2, max_linger=30.0)
    with _endless_stream(projector, worker, first_id=1001):
        time.sleep(0.1)  # the worker is lingering now
        projector.commit(1)
        assert worker.wait_projected([1], timeout=10.0) is True  # answered long before the 30 s bound
