"""The Kafka consumer thread: OpenLineage events from a topic into the event log, at least once.

Every receiver runs one consumer, and all of them join one consumer group, so the topic's partitions are shared
between the receivers (and move to the survivors when one dies). The loop:

1. take a batch of records (``consume``), decode each value as JSON;
2. hand the decoded events to the same :class:`~lineagelens.receiver.ingest.Ingestor` as HTTP
   (``ingest_batch``: validation, leniency, the group commit to the durable event log);
3. send the records that cannot be ingested — not JSON, too large, or refused as invalid (HTTP's 400/413/422) —
   to the dead-letter topic with headers saying why, and wait for the broker to acknowledge them;
4. only then commit the batch's offsets (synchronously, manual commits only).

A failure before step 4 (the state database down, the dead-letter topic unreachable) rewinds the consumer to
the batch's first offsets and retries after a backoff: nothing is committed that is not durable. A receiver
killed between steps 2 and 4 leaves offsets uncommitted, so another receiver consumes those records again; the
event log's content hash makes the second copy a no-op. At least once + idempotent ingest = effectively once.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, Producer, TopicPartition

from lineagelens.receiver.ingest import Ingestor
from lineagelens.receiver.metrics import Metrics

log = logging.getLogger(__name__)

# Headers of a dead-lettered record (values are UTF-8 text).
REASON = "lineagelens.reason"  # unparseable | too_large | invalid_event | not_an_object
MESSAGE = "lineagelens.message"  # what the receiver would have answered over HTTP
ERRORS = "lineagelens.errors"  # JSON list of {path, message} for invalid events
SOURCE = "lineagelens.source"  # "<topic>/<partition>/<offset>" of the original record


def kafka_options(bootstrap: str, extra: Mapping[str, Any]) -> dict[str, Any]:
    """librdkafka options shared by the consumer and the dead-letter producer: the bootstrap servers, then
    LINEAGELENS_KAFKA_CONFIG (security.protocol, sasl.*, ssl.*, ...), which may override anything."""
    return {"bootstrap.servers": bootstrap, "client.id": "lineagelens", **extra}


@dataclass(frozen=True)
class Rejected:
    message: Message
    reason: str
    text: str
    errors: list[dict[str, Any]]


class KafkaIngest:
    """One consumer thread of the receivers' consumer group (see the module docstring)."""

    def __init__(self, *, ingestor: Ingestor, metrics: Metrics, bootstrap: str, topic: str, group: str,
                 dead_letter_topic: str, options: Mapping[str, Any] | None = None, batch_size: int = 500,
                 max_bytes: int = 10 * 1024 * 1024, poll_seconds: float = 1.0, max_backoff: float = 30.0) -> None:
        self.ingestor = ingestor
        self.metrics = metrics
        self.topic = topic
        self.dead_letter_topic = dead_letter_topic
        self.batch_size = batch_size
        self.max_bytes = max_bytes
        self.poll_seconds = poll_seconds
        self.max_backoff = max_backoff
        shared = kafka_options(bootstrap, options or {})
        self._consumer_conf = {**shared, "group.id": group, "enable.auto.commit": False,
                               "enable.auto.offset.store": False, "auto.offset.reset": "earliest",
                               "partition.assignment.strategy": "cooperative-sticky", "logger": log,
                               **{k: v for k, v in (options or {}).items() if k.startswith(("group.", "auto."))}}
        self._producer_conf = {**{k: v for k, v in shared.items() if not k.startswith(("group.", "auto."))},
                               "acks": "all", "enable.idempotence": True, "logger": log}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._consumer: Consumer | None = None
        self._producer: Producer | None = None
        self._assigned: set[int] = set()
        self.backoff = 0.0

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Create the clients (a bad option fails here, at startup) and start the consumer thread."""
        if self.running:
            return
        self._consumer = Consumer(self._consumer_conf)
        if self.dead_letter_topic:
            self._producer = Producer(self._producer_conf)
        self._consumer.subscribe([self.topic], on_assign=self._on_assign, on_revoke=self._on_revoke,
                                 on_lost=self._on_revoke)
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="lineagelens-kafka", daemon=True)
        self._thread.start()
        log.info("consuming %s as group %s", self.topic, self._consumer_conf["group.id"])

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the current batch, leave the group (its partitions move to the other receivers at once)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    # -- the loop -----------------------------------------------------------------------------------
    def _run(self) -> None:
        consumer = self._consumer
        assert consumer is not None
        try:
            while not self._stop.is_set():
                records = consumer.consume(num_messages=self.batch_size, timeout=self.poll_seconds)
                if not records:
                    self._update_lag(consumer)
                    continue
                try:
                    self.handle(consumer, records)
                    self.backoff = 0.0
                except Exception as exc:  # durable state or the DLQ unreachable: redo the batch later
                    self.backoff = min(max(self.backoff * 2, 0.5), self.max_backoff)
                    log.warning("kafka batch of %d not ingested, retrying in %.1f s: %s", len(records),
                                self.backoff, exc)
                    self.metrics.kafka_retries.inc()
                    self._rewind(consumer, records)
                    self._stop.wait(self.backoff)
                self._update_lag(consumer)
        except Exception:
            log.exception("kafka consumer stopped")
        finally:
            try:
                consumer.close()  # leaves the group; commits nothing (manual commits only)
            except Exception as exc:
                log.warning("closing the kafka consumer: %s", exc)
            if self._producer is not None:
                self._producer.flush(5)
            self.metrics.kafka_lag.set(0)

    def handle(self, consumer: Consumer, records: Sequence[Message]) -> None:
        """Ingest one batch, dead-letter what cannot be ingested, then commit the batch's offsets."""
        events: list[Any] = []
        carriers: list[Message] = []
        rejected: list[Rejected] = []
        last: dict[tuple[str, int], int] = {}
        for record in records:
            error = record.error()
            if error is not None:
                if error.fatal():
                    raise KafkaException(error)
                if error.code() != KafkaError._PARTITION_EOF:
                    log.warning("kafka: %s", error)
                continue
            last[(str(record.topic()), int(record.partition() or 0))] = int(record.offset() or 0)
            decoded = self._decode(record)
            if isinstance(decoded, Rejected):
                rejected.append(decoded)
            else:
                events.append(decoded)
                carriers.append(record)
        if events:
            outcome = self.ingestor.ingest_batch(events)
            for failure in outcome.failed:
                rejected.append(Rejected(carriers[failure["index"]], "invalid_event", str(failure["reason"]),
                                         list(failure.get("errors") or [])))
            self.metrics.kafka_consumed.labels(outcome="ingested").inc(len(outcome.accepted))
        self._dead_letter(rejected)
        if last:
            offsets = [TopicPartition(topic, partition, offset + 1) for (topic, partition), offset in last.items()]
            try:
                consumer.commit(offsets=offsets, asynchronous=False)
            except KafkaException as exc:
                # Partitions moved to another receiver meanwhile: it consumes these records again (duplicates
                # are no-ops in the event log), so this is not a loss.
                log.info("kafka offset commit refused (%s); the next owner re-reads from the last commit", exc)
                self.metrics.kafka_commit_failures.inc()

    def _decode(self, record: Message) -> Any:
        value = record.value()
        if value is None:
            return Rejected(record, "unparseable", "empty record (no value)", [])
        if len(value) > self.max_bytes:
            return Rejected(record, "too_large", f"record of {len(value)} bytes is larger than the "
                            f"{self.max_bytes} allowed (LINEAGELENS_MAX_CONTENT_LENGTH)", [])
        try:
            decoded = json.loads(value)
        except (UnicodeDecodeError, ValueError) as exc:
            return Rejected(record, "unparseable", f"not JSON: {exc}", [])
        if not isinstance(decoded, dict):
            return Rejected(record, "not_an_object", "an OpenLineage event is a JSON object, got "
                            f"{type(decoded).__name__}", [])
        return decoded

    def _dead_letter(self, rejected: list[Rejected]) -> None:
        """Send the rejected records to the dead-letter topic and wait until the broker has them all."""
        if not rejected:
            return
        for item in rejected:
            self.metrics.kafka_consumed.labels(outcome="dead_lettered").inc()
            self.metrics.kafka_dead_lettered.labels(reason=item.reason).inc()
        if self._producer is None:
            for item in rejected:
                log.error("kafka record %s dropped (no dead-letter topic): %s", _where(item.message), item.text)
            return
        failures: list[str] = []

        def delivered(error: KafkaError | None, _: Message) -> None:
            if error is not None:
                failures.append(str(error))

        for item in rejected:
            headers: list[tuple[str, str | bytes | None]] = [
                (REASON, item.reason.encode()), (MESSAGE, item.text.encode()),
                (ERRORS, json.dumps(item.errors).encode()), (SOURCE, _where(item.message).encode())]
            original = item.message.headers() or []  # the producer's own headers are kept
            headers += list(original.items()) if isinstance(original, dict) else list(original)
            self._producer.produce(self.dead_letter_topic, value=item.message.value(), key=item.message.key(),
                                   headers=headers, on_delivery=delivered)
            log.info("kafka record %s dead-lettered: %s", _where(item.message), item.text)
        remaining = self._producer.flush(30)
        if remaining or failures:
            raise KafkaException(f"dead-letter topic {self.dead_letter_topic}: {remaining} undelivered, "
                                 f"{'; '.join(failures[:3])}")

    def _rewind(self, consumer: Consumer, records: Sequence[Message]) -> None:
        """Seek every partition of the batch back to its first record, so the batch is consumed again."""
        first: dict[tuple[str, int], int] = {}
        for record in records:
            if record.error() is None:
                key = (str(record.topic()), int(record.partition() or 0))
                first.setdefault(key, int(record.offset() or 0))
        for (topic, partition), offset in first.items():
            try:
                consumer.seek(TopicPartition(topic, partition, offset))
            except KafkaException as exc:  # no longer ours: its next owner starts from the last commit
                log.info("kafka seek %s/%d: %s", topic, partition, exc)

    # -- group membership and lag -------------------------------------------------------------------
    def _on_assign(self, _: Consumer, partitions: list[TopicPartition]) -> None:
        self._assigned |= {p.partition for p in partitions}
        log.info("kafka partitions assigned: %s (now %s)", [p.partition for p in partitions], sorted(self._assigned))

    def _on_revoke(self, _: Consumer, partitions: list[TopicPartition]) -> None:
        self._assigned -= {p.partition for p in partitions}
        log.info("kafka partitions revoked: %s", [p.partition for p in partitions])

    @property
    def assigned(self) -> list[int]:
        """The partitions this receiver consumes now."""
        return sorted(self._assigned)

    def _update_lag(self, consumer: Consumer) -> None:
        """Records on this receiver's partitions not yet consumed (from the high watermarks the fetches
        already brought back: no extra round trip)."""
        lag = 0
        try:
            for position in consumer.position([TopicPartition(self.topic, p) for p in self.assigned]):
                if position.offset < 0:
                    continue
                _, high = consumer.get_watermark_offsets(position, cached=True)
                if high >= 0:
                    lag += max(high - position.offset, 0)
        except KafkaException as exc:
            log.debug("kafka lag: %s", exc)
            return
        self.metrics.kafka_lag.set(lag)


def _where(record: Message) -> str:
    return f"{record.topic()}/{record.partition()}/{record.offset()}"
