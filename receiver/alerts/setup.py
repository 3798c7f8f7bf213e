"""Building the alerting objects of one app (called by ``receiver/wiring.py``): wakes the rule evaluator
after each projection batch and puts ``alert.*`` messages on the live monitoring streams (their change feed)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from lineagelens.receiver.graph.base import GraphStore
from lineagelens.receiver.monitoring.changes import AlertChange
from lineagelens.receiver.projection.projector import Projector
from lineagelens.receiver.sources.registry import Registry
from lineagelens.receiver.sources.service import SourceService
from lineagelens.receiver.state.tables import incidents

from .incidents import announcement
from .service import Alerts

log = logging.getLogger(__name__)


def make_alerts(settings: dict[str, Any], *, engine: sa.Engine, graph: GraphStore, registry: Registry,
                sources: SourceService, projector: Projector, monitor: Any = None) -> Alerts:
    alerts = Alerts.build(settings=settings, engine=engine, graph=graph, registry=registry, box=sources.box,
                          guard=sources.guard)
    previous = projector.on_batch

    def on_batch(projected: int, failed: int) -> None:
        if previous is not None:
            previous(projected, failed)
        alerts.on_projected(projected, failed)

    projector.on_batch = on_batch
    if monitor is not None:
        connect_streams(alerts, monitor)
    return alerts


def connect_streams(alerts: Alerts, monitor: Any) -> None:
    """Put alert.* messages on the live monitoring streams of every receiver: each incident change records its
    message in the change feed, in its own transaction (``since=`` replays it); after the commit this process's
    listener is woken (other processes are notified, or poll); every process's listener rebuilds the payload
    from the incident row, with the registered loader (the monitoring layer does not import this one)."""
    feed, listener = monitor.feed, monitor.listener

    def journal(conn: sa.Connection, messages: Sequence[tuple[str, dict[str, Any]]]) -> None:
        feed.record_alerts(conn, [AlertChange(type=kind, incident_id=int(p["incidentId"]),
                                              root_node_id=str(p["rootNodeId"]), state=str(p["state"]))
                                  for kind, p in messages])

    alerts.incidents.journal = journal
    alerts.set_publisher(lambda kind, payload: listener.wake())
    monitor.reader.alert_payloads = stream_payloads


def stream_payloads(conn: sa.Connection, incident_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The alert.* payloads of ``incident_ids`` (their current rows), read in one query per 500 ids."""
    found: dict[int, dict[str, Any]] = {}
    ids = sorted(set(incident_ids))
    for start in range(0, len(ids), 500):
        for row in conn.execute(sa.select(incidents).where(incidents.c.id.in_(ids[start:start + 500]))):
            found[int(row.id)] = announcement(row)
    return found
