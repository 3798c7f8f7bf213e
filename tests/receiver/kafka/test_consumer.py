"""Kafka ingest in one receiver (SQLite): events produced with openlineage-python's KafkaTransport reach the event
log and the graph, bad records go to the dead-letter topic with the reason in headers without blocking the
partition, and no offset is committed before its events are durable."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from lineagelens.receiver import services
from lineagelens.receiver.kafka.consumer import ERRORS, MESSAGE, REASON, SOURCE
from tests.conftest import close_app, make_app
from tests.factories import chain_events
from tests.receiver.kafka.support import BOOTSTRAP, committed, new_topics, produce_raw, read_all, transport, wait_until

pytestmark = pytest.mark.kafka


def _kafka_app(tmp_path: Path, topic: str, dlq: str, name: str = "state") -> Flask:
    return make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/{name}.db", "KAFKA_BOOTSTRAP": BOOTSTRAP,
                     "KAFKA_TOPIC": topic, "KAFKA_DEAD_LETTER_TOPIC": dlq, "KAFKA_GROUP": f"group-{topic}",
                     "WORKER_ENABLED": True})  # the consumer is a background thread, like the worker


@pytest.fixture
def topics() -> tuple[str, str]:
    return new_topics(partitions=2)


@pytest.fixture
def app(tmp_path: Path, topics: tuple[str, str]) -> Iterator[Flask]:
    application = _kafka_app(tmp_path, *topics)
    yield application
    close_app(application)


def _shape(application: Flask) -> tuple[set[tuple[str, str]], set[tuple[str, str, str]]]:
    nodes, edges = services.get(application).graph.snapshot()
    return {(n.id, n.kind.value) for n in nodes}, {(e.src, e.dst, e.rel.value) for e in edges}


def _metric(application: Flask, name: str) -> float:
    text = application.test_client().get("/metrics").get_data(as_text=True)
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name))


def test_events_from_the_openlineage_kafka_transport_are_in_the_event_log_and_the_graph(
        app: Flask, topics: tuple[str, str], tmp_path: Path) -> None:
    events = chain_events(15, jobs=5)
    producer = transport(topics[0])
    for event in events:
        producer.emit(event)  # type: ignore[arg-type]  # the transport serialises dicts as they are
    producer.close()

    found = services.get(app)
    wait_until(lambda: found.events.count() == len(events), timeout=30, what="the events in the log")
    wait_until(lambda: found.events.backlog() == 0, timeout=30, what="projection")
    replay = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/replay.db"})
    try:
        for event in events:
            assert replay.test_client().post("/api/v1/lineage", json=event).status_code == 201
        assert _shape(app) == _shape(replay)
        assert sum(1 for _, kind in _shape(app)[0] if kind == "job") == 5
    finally:
        close_app(replay)
    assert _metric(app, 'lineagelens_kafka_records_total{outcome="ingested"}') == len(events)
    group = app.config["LINEAGELENS"]["KAFKA_GROUP"]
    # every record's offset is committed (the transport keys run events by job: partitions hold both)
    wait_until(lambda: sum(max(o, 0) for o in committed(group, topics[0], 2)) == len(events), timeout=15,
               what="the committed offsets")


def test_a_bad_record_goes_to_the_dead_letter_topic_with_its_reason_and_does_not_block_the_partition(
        app: Flask, topics: tuple[str, str]) -> None:
    topic, dlq = topics
    good = chain_events(2, jobs=2)
    no_run_id = {**good[0], "run": {}}
    produce_raw(topic, [json.dumps(good[0]).encode(), b"{not json", json.dumps(no_run_id).encode(),
                        b"[1, 2]", json.dumps(good[1]).encode()])
    found = services.get(app)
    wait_until(lambda: found.events.count() == 2, timeout=30, what="the two good events behind the bad ones")

    dead = read_all(dlq, expect=3)
    assert len(dead) == 3
    by_reason = {dict(m.headers() or [])[REASON].decode(): m for m in dead}
    assert set(by_reason) == {"unparseable", "invalid_event", "not_an_object"}
    invalid = dict(by_reason["invalid_event"].headers() or [])
    assert json.loads(invalid[ERRORS]) and "run" in json.dumps(json.loads(invalid[ERRORS]))
    assert by_reason["invalid_event"].value() == json.dumps(no_run_id).encode()  # the record as it was sent
    assert dict(by_reason["unparseable"].headers() or [])[MESSAGE].decode().startswith("not JSON")
    assert dict(by_reason["unparseable"].headers() or [])[SOURCE].decode() == f"{topic}/0/1"
    group = app.config["LINEAGELENS"]["KAFKA_GROUP"]
    wait_until(lambda: committed(group, topic, 2)[0] == 5, timeout=15, what="offset 5 committed on partition 0")
    assert _metric(app, "lineagelens_kafka_dead_lettered_total") == 3


def test_no_offset_is_committed_while_the_event_log_refuses_the_events(
        tmp_path: Path, topics: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    application = _kafka_app(tmp_path, *topics, name="outage")
    found = services.get(application)
    group = application.config["LINEAGELENS"]["KAFKA_GROUP"]
    real_append = found.ingestor.group.append
    attempts: list[int] = []

    def down(events: Any) -> Any:
        attempts.append(len(events))
        raise sa.exc.OperationalError("INSERT", {}, Exception("database is down"))

    try:
        monkeypatch.setattr(found.ingestor.group, "append", down)
        events = chain_events(4, jobs=2)
        produce_raw(topic=topics[0], values=[json.dumps(e).encode() for e in events])
        wait_until(lambda: len(attempts) >= 2, timeout=30, what="two failed attempts")  # retried, with backoff
        assert committed(group, topics[0], 2) == [-1001, -1001]  # nothing committed, nothing in the log
        assert found.events.count() == 0

        monkeypatch.setattr(found.ingestor.group, "append", real_append)  # the database is back
        wait_until(lambda: found.events.count() == len(events), timeout=45, what="the events after the outage")
        wait_until(lambda: committed(group, topics[0], 2)[0] == len(events), timeout=15, what="the commit")
        assert _metric(application, "lineagelens_kafka_retries_total") >= 2
    finally:
        close_app(application)
