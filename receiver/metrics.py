"""Prometheus metrics, one registry per application (served at ``GET /metrics``)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

log = logging.getLogger(__name__)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.events = Counter("lineagelens_events_total", "OpenLineage events by outcome",
                              ["kind", "outcome"], registry=self.registry)
        self.facet_warnings = Counter("lineagelens_facet_warnings_total",
                                      "Standard facets accepted with a schema warning (left out of the "
                                      "projection)", ["facet"], registry=self.registry)
        self.leniency = Counter("lineagelens_leniency_total",
                                "Events accepted by a leniency rule (docs/api.md), by rule", ["rule"],
                                registry=self.registry)
        self.ingest_seconds = Histogram("lineagelens_ingest_seconds", "Time to validate and commit a request",
                                        ["endpoint"], registry=self.registry)
        self.projected = Counter("lineagelens_projected_events_total", "Events projected into the graph",
                                 registry=self.registry)
        self.projection_batches = Counter("lineagelens_projection_batches_total",
                                          "Projection passes that wrote the graph (events share passes)",
                                          registry=self.registry)
        self.projection_failures = Counter("lineagelens_projection_failures_total",
                                           "Events whose projection failed (retried later)",
                                           registry=self.registry)
        self.backlog = Gauge("lineagelens_projection_backlog", "Events committed but not yet projected",
                             registry=self.registry)
        # Kafka ingest (receiver/kafka; docs/kafka.md)
        self.kafka_consumed = Counter("lineagelens_kafka_records_total", "Kafka records consumed, by outcome "
                                      "(ingested: in the event log, duplicates included; dead_lettered)",
                                      ["outcome"], registry=self.registry)
        self.kafka_dead_lettered = Counter("lineagelens_kafka_dead_lettered_total", "Kafka records sent to the "
                                           "dead-letter topic, by reason", ["reason"], registry=self.registry)
        self.kafka_retries = Counter("lineagelens_kafka_retries_total", "Kafka batches rewound and retried "
                                     "(state database or dead-letter topic unreachable)", registry=self.registry)
        self.kafka_commit_failures = Counter("lineagelens_kafka_commit_failures_total", "Kafka offset commits "
                                             "refused (partitions moved during a rebalance; the records are "
                                             "consumed again)", registry=self.registry)
        self.kafka_lag = Gauge("lineagelens_kafka_lag", "Kafka records on this receiver's partitions not yet "
                               "consumed", registry=self.registry)

    def watch_backlog(self, read: Callable[[], int]) -> None:
        self.backlog.set_function(read)

    def on_batch(self, projected: int, failed: int) -> None:
        self.projected.inc(projected)
        self.projection_failures.inc(failed)
        if projected:
            self.projection_batches.inc()
