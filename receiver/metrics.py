"""Prometheus metrics, one registry per application (served at ``GET /metrics``).

Under ``lineagelens serve`` the HTTP workers count requests and the background process counts projection,
Kafka and alerts: each writes its values to files in a folder they share (prometheus_client's multiprocess
mode), and ``/metrics`` in any of them sums the files, so a scrape sees the whole ``serve``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess, values
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)


def _share(directory: str) -> None:
    """Metrics created from now on in this process write their values to files in ``directory``. Process-wide
    (prometheus_client picks the value class when a metric is created), so done before any metric is."""
    os.makedirs(directory, mode=0o700, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    values.ValueClass = values.MultiProcessValue()


def process_gone(pid: int, directory: str) -> None:
    """Drop the live gauges of a process that exited (its counters stay in the sums)."""
    multiprocess.mark_process_dead(pid, directory)


class _Backlog(Collector):
    """The projection backlog, read from the event log at scrape time: one figure whichever process answers."""

    def __init__(self, read: Callable[[], int]) -> None:
        self.read = read

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily("lineagelens_projection_backlog", "Events committed but not yet projected",
                                value=self.read())


class Metrics:
    def __init__(self, *, shared_dir: str | None = None) -> None:
        """``shared_dir``: the folder the processes of one ``serve`` share their metrics through."""
        self.shared_dir = shared_dir
        if shared_dir is not None:
            _share(shared_dir)
        self.registry = CollectorRegistry()
        self._backlog: _Backlog | None = None
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
                               "consumed", registry=self.registry, multiprocess_mode="livesum")

    def watch_backlog(self, read: Callable[[], int]) -> None:
        self._backlog = _Backlog(read)
        self.registry.register(self._backlog)

    def exposition(self) -> bytes:
        """The text ``GET /metrics`` answers: this process's metrics, or with a shared folder those of every
        process of the ``serve`` summed."""
        if self.shared_dir is None:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=self.shared_dir)
        if self._backlog is not None:
            registry.register(self._backlog)
        return generate_latest(registry)

    def on_batch(self, projected: int, failed: int) -> None:
        self.projected.inc(projected)
        self.projection_failures.inc(failed)
        if projected:
            self.projection_batches.inc()
