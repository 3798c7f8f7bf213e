"""Settings: every setting is declared once here (name, default, help).

Values come from the defaults, then an optional file (``LINEAGELENS_CONFIG``, a Python or JSON file of
UPPER_CASE names), then ``LINEAGELENS_*`` environment variables, then the ``config`` mapping passed to
:func:`lineagelens.receiver.create_app` (tests use that last layer).
"""

from __future__ import annotations

import json
import logging
import os
import runpy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lineagelens.receiver import gc_tuning

log = logging.getLogger(__name__)

PREFIX = "LINEAGELENS_"


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def on_off(name: str, value: str) -> bool:
    """A strict on/off switch: anything else is an error, never a silent off."""
    text = value.strip().lower()
    if text in {"on", "true", "1", "yes"}:
        return True
    if text in {"off", "false", "0", "no"}:
        return False
    raise ValueError(f"{PREFIX}{name} must be on or off, got {value!r}")


def json_object(name: str, value: str) -> dict[str, Any]:
    """A JSON object setting (empty text: {})."""
    if not value.strip():
        return {}
    try:
        found = json.loads(value)
    except ValueError as exc:
        raise ValueError(f"{PREFIX}{name} must be a JSON object: {exc}") from exc
    if not isinstance(found, dict):
        raise ValueError(f"{PREFIX}{name} must be a JSON object, got {type(found).__name__}")
    return found


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DATABASE_URL",
        "sqlite:///lineagelens.db",
        "SQLAlchemy URL of the state store (event log, runs, jobs, datasets). "
        "SQLite by default; postgresql+psycopg://user@host/db in production.",
    ),
    Setting(
        "GRAPH_URL",
        "",
        "Graph store. Empty: the SQL graph store inside the state database. "
        "neo4j://, neo4j+s://, bolt:// or bolt+s://: a Neo4j server.",
    ),
    Setting("GRAPH_USER", "neo4j", "Neo4j user name."),
    Setting("GRAPH_PASSWORD", "", "Neo4j password (empty: no authentication)."),
    Setting("GRAPH_DATABASE", "", "Neo4j database name (empty: the server's default)."),
    Setting("MAX_CONTENT_LENGTH", 10 * 1024 * 1024, "Largest accepted request body in bytes, "
            "after gzip decompression.", int),
    Setting("AUTH", True, "on (default): every route but health, the UI files and sign-in needs a credential "
            "(see docs/security.md). off: every request acts as an admin; only allowed when serving on "
            "loopback.", lambda text: on_off("AUTH", text)),
    Setting("INGEST_API_KEYS", "", "Comma-separated extra ingest API keys (all namespaces), sent as "
            "'Authorization: Bearer <key>'; API keys made with 'lineagelens apikey create' are stored hashed "
            "instead."),
    Setting("STRICT_FACETS", False, "Strict mode: reject (422) events that break the spec in ways the "
            "leniency rule accepts (no schemaURL, a stray eventType, a time without zone, ...; docs/api.md) "
            "and events whose standard facets break their schema, instead of accepting them with a warning.",
            _bool),
    Setting("PROJECTION_MODE", "background", "background: answer producers at the durable commit of the "
            "event log and project in the worker (a request with 'Prefer: wait=projected' still waits for the "
            "graph); inline: every ingest request waits until its events are in the graph.",),
    Setting("PROJECTION_WAIT_SECONDS", 5.0, "Longest a request that waits for projection (inline mode, or "
            "'Prefer: wait=projected') waits before answering anyway (the event is committed either way).",
            float),
    Setting("PROJECTION_BATCH_SIZE", 500, "Events per projection batch (one graph round trip each).", int),
    Setting("PROJECTION_MAX_LINGER_MS", 250, "Background projection waits for producers to pause (20 ms without "
            "a commit) before a pass, at most this long: under a stream of events, fewer and larger batches and "
            "faster acknowledgements, at the price of up to this much extra delay before the graph shows an "
            "event. A request that waits for projection never lingers. 0: a pass right after each commit.", int),
    Setting("WORKER_ENABLED", True, "Run this process's background work (the projection worker, Kafka "
            "consumer, alert evaluation and delivery, health checks and the alert scheduler, as its ROLE says). "
            "False: serve requests only.", _bool),
    Setting("ROLE", "all", "What this process runs besides serving HTTP and live streams: all (default; under "
            "'lineagelens serve' in one background process beside the HTTP workers, which then run api), api "
            "(nothing else; producers still get answers at the commit, and 'Prefer: wait=projected' projects in "
            "the request), worker (projection, Kafka ingest, alert evaluation and delivery) or scheduler (source "
            "health checks and the alert scheduler). 'lineagelens serve --role' sets it; docs/deploy.md.",
            lambda v: v.strip().lower()),
    Setting("SERVE_DIR", "", "A private folder shared by the processes of one 'lineagelens serve' (its HTTP "
            "workers and its background process), which 'serve' makes and sets: they wake each other there when "
            "there is work for another process (committed events, projected batches, live-monitoring changes, "
            "merge rules, alert notifications: receiver/wake_bus.py), and /metrics sums the metrics "
            "files each writes there. Empty: processes notice each other's commits by polling (PostgreSQL NOTIFY "
            "still reaches live monitoring) and /metrics shows this process's own metrics."),
    Setting("GC_THRESHOLDS", gc_tuning.DEFAULT, "Garbage-collector thresholds of the processes of 'lineagelens "
            "serve' (its HTTP workers and background process), which also freeze what they built at start-up so "
            "no collection walks it again; empty: the interpreter's defaults (700,10,10) and no freeze. See "
            "receiver/gc_tuning.py.", gc_tuning.parse),
    Setting("WORKER_MAX_BACKOFF", 30.0, "Longest wait in seconds between retries while the graph store "
            "is unreachable.", float),
    Setting("HEALTH_CHECK_INTERVAL", 300.0, "Seconds between periodic source health checks (a source's own "
            "checkIntervalSeconds wins); one process across receivers runs them. 0: no periodic checks "
            "(POST /api/v1/sources/<id>/test still checks on demand).", float),
    Setting("MONITORING_SEND_BUFFER", 1024 * 1024, "Bytes a live-monitoring WebSocket client may have "
            "waiting to be sent; a client further behind is dropped with close code 4408.", int),
    Setting("MONITORING_HEARTBEAT", 15.0, "Seconds of silence after which a live stream sends a heartbeat.",
            float),
    Setting("MONITORING_POLL", 1.0, "Seconds between the stream listener's checks of the change feed when no "
            "notification arrives (PostgreSQL NOTIFY or this process's projector wake it at once).", float),
    Setting("MONITORING_KEEP_ROWS", 100_000, "Change-feed rows kept for resuming streams (?since=); older "
            "ones are pruned, and a client further behind gets a fresh snapshot.", int),
    Setting("MONITORING_KEEP_SECONDS", 86_400.0, "Longest a change-feed row is kept for resuming streams.",
            float),
    Setting("MONITORING_SNAPSHOT_LIMIT", 5000, "Most nodes of each kind in the snapshot of an unfiltered "
            "/ws/events stream (the most recently seen first).", int),
    Setting("MAX_DEPTH", 20, "Largest traversal depth a lineage query may ask for.", int),
    Setting("MAX_NODES", 5000, "Largest number of nodes one lineage answer may hold.", int),
    Setting("SOURCE_TEST_TIMEOUT", 5.0, "Seconds a source connection test may take.", float),
    Setting("SOURCE_DENY_NETWORKS", "", "Comma-separated networks that connection tests and notification "
            "channels never connect to, on top of the built-in refusals (loopback, private, CGNAT, ULA, "
            "link-local, multicast, reserved, cloud metadata). An allowed network more specific than a denied one "
            "wins: 0.0.0.0/0,::/0 here with an allow list reaches only the allowed networks."),
    Setting("SOURCE_ALLOW_NETWORKS", "", "Comma-separated networks opened as exceptions to the built-in "
            "refusals, e.g. 10.20.0.0/16 for on-prem databases (public addresses are allowed without it). A cloud "
            "metadata address opens only when listed exactly (169.254.169.254/32). See docs/security.md."),
    Setting("FILESYSTEM_ROOTS", "", "Comma-separated directories the filesystem source may look into (paths "
            "are resolved, symlinks and .. included, and must stay under a root). Empty: filesystem sources can "
            "be created but their connection tests are refused."),
    Setting("SECRET_KEY", "", "Master key (any long random string) from which session-token and secret "
            "encryption keys are derived. Empty: read LINEAGELENS_KEY_FILE, created on first start."),
    Setting("KEY_FILE", "lineagelens.key", "File holding the master key when LINEAGELENS_SECRET_KEY is empty; "
            "created with mode 0600 on first start. Keep it with your backups of the state database."),
    Setting("PREVIOUS_SECRET_KEYS", "", "Comma-separated earlier values of LINEAGELENS_SECRET_KEY, still "
            "accepted for reading stored secrets while `lineagelens secrets rotate` re-encrypts them under the "
            "current key; remove them after the rotation. See docs/security.md."),
    Setting("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]", "Comma-separated host names the receiver answers "
            "to (the Host header, port ignored; '.example.com' also matches its subdomains; '*' any host, only "
            "when written explicitly). Other hosts get 400: this defeats DNS rebinding. A deployment must set "
            "its public host name here."),
    Setting("CORS_ORIGINS", "", "Comma-separated exact origins (https://app.example.com) allowed to call "
            "the API from a browser page of theirs, with credentials. Empty: CORS off ('*' is refused)."),
    Setting("FRAME_ANCESTORS", "'none'", "CSP frame-ancestors: the pages that may show the UI in a frame. "
            "'none' also sends X-Frame-Options: DENY. For the Airflow plugin's embedded UI: "
            "\"'self' https://airflow.example.com\"."),
    Setting("PROXY_FIX", 0, "Number of trusted reverse proxies in front of the receiver: when > 0, the "
            "client address and scheme come from X-Forwarded-For / X-Forwarded-Proto (that many hops). "
            "0: the headers are ignored.", int),
    Setting("INGEST_RATE_LIMIT", "5000/second", "Rate limit of POST /api/v1/lineage and /lineage/batch per "
            "API key (or per client address without one), in flask-limiter notation ('5000/second', "
            "'100/second;100000/hour'). Empty: no limit."),
    Setting("SIGNIN_RATE_LIMIT", "10/minute", "Rate limit of password sign-in attempts per client address "
            "and user name. Empty: no limit."),
    Setting("RATE_LIMIT_STORAGE", "memory://", "Where rate-limit counters live (a limits storage URI: "
            "memory:// is per process; redis://host:6379 shares them between processes and receivers)."),
    Setting("COOKIE_SAMESITE", "strict", "SameSite attribute of the session cookies: strict (default), lax, "
            "or none for a UI embedded in a page of another site (the Airflow plugin on another domain): none "
            "also marks them Secure and Partitioned, so it needs HTTPS. See docs/security.md \"Inside Airflow\"."),
    Setting("OIDC_ISSUER", "", "Single sign-on: the OpenID provider's issuer URL (discovery at "
            "<issuer>/.well-known/openid-configuration). Empty: single sign-on is off. https, or http on "
            "loopback only."),
    Setting("OIDC_CLIENT_ID", "", "Single sign-on: the client id registered at the provider."),
    Setting("OIDC_CLIENT_SECRET", "", "Single sign-on: the client secret (a confidential client, sent with "
            "HTTP Basic); empty for a public client (PKCE only)."),
    Setting("OIDC_SCOPES", "openid profile email groups", "Single sign-on: the scopes asked for (space- "
            "or comma-separated; openid is always included)."),
    Setting("OIDC_REDIRECT_URL", "", "Single sign-on: the public callback URL registered at the provider, "
            "https://lineagelens.example.com/api/v1/auth/oidc/callback."),
    Setting("OIDC_GROUPS_CLAIM", "groups", "Single sign-on: the claim (ID token or userinfo) listing the "
            "user's groups."),
    Setting("OIDC_USERNAME_CLAIM", "preferred_username", "Single sign-on: the claim naming the user "
            "(the LineageLens user is oidc:<value>). Pick a claim the provider controls and keeps unique: "
            "sub when users may edit their own user name or email."),
    Setting("OIDC_ROLE_MAP", "", "Single sign-on: group to role, 'data-admins=admin,data-eng=editor,*=viewer' "
            "(';' separates entries when group names hold commas). The highest matching role wins; '*' "
            "applies when no group matches; without a match and without '*' sign-in is refused (403)."),
    Setting("OIDC_TIMEOUT", 5.0, "Single sign-on: seconds each call to the provider may take.", float),
    Setting("AIRFLOW_SHARED_SECRET", "", "The secret (32 characters or more) the Airflow plugin signs its "
            "sign-in tokens with; the same value as [lineagelens] shared_secret in Airflow. Empty: the "
            "Airflow sign-in route is off."),
    Setting("AIRFLOW_MAX_ROLE", "editor", "Highest role an Airflow sign-in token can grant (viewer, editor or "
            "admin); a higher role in a token is lowered to this one."),
    Setting("ALERTS_ENABLED", True, "Evaluate alert rules, run the alert scheduler and deliver notifications in "
            "background threads of this receiver (they also need WORKER_ENABLED). See docs/alerts.md.", _bool),
    Setting("ALERT_POLL_SECONDS", 2.0, "Seconds between the rule evaluator's and the delivery queue's polls "
            "when nothing wakes them (another receiver's events, retries falling due).", float),
    Setting("ALERT_EVALUATE_MAX_DELAY_SECONDS", 2.0, "Longest wait of the event-driven rule evaluator after a "
            "projection batch: it evaluates once no batch came for 0.25 s (or twice PROJECTION_MAX_LINGER_MS "
            "if longer), but at least once per this many seconds while ingest stays busy (larger passes "
            "instead of passes competing with ingest).",
            float),
    Setting("ALERT_SCHEDULE_SECONDS", 30.0, "Seconds between evaluations of the time-driven rules (deadline, "
            "freshness, source health); one receiver across the deployment runs them (PostgreSQL advisory "
            "lock).", float),
    Setting("ALERT_IMPACT_DEPTH", 5, "How many hops downstream an incident's impact reaches.", int),
    Setting("ALERT_RETRY_BASE_SECONDS", 30.0, "First retry delay of a failed notification; doubled at each "
            "attempt (exponential backoff), capped at ALERT_RETRY_MAX_SECONDS.", float),
    Setting("ALERT_RETRY_MAX_SECONDS", 3600.0, "Longest delay between two delivery attempts.", float),
    Setting("ALERT_MAX_ATTEMPTS", 8, "Delivery attempts before a notification is marked failed.", int),
    Setting("ALERT_LINK_BASE_URL", "", "Public URL of the LineageLens UI (https://lineagelens.example.com): "
            "notifications link to the incident there. Empty: messages carry no link."),
    Setting("KAFKA_BOOTSTRAP", "", "Kafka ingest: the brokers (host:port,host:port) of the topic OpenLineage "
            "producers write to with the Kafka transport. Empty: Kafka ingest is off. The consumer is a background "
            "thread of the receiver, like the projection worker (it also needs WORKER_ENABLED). See docs/kafka.md."),
    Setting("KAFKA_TOPIC", "openlineage", "Kafka ingest: the topic consumed."),
    Setting("KAFKA_GROUP", "lineagelens", "Kafka ingest: the consumer group every receiver joins (the topic's "
            "partitions are shared between them)."),
    Setting("KAFKA_DEAD_LETTER_TOPIC", "openlineage.dlq", "Kafka ingest: where records that cannot be ingested "
            "(not JSON, too large, invalid events) go, with headers saying why. Empty: they are logged and "
            "skipped."),
    Setting("KAFKA_CONFIG", {}, "Kafka ingest: a JSON object of librdkafka options for the consumer and the "
            "dead-letter producer, e.g. {\"security.protocol\": \"SASL_SSL\", \"sasl.mechanism\": \"SCRAM-SHA-512\", "
            "\"sasl.username\": \"...\", \"sasl.password\": \"...\", \"ssl.ca.location\": \"/etc/kafka/ca.pem\"}.",
            lambda text: json_object("KAFKA_CONFIG", text)),
    Setting("KAFKA_BATCH_SIZE", 500, "Kafka ingest: most records taken and committed to the event log at once.",
            int),
    Setting("PLUGINS", "", "Comma-separated names: load only these plugins (empty: all installed).",),
    Setting("LOG_LEVEL", "INFO", "Python logging level."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def defaults() -> dict[str, Any]:
    return {s.name: s.default for s in SETTINGS}


def _from_file(path: str) -> dict[str, Any]:
    if path.endswith(".json"):
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    else:
        data = runpy.run_path(path)
    return {k.removeprefix(PREFIX): v for k, v in data.items() if k.isupper()}


def _from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(PREFIX + setting.name)
        if raw is not None:
            found[setting.name] = setting.parse(raw)
    return found


def load(overrides: Mapping[str, Any] | None = None,
         environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Resolve the settings: defaults < file < environment < ``overrides``.

    Keys of ``overrides`` that are not settings are ignored here (create_app passes them to Flask).
    """
    env = os.environ if environ is None else environ
    values = defaults()
    if path := env.get(PREFIX + "CONFIG"):
        from_file = _from_file(path)
        unknown = sorted(set(from_file) - set(_BY_NAME))
        if unknown:
            log.warning("%s: ignoring unknown settings %s", path, ", ".join(unknown))
        values.update({k: v for k, v in from_file.items() if k in _BY_NAME})
    values.update(_from_env(env))
    for key, value in (overrides or {}).items():
        setting = _BY_NAME.get(key.removeprefix(PREFIX))
        if setting is not None:
            values[setting.name] = setting.parse(value) if isinstance(value, str) else value
    return values


def describe() -> list[dict[str, Any]]:
    """The settings as documentation rows (used by docs/configuration.md's test)."""
    return [{"env": PREFIX + s.name, "default": s.default, "help": s.help} for s in SETTINGS]
