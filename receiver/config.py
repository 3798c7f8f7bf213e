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

from lineagelens.receiver.sources.network import DEFAULT_DENY

log = logging.getLogger(__name__)

PREFIX = "LINEAGELENS_"


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


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
    Setting("INGEST_API_KEYS", "", "Comma-separated API keys; when set, POSTs to /api/v1/lineage need "
            "'Authorization: Bearer <key>' (401 without, 403 with an unknown key)."),
    Setting("STRICT_FACETS", False, "Reject (422) events whose standard facets break their schema, "
            "instead of accepting them with a warning.", _bool),
    Setting("PROJECTION_MODE", "inline", "inline: answer once the event is in the graph (reads see it at "
            "once; concurrent requests share one projection pass); background: answer after the commit and "
            "let the worker project.",),
    Setting("PROJECTION_WAIT_SECONDS", 5.0, "In inline mode, how long a request waits for its event to be "
            "projected before answering anyway (the event is committed either way).", float),
    Setting("PROJECTION_BATCH_SIZE", 500, "Events per projection batch (one graph round trip each).", int),
    Setting("WORKER_ENABLED", True, "Run the catch-up worker thread that projects pending events.", _bool),
    Setting("WORKER_MAX_BACKOFF", 30.0, "Longest wait in seconds between retries while the graph store "
            "is unreachable.", float),
    Setting("MAX_DEPTH", 20, "Largest traversal depth a lineage query may ask for.", int),
    Setting("MAX_NODES", 5000, "Largest number of nodes one lineage answer may hold.", int),
    Setting("SOURCE_TEST_TIMEOUT", 5.0, "Seconds a source connection test may take.", float),
    Setting("SOURCE_DENY_NETWORKS", ",".join(DEFAULT_DENY),
            "Comma-separated networks connection tests never connect to (default: link-local and cloud "
            "metadata addresses)."),
    Setting("SOURCE_ALLOW_NETWORKS", "", "Comma-separated networks connection tests may connect to "
            "(empty: any not denied)."),
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
