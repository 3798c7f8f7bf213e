"""Kafka ingest: OpenLineage events from a topic (the OpenLineage Kafka transport), next to HTTP.

- :mod:`.consumer` — the consumer thread: one per receiver, all receivers in one consumer group, offsets committed
  only after the events are in the durable event log, bad records to a dead-letter topic.
"""

from __future__ import annotations

from lineagelens.receiver.kafka.consumer import KafkaIngest, kafka_options

__all__ = ["KafkaIngest", "kafka_options"]
