"""Kafka ingest across two real receivers (``lineagelens serve``) on one PostgreSQL: both join one consumer
group and share the topic's partitions, and when one is killed with SIGKILL mid-stream the other takes its
partitions over and nothing is lost (events in the log = events produced, each once)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from lineagelens.receiver.state.tables import lineage_events
from tests.conftest import POSTGRES_URL, reset_postgres
from tests.factories import chain_events
from tests.integrations.support import Receiver, http
from tests.receiver.kafka.support import BOOTSTRAP, committed, group_members, new_topics, transport, wait_until

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

PARTITIONS = 4


@pytest.fixture
def engine() -> Iterator[sa.Engine]:
    reset_postgres(POSTGRES_URL)
    found = sa.create_engine(POSTGRES_URL)
    yield found
    found.dispose()


def _logged(engine: sa.Engine) -> tuple[int, int]:
    """(events in the log, distinct content hashes)."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(sa.func.count(), sa.func.count(sa.distinct(lineage_events.c.content_hash)))
                           .select_from(lineage_events)).one()
    return int(row[0]), int(row[1])


def _ingested(receiver: Receiver) -> float:
    _, _, body = http("GET", f"{receiver.url}/metrics", headers=receiver.auth())
    return sum(float(line.rsplit(" ", 1)[1]) for line in body.decode().splitlines()
               if line.startswith('lineagelens_kafka_records_total{outcome="ingested"}'))


def test_two_receivers_share_the_partitions_and_a_killed_one_loses_nothing(
        engine: sa.Engine, tmp_path: Path) -> None:
    topic, dlq = new_topics(partitions=PARTITIONS)
    group = f"group-{topic}"
    # A short session timeout so the group notices the killed receiver within seconds (default 45 s).
    settings = {"DATABASE_URL": POSTGRES_URL, "SECRET_KEY": "kafka-two-receivers", "KAFKA_BOOTSTRAP": BOOTSTRAP,
                "KAFKA_TOPIC": topic, "KAFKA_DEAD_LETTER_TOPIC": dlq, "KAFKA_GROUP": group,
                "KAFKA_BATCH_SIZE": "20",
                "KAFKA_CONFIG": json.dumps({"session.timeout.ms": 6000, "heartbeat.interval.ms": 500})}
    first = Receiver(tmp_path / "first", settings=dict(settings)).start()
    second = Receiver(tmp_path / "second", settings=dict(settings))
    try:
        second.start()
        # each receiver consumes in its background process, which joins the group a moment after /readyz
        wait_until(lambda: group_members(group) == 2, timeout=60, what="both receivers in the consumer group")
        events = chain_events(300, jobs=30)  # 600 events; the transport keys them by job: 30 keys
        producer = transport(topic)
        for event in events[:200]:
            producer.emit(event)  # type: ignore[arg-type]  # the transport serialises dicts as they are
        wait_until(lambda: _logged(engine)[0] == 200, timeout=60, what="the first 200 events in the log")
        # both receivers took part: the group gave each of them partitions
        assert _ingested(first) > 0 and _ingested(second) > 0, (_ingested(first), _ingested(second))

        def rest() -> None:
            for event in events[200:]:
                producer.emit(event)  # type: ignore[arg-type]
                time.sleep(0.005)

        streaming = threading.Thread(target=rest)
        streaming.start()
        wait_until(lambda: _logged(engine)[0] >= 300, timeout=60, what="the stream under way")
        first.kill()  # SIGKILL mid-stream: its uncommitted batch is consumed again by the survivor
        streaming.join(120)
        producer.close()

        wait_until(lambda: _logged(engine)[0] >= len(events), timeout=90, what="every event after the kill")
        time.sleep(2)  # re-consumed records must not add anything
        assert _logged(engine) == (len(events), len(events))
        wait_until(lambda: sum(committed(group, topic, PARTITIONS)) == len(events), timeout=30,
                   what="the survivor's commits covering every partition")
        assert second.proc is not None and second.proc.poll() is None
    finally:
        second.stop()
        first.stop()
