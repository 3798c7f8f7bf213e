"""Kafka for the tests: the broker from scripts/kafka.sh (LINEAGELENS_TEST_KAFKA_BOOTSTRAP), a fresh topic per
test, a producer using openlineage-python's own KafkaTransport, and readers of the dead-letter topic and of
the group's committed offsets."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from confluent_kafka import Consumer, Message, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
from openlineage.client.transport.kafka import KafkaConfig, KafkaTransport

from tests.conftest import KAFKA_BOOTSTRAP

BOOTSTRAP = KAFKA_BOOTSTRAP


def new_topics(partitions: int) -> tuple[str, str]:
    """A fresh topic with ``partitions`` partitions and its dead-letter topic; (topic, dead-letter topic).
    An unreachable broker is an error, never a skip."""
    topic = f"openlineage-{uuid.uuid4().hex[:10]}"
    admin = AdminClient({"bootstrap.servers": BOOTSTRAP})
    futures = admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1),
                                   NewTopic(f"{topic}.dlq", num_partitions=1, replication_factor=1)],
                                  operation_timeout=20, request_timeout=20)
    for future in futures.values():
        future.result(timeout=30)
    return topic, f"{topic}.dlq"


def transport(topic: str) -> KafkaTransport:
    """The producer side as Spark, Flink or Airflow would have it: openlineage-python's Kafka transport."""
    return KafkaTransport(KafkaConfig(config={"bootstrap.servers": BOOTSTRAP, "acks": "all"}, topic=topic))


def produce_raw(topic: str, values: Iterable[bytes], *, partition: int = 0) -> None:
    """Records a producer could write by mistake (not JSON, invalid events), in order, on one partition."""
    producer = Producer({"bootstrap.servers": BOOTSTRAP, "acks": "all"})
    for value in values:
        producer.produce(topic, value=value, partition=partition)
    assert producer.flush(30) == 0


def read_all(topic: str, *, expect: int, timeout: float = 30.0) -> list[Message]:
    """The first ``expect`` records of ``topic`` (all partitions), read by a throwaway consumer group."""
    consumer = Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": f"reader-{uuid.uuid4().hex[:8]}",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe([topic])
    found: list[Message] = []
    deadline = time.monotonic() + timeout
    try:
        while len(found) < expect and time.monotonic() < deadline:
            for message in consumer.consume(num_messages=expect, timeout=0.5):
                if message.error() is None:
                    found.append(message)
        return found
    finally:
        consumer.close()


def committed(group: str, topic: str, partitions: int) -> list[int]:
    """The group's committed offset of each partition (-1001 when nothing was committed)."""
    consumer = Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": group})
    try:
        answer = consumer.committed([TopicPartition(topic, p) for p in range(partitions)], timeout=15)
        return [tp.offset for tp in sorted(answer, key=lambda tp: tp.partition)]
    finally:
        consumer.close()


def group_members(group: str) -> int:
    """How many consumers are in ``group`` now (0 while it is empty or unknown)."""
    admin = AdminClient({"bootstrap.servers": BOOTSTRAP})
    try:
        description = admin.describe_consumer_groups([group])[group].result(timeout=15)
    except Exception:  # not created yet
        return 0
    return len(description.members)


def wait_until(check: Callable[[], Any], *, timeout: float, what: str, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out after {timeout:.0f} s waiting for {what}"
        time.sleep(every)
