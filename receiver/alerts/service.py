"""The alerting objects of one receiver, built together and started / stopped together."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from lineagelens.receiver.graph.base import GraphStore
from lineagelens.receiver.sources.network import NetworkGuard
from lineagelens.receiver.sources.registry import Registry
from lineagelens.receiver.sources.secrets import SecretBox

from .channels import ChannelService
from .delivery import Delivery
from .evaluate import QUIET_SECONDS, Evaluator
from .facts import Facts
from .incidents import IncidentService, Publish
from .rules import RuleService
from .scheduler import Scheduler

log = logging.getLogger(__name__)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def quiet_seconds(settings: dict[str, Any]) -> float:
    """How long without a projection batch means ingest is quiet: 0.25 s, or two of the projection worker's
    longest lingers (under steady ingest it projects once per linger: those gaps are not quiet)."""
    return max(QUIET_SECONDS, 2 * float(settings.get("PROJECTION_MAX_LINGER_MS", 0)) / 1000)


@dataclass
class Alerts:
    rules: RuleService
    channels: ChannelService
    delivery: Delivery
    incidents: IncidentService
    evaluator: Evaluator
    scheduler: Scheduler
    facts: Facts
    clock: Callable[[], datetime]

    @classmethod
    def build(cls, *, settings: dict[str, Any], engine: sa.Engine, graph: GraphStore, registry: Registry,
              box: SecretBox, guard: NetworkGuard, clock: Callable[[], datetime] = _utcnow) -> Alerts:
        facts = Facts(engine)
        rules = RuleService(engine)
        channels = ChannelService(engine=engine, registry=registry, box=box, guard=guard,
                                  timeout=settings["SOURCE_TEST_TIMEOUT"])
        delivery = Delivery(engine=engine, channels=channels, retry_base=settings["ALERT_RETRY_BASE_SECONDS"],
                            retry_max=settings["ALERT_RETRY_MAX_SECONDS"], max_attempts=settings["ALERT_MAX_ATTEMPTS"],
                            poll_seconds=settings["ALERT_POLL_SECONDS"], clock=clock)
        incidents = IncidentService(engine=engine, graph=graph, facts=facts, channels=channels, delivery=delivery,
                                    impact_depth=settings["ALERT_IMPACT_DEPTH"],
                                    link_base=settings["ALERT_LINK_BASE_URL"], clock=clock)
        evaluator = Evaluator(engine=engine, rules=rules, facts=facts, incidents=incidents,
                              poll_seconds=settings["ALERT_POLL_SECONDS"],
                              max_delay_seconds=settings["ALERT_EVALUATE_MAX_DELAY_SECONDS"],
                              quiet_seconds=quiet_seconds(settings), clock=clock)
        scheduler = Scheduler(engine=engine, rules=rules, facts=facts, incidents=incidents,
                              interval=settings["ALERT_SCHEDULE_SECONDS"], clock=clock)
        evaluator.ensure_cursor()
        return cls(rules=rules, channels=channels, delivery=delivery, incidents=incidents, evaluator=evaluator,
                   scheduler=scheduler, facts=facts, clock=clock)

    def set_clock(self, clock: Callable[[], datetime]) -> None:
        """Use ``clock`` for every time the alerting objects read (tests drive time with it)."""
        self.clock = clock
        for part in (self.delivery, self.incidents, self.evaluator, self.scheduler):
            part.clock = clock

    def set_publisher(self, publish: Publish | None) -> None:
        """``publish(type, payload)`` after each committed incident change. The alert.* message itself is in the
        change feed (``incidents.journal``); the live streams use this only to wake this process's listener."""
        self.incidents.publish = publish

    def on_projected(self, projected: int, failed: int) -> None:
        """Called after each projection batch: wake the evaluator (never evaluate on the projection path)."""
        if projected:
            self.evaluator.wake()

    def run_pending(self, now: datetime | None = None) -> None:
        """Evaluate what is pending and deliver what is due, in this thread (tests, the CLI)."""
        self.evaluator.drain()
        self.delivery.run_due(now)

    def start(self, *, evaluate: bool = True, schedule: bool = True) -> None:
        """Start rule evaluation and delivery (``evaluate``) and the time-driven scheduler (``schedule``)."""
        if evaluate:
            self.evaluator.start()
            self.delivery.start()
        if schedule:
            self.scheduler.start()

    def stop(self, timeout: float = 5.0) -> None:
        self.evaluator.stop(timeout)
        self.scheduler.stop(timeout)
        self.delivery.stop(timeout)
