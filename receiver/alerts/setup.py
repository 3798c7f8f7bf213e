"""Building the alerting objects of one app (called by ``receiver/wiring.py``): wakes the rule evaluator
after each projection batch and publishes ``alert.*`` messages on the live monitoring streams."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from lineagelens.receiver.graph.base import GraphStore
from lineagelens.receiver.projection.projector import Projector
from lineagelens.receiver.sources.registry import Registry
from lineagelens.receiver.sources.service import SourceService

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
    hub = getattr(monitor, "hub", None)
    if hub is not None:
        alerts.set_publisher(_hub_publisher(hub))
    return alerts


def _hub_publisher(hub: Any) -> Callable[[str, dict[str, Any]], None]:
    """alert.* messages for the clients of this process's hub. Their ``seq`` is the hub's latest: alert
    messages are not in the change feed yet, so they are not replayed by ``since=`` and reach only the
    streams of the receiver that evaluated the rule."""
    from lineagelens.receiver.monitoring.status import Message

    def publish(kind: str, payload: dict[str, Any]) -> None:
        nodes = frozenset([payload["rootNodeId"], *payload.get("impactedNodeIds", [])])
        hub.publish([Message(type=kind, seq=int(getattr(hub, "last_seq", 0)), payload=payload, nodes=nodes)])

    return publish
