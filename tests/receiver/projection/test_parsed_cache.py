"""The projector's cache of events ingest has parsed: bounded by payload bytes and age, and no entry is left
behind when the worker projects an event before ingest returns, or when an event is a duplicate."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from lineagelens.receiver import services
from lineagelens.receiver.openlineage import ParsedEvent, parse_event
from lineagelens.receiver.projection.parsed_cache import ParsedCache
from lineagelens.receiver.state.event_log import NewEvent
from tests.conftest import close_app, make_app
from tests.factories import chain_events


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def event() -> ParsedEvent:
    return parse_event(chain_events(1)[0])


def test_cache_evicts_oldest_entries_once_over_its_byte_budget(event: ParsedEvent) -> None:
    cache = ParsedCache(max_bytes=10_000)
    for i in range(4):
        cache.put(f"h{i}", event, 3_000)
    assert len(cache) == 3 and cache.bytes == 9_000
    assert cache.take("h0") is None  # the oldest went first
    assert cache.take("h3") is event


def test_cache_does_not_keep_an_event_larger_than_its_budget(event: ParsedEvent) -> None:
    cache = ParsedCache(max_bytes=10_000)
    cache.put("small", event, 1_000)
    cache.put("huge", event, 10_001)
    assert cache.take("huge") is None and len(cache) == 1 and cache.bytes == 1_000


def test_cache_drops_entries_nobody_took_within_max_age(event: ParsedEvent) -> None:
    clock = FakeClock()
    cache = ParsedCache(max_bytes=1 << 20, max_age=60, clock=clock)
    cache.put("old", event, 100)
    clock.now += 61
    cache.put("new", event, 100)
    assert len(cache) == 1 and cache.bytes == 100
    assert cache.take("old") is None and cache.take("new") is event


def test_take_and_forget_release_bytes(event: ParsedEvent) -> None:
    cache = ParsedCache()
    cache.put("a", event, 500)
    cache.put("b", event, 700)
    cache.put("a", event, 500)  # remembered twice: counted once
    assert cache.bytes == 1_200
    assert cache.take("a") is event and cache.take("a") is None
    cache.forget(["b", "never-there"])
    assert len(cache) == 0 and cache.bytes == 0


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    application = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/cache.db", "PROJECTION_MODE": "background"})
    yield application
    close_app(application)


def test_an_event_projected_before_ingest_returns_leaves_no_entry(app: Flask) -> None:
    """The worker may project an event the instant its commit lands, before the request thread continues:
    the entry must already be there for it to take, not be added afterwards and never taken."""
    s = services.get(app)
    append = s.ingestor.group.append
    taken: list[bool] = []

    def append_then_worker_wins(events: Sequence[NewEvent]) -> list[int | None]:
        ids = append(events)
        before = len(s.projector.parsed)
        s.projector.drain()  # what the background worker does, racing the request thread
        taken.append(len(s.projector.parsed) < before)
        return ids

    s.ingestor.group.append = append_then_worker_wins  # type: ignore[method-assign]
    raws = chain_events(3)  # a START and a COMPLETE per run
    for raw in raws:
        assert app.test_client().post("/api/v1/lineage", json=raw).status_code == 201
    assert s.events.backlog() == 0
    assert taken == [True] * len(raws)  # the projector used the parsed event instead of parsing again
    assert len(s.projector.parsed) == 0 and s.projector.parsed.bytes == 0


def test_duplicates_and_projected_events_leave_no_entry(app: Flask) -> None:
    s = services.get(app)
    client = app.test_client()
    raws: list[dict[str, Any]] = chain_events(3)
    for raw in raws:
        client.post("/api/v1/lineage", json=raw)
    assert len(s.projector.parsed) == len(raws) == 6  # committed, waiting for the worker
    s.projector.drain()
    assert len(s.projector.parsed) == 0
    for raw in raws:  # already projected: nobody would ever take these
        assert client.post("/api/v1/lineage", json=raw).get_json()["status"] == "duplicate"
    batch = client.post("/api/v1/lineage/batch", json=[raws[0], raws[0]])
    assert batch.get_json()["summary"]["successful"] == 2
    assert len(s.projector.parsed) == 0 and s.projector.parsed.bytes == 0


def test_a_failed_commit_leaves_no_entry(app: Flask) -> None:
    s = services.get(app)

    def broken(events: Sequence[NewEvent]) -> list[int | None]:
        raise RuntimeError("database gone")

    s.ingestor.group.append = broken  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        s.ingestor.ingest(chain_events(1)[0])
    assert len(s.projector.parsed) == 0
