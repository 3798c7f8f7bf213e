"""Built-in dataset naming rules (OpenLineage naming spec): one spelling per data source.

- ``postgresql://`` is written ``postgres://``; a missing port gets the scheme's default port;
- scheme and host are lower-case (names keep their case: many databases are case-sensitive).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from lineagelens.receiver.plugins import hookimpl

log = logging.getLogger(__name__)

SCHEME_ALIASES = {"postgresql": "postgres", "mysql2": "mysql"}
DEFAULT_PORTS = {"postgres": 5432, "mysql": 3306, "redshift": 5439, "trino": 8080, "mssql": 1433,
                 "oracle": 1521, "db2": 50000, "teradata": 1025, "clickhouse": 8123}


def normalize_namespace(namespace: str) -> str:
    if "://" not in namespace:
        return namespace
    parts = urlsplit(namespace)
    scheme = SCHEME_ALIASES.get(parts.scheme.lower(), parts.scheme.lower())
    try:
        port = parts.port
    except ValueError:
        return namespace
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return f"{scheme}://{parts.netloc}{parts.path}" if parts.scheme.lower() != scheme else namespace
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}:{port or DEFAULT_PORTS[scheme]}{parts.path.rstrip('/')}"


@hookimpl
def normalize_dataset(namespace: str, name: str) -> tuple[str, str] | None:
    normalised = normalize_namespace(namespace)
    return (normalised, name) if normalised != namespace else None
