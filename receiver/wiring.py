"""Builds the per-app services (stores, projector, worker, plugins) from the settings."""

from __future__ import annotations

import atexit
import functools
import logging
import os
from typing import Any

from flask import Flask

from lineagelens.receiver import plugins, services, wake_bus
from lineagelens.receiver.alerts.setup import make_alerts
from lineagelens.receiver.auth.identity import make_auth
from lineagelens.receiver.auth.sso import make_sso
from lineagelens.receiver.background import Wakeable
from lineagelens.receiver.dashboards import DashboardService, ManualLineage
from lineagelens.receiver.graph.base import GraphStore
from lineagelens.receiver.graph.sql import SqlGraphStore
from lineagelens.receiver.identity.console import IdentityConsole
from lineagelens.receiver.ingest import Ingestor
from lineagelens.receiver.keyring import Keyring
from lineagelens.receiver.metrics import Metrics
from lineagelens.receiver.monitoring.setup import make_monitor
from lineagelens.receiver.openlineage import ParsedEvent, facets
from lineagelens.receiver.projection.projector import Projector
from lineagelens.receiver.projection.worker import CatchUpWorker
from lineagelens.receiver.sources.network import NetworkGuard, parse_networks, parse_roots
from lineagelens.receiver.sources.registry import Registry
from lineagelens.receiver.sources.secrets import SecretBox
from lineagelens.receiver.sources.service import SourceService
from lineagelens.receiver.state import db
from lineagelens.receiver.state.event_log import EventLog
from lineagelens.receiver.state.record_store import RecordStore
from lineagelens.receiver.state.records import Key
from lineagelens.receiver.wake_bus import WakeBus

log = logging.getLogger(__name__)


def make_graph_store(settings: dict[str, Any], engine: Any) -> GraphStore:
    url = settings["GRAPH_URL"]
    if not url:
        return SqlGraphStore(engine)
    if url.split("://", 1)[0] in {"neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc"}:
        from lineagelens.receiver.graph.neo4j import Neo4jGraphStore

        return Neo4jGraphStore(url=url, user=settings["GRAPH_USER"], password=settings["GRAPH_PASSWORD"],
                               database=settings["GRAPH_DATABASE"])
    raise ValueError(f"LINEAGELENS_GRAPH_URL must be empty or a neo4j:// / bolt:// URL, got {url!r}")


ROLES = ("all", "api", "worker", "scheduler")


def runs_work(settings: dict[str, Any]) -> tuple[bool, bool]:
    """Whether this process runs the worker's part (projection, Kafka, alert evaluation and delivery) and the
    scheduler's part (health checks, the alert scheduler), from ``ROLE`` and ``WORKER_ENABLED``."""
    role = settings["ROLE"]
    if role not in ROLES:
        raise ValueError(f"LINEAGELENS_ROLE must be one of {', '.join(ROLES)}, got {role!r}")
    enabled = bool(settings["WORKER_ENABLED"])
    return enabled and role in {"all", "worker"}, enabled and role in {"all", "scheduler"}


def init_app(app: Flask) -> None:
    settings: dict[str, Any] = app.config["LINEAGELENS"]
    logging.getLogger("lineagelens").setLevel(settings["LOG_LEVEL"])
    pm = plugins.make_manager(only=settings["PLUGINS"])
    keyring = Keyring.load(secret_key=settings["SECRET_KEY"], key_file=settings["KEY_FILE"],
                           previous_keys=settings["PREVIOUS_SECRET_KEYS"])
    engine = db.create_engine(settings["DATABASE_URL"])
    db.upgrade(engine)
    graph = make_graph_store(settings, engine)
    try:
        graph.setup()
    except Exception as exc:  # an unreachable graph store must not stop ingest
        log.warning("graph store setup failed, will retry on projection: %s", exc)
    facets.warm()
    metrics = Metrics(shared_dir=os.path.join(settings["SERVE_DIR"], "metrics") if settings["SERVE_DIR"] else None)
    event_log = EventLog(engine)
    metrics.watch_backlog(event_log.backlog)

    def normalize(namespace: str, name: str) -> Key:
        answer = pm.hook.normalize_dataset(namespace=namespace, name=name)
        return (str(answer[0]), str(answer[1])) if answer else (namespace, name)

    projector = Projector(engine=engine, events=event_log, records=RecordStore(engine), graph=graph,
                          batch_size=settings["PROJECTION_BATCH_SIZE"], normalize=normalize,
                          on_batch=metrics.on_batch)
    worker = CatchUpWorker(projector, max_backoff=settings["WORKER_MAX_BACKOFF"],
                           max_linger_seconds=settings["PROJECTION_MAX_LINGER_MS"] / 1000)

    def after_commit(event: ParsedEvent) -> None:
        plugins.call_each(pm.hook.event_received, event=event, app=app)

    ingestor = Ingestor(events=event_log, projector=projector, worker=worker, metrics=metrics,
                        strict_facets=settings["STRICT_FACETS"],
                        inline=settings["PROJECTION_MODE"] == "inline",
                        wait_seconds=settings["PROJECTION_WAIT_SECONDS"], after_commit=after_commit,
                        projects_here=settings["ROLE"] in {"all", "worker"})
    registry = Registry.from_plugins(pm)
    guard = NetworkGuard(deny=parse_networks(settings["SOURCE_DENY_NETWORKS"]),
                         allow=parse_networks(settings["SOURCE_ALLOW_NETWORKS"]))
    sources = SourceService(engine=engine, graph=graph, registry=registry, guard=guard,
                            box=SecretBox(keyring.derive_all("secrets")),
                            timeout=settings["SOURCE_TEST_TIMEOUT"],
                            filesystem_roots=parse_roots(settings["FILESYSTEM_ROOTS"]))
    manual = ManualLineage(engine=engine, graph=graph)
    projector.after_rebuild = manual.sync_all
    dashboards = DashboardService(engine=engine, graph=graph, manual=manual, sources=sources)
    monitor, health = make_monitor(settings, engine=engine, graph=graph, projector=projector,
                                   dashboards=dashboards, sources=sources)
    app.extensions[services.KEY] = found = services.Services(
        settings=settings, engine=engine, events=event_log, records=projector.records, graph=graph,
        projector=projector, worker=worker, ingestor=ingestor, metrics=metrics, plugins=pm, registry=registry,
        sources=sources, dashboards=dashboards, keyring=keyring,
        auth=make_auth(settings=settings, engine=engine, session_key=keyring.derive("session-jwt")),
        sso=make_sso(settings, state_key=keyring.derive("oidc-state")), monitor=monitor, health=health,
        alerts=make_alerts(settings, engine=engine, graph=graph, registry=registry, sources=sources,
                           projector=projector, monitor=monitor),
        identity=IdentityConsole(engine=engine, events=event_log, graph=graph, projector=projector, plugins=pm))
    works, schedules = runs_work(settings)
    if settings["SERVE_DIR"]:
        found.wake_bus = _join_wake_bus(os.path.join(settings["SERVE_DIR"], "wake"), found, works=works)
    if works:
        worker.start()
        worker.wake()  # catch up on whatever an earlier process left pending
        found.identity.applier.start()  # merge rules of the identity console, re-projected in the background
    if schedules:
        health.start()  # periodic source health checks (one process across receivers runs them)
    if settings["ALERTS_ENABLED"] and (works or schedules):
        found.alerts.start(evaluate=works, schedule=schedules)  # evaluation + delivery; the scheduler
    if settings["KAFKA_BOOTSTRAP"] and works:
        # Kafka ingest: one consumer per process, every receiver in one group (docs/kafka.md)
        from lineagelens.receiver.kafka import KafkaIngest

        found.kafka = KafkaIngest(ingestor=ingestor, metrics=metrics, bootstrap=settings["KAFKA_BOOTSTRAP"],
                                  topic=settings["KAFKA_TOPIC"], group=settings["KAFKA_GROUP"],
                                  dead_letter_topic=settings["KAFKA_DEAD_LETTER_TOPIC"],
                                  options=settings["KAFKA_CONFIG"], batch_size=settings["KAFKA_BATCH_SIZE"],
                                  max_bytes=settings["MAX_CONTENT_LENGTH"])
        found.kafka.start()
        atexit.register(found.kafka.stop, 5.0)
    atexit.register(found.worker.stop, 20.0)  # a graceful stop lets the current batch finish
    if found.wake_bus is not None:
        atexit.register(found.wake_bus.stop)
    atexit.register(monitor.stop)  # stream clients get 1001 (going away)
    atexit.register(health.stop)
    atexit.register(found.alerts.stop, 2.0)
    atexit.register(found.identity.applier.stop, 2.0)


def _join_wake_bus(directory: str, found: services.Services, *, works: bool) -> WakeBus:
    """Wake the other processes of this ``serve`` when there is work for them, and be woken by theirs:
    change-feed rows wake every live-monitoring listener; committed events, projected batches, stored merge
    rules and queued notifications wake the projection worker, rule evaluator, merge applier and alert
    delivery of the process that runs them (``works``)."""
    loops: dict[str, Wakeable] = {
        wake_bus.CHANGES: found.monitor.listener, wake_bus.EVENTS: found.worker,
        wake_bus.PROJECTED: found.alerts.evaluator, wake_bus.MERGES: found.identity.applier,
        wake_bus.NOTIFICATIONS: found.alerts.delivery}
    handlers = {topic: loop.wake_here for topic, loop in loops.items() if works or topic == wake_bus.CHANGES}
    os.makedirs(directory, mode=0o700, exist_ok=True)
    bus = WakeBus(directory, handlers)
    for topic, loop in loops.items():
        loop.announce = functools.partial(bus.send, topic)
    bus.start()
    return bus
