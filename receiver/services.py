"""The per-application service objects, kept in ``app.extensions["lineagelens"]``."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pluggy
import sqlalchemy as sa
from flask import Flask, current_app

from lineagelens.receiver.alerts.service import Alerts
from lineagelens.receiver.auth.identity import Auth
from lineagelens.receiver.auth.sso import Sso
from lineagelens.receiver.dashboards import DashboardService
from lineagelens.receiver.graph.base import GraphStore
from lineagelens.receiver.identity.console import IdentityConsole
from lineagelens.receiver.ingest import Ingestor
from lineagelens.receiver.keyring import Keyring
from lineagelens.receiver.metrics import Metrics
from lineagelens.receiver.monitoring.health import HealthChecks
from lineagelens.receiver.monitoring.streams import Monitor
from lineagelens.receiver.projection.projector import Projector
from lineagelens.receiver.projection.worker import CatchUpWorker
from lineagelens.receiver.sources.registry import Registry
from lineagelens.receiver.sources.service import SourceService
from lineagelens.receiver.state.event_log import EventLog
from lineagelens.receiver.state.record_store import RecordStore
from lineagelens.receiver.wake_bus import WakeBus

if TYPE_CHECKING:  # confluent-kafka is imported only when Kafka ingest is on
    from lineagelens.receiver.kafka import KafkaIngest

log = logging.getLogger(__name__)

KEY = "lineagelens"


@dataclass
class Services:
    settings: dict[str, Any]
    engine: sa.Engine
    events: EventLog
    records: RecordStore
    graph: GraphStore
    projector: Projector
    worker: CatchUpWorker
    ingestor: Ingestor
    metrics: Metrics
    plugins: pluggy.PluginManager
    registry: Registry
    sources: SourceService
    dashboards: DashboardService
    keyring: Keyring
    auth: Auth
    sso: Sso  # single sign-on (OIDC) and the Airflow plugin's sign-in
    monitor: Monitor  # live monitoring streams (receiver/monitoring)
    health: HealthChecks  # source health checks, periodic and on demand
    alerts: Alerts  # alert rules, channels, incidents, delivery (receiver/alerts)
    identity: IdentityConsole  # duplicates, external sources, merge rules applied in the background
    wake_bus: WakeBus | None = None  # the processes of one `lineagelens serve` wake each other (SERVE_DIR)
    kafka: KafkaIngest | None = None  # the Kafka consumer thread when LINEAGELENS_KAFKA_BOOTSTRAP is set

    def close(self) -> None:
        if self.kafka is not None:  # first: no new events once the rest shuts down
            self.kafka.stop()
        self.worker.stop()
        self.health.stop()
        self.alerts.stop()
        self.identity.applier.stop()
        self.monitor.stop()
        if self.wake_bus is not None:
            self.wake_bus.stop()
        self.graph.close()
        self.events.close()
        self.engine.dispose()


def get(app: Flask | None = None) -> Services:
    """The services of ``app`` (default: the current app)."""
    services: Services = (app or current_app).extensions[KEY]
    return services
