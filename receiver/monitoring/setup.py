"""Building the live-monitoring objects of one app from its settings (called by ``receiver/wiring.py``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from lineagelens.receiver.dashboards import DashboardService
from lineagelens.receiver.graph.base import GraphStore
from lineagelens.receiver.lineage import Resolver
from lineagelens.receiver.monitoring.changes import ChangeFeed
from lineagelens.receiver.monitoring.health import HealthChecks
from lineagelens.receiver.monitoring.hub import Hub
from lineagelens.receiver.monitoring.listener import Listener
from lineagelens.receiver.monitoring.status import StatusReader
from lineagelens.receiver.monitoring.streams import Monitor
from lineagelens.receiver.projection.projector import Projector
from lineagelens.receiver.sources.service import SourceService

log = logging.getLogger(__name__)

PENDING_LIMIT = 10_000  # live messages a client may have waiting while its snapshot is computed


def make_monitor(settings: dict[str, Any], *, engine: sa.Engine, graph: GraphStore, projector: Projector,
                 dashboards: DashboardService, sources: SourceService) -> tuple[Monitor, HealthChecks]:
    """The monitor (change feed, statuses, hub, listener) and the health checks; hooks the projector so
    each batch records its changes in its own transaction and wakes this process's listener."""
    feed = ChangeFeed(engine, keep_rows=int(settings["MONITORING_KEEP_ROWS"]),
                      keep_seconds=float(settings["MONITORING_KEEP_SECONDS"]))
    reader = StatusReader(engine, snapshot_limit=int(settings["MONITORING_SNAPSHOT_LIMIT"]))
    hub = Hub(send_limit=int(settings["MONITORING_SEND_BUFFER"]), pending_limit=PENDING_LIMIT,
              heartbeat=float(settings["MONITORING_HEARTBEAT"]))
    listener = Listener(engine=engine, feed=feed, reader=reader, hub=hub, poll=float(settings["MONITORING_POLL"]))
    monitor = Monitor(engine=engine, graph=graph,
                      resolver=Resolver(graph=graph, records=projector.records, normalize=projector.normalize),
                      dashboards=dashboards, feed=feed, reader=reader, hub=hub, listener=listener,
                      max_depth=int(settings["MAX_DEPTH"]), max_nodes=int(settings["MAX_NODES"]))
    projector.on_project = feed.record_projection
    projector.on_batch = _also(projector.on_batch, listener.wake)
    health = HealthChecks(engine=engine, sources_=sources, feed=feed,
                          interval=float(settings["HEALTH_CHECK_INTERVAL"]), wake=listener.wake)
    return monitor, health


def _also(first: Callable[[int, int], None] | None, wake: Callable[[], None]) -> Callable[[int, int], None]:
    def on_batch(projected: int, failed: int) -> None:
        if first is not None:
            first(projected, failed)
        if projected:
            wake()

    return on_batch
