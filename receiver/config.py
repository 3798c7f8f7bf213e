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
    Setting("WORKER_ENABLED", True, "Run the catch-up worker thread that projects pending events.", _bool),
    Setting("WORKER_MAX_BACKOFF", 30.0, "Longest wait in seconds between retries while the graph store "
            "is unreachable.", float),
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
