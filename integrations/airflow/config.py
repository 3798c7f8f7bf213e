"""The Airflow settings that point the OpenLineage provider (and the LineageLens plugin) at a receiver.

Rendered by ``lineagelens airflow-config`` as environment variables, an ``openlineage.yml`` and airflow.cfg
sections. The transport has a short timeout and a bounded retry, so a receiver that is down costs a task about
a second per event instead of the client default's ~10 s, and sends gzip-compressed events.
"""

from __future__ import annotations

import json
import logging
import shlex
from typing import Any

log = logging.getLogger(__name__)

ENDPOINT = "api/v1/lineage"
DEFAULT_NAMESPACE = "airflow"
TIMEOUT_SECONDS = 3.0
# urllib3 Retry options; merged over the client's defaults (which also allow retrying POST).
RETRY: dict[str, Any] = {"total": 2, "connect": 2, "read": 1, "backoff_factor": 0.3,
                         "status_forcelist": [500, 502, 503, 504]}


def transport(*, url: str, api_key: str | None = None) -> dict[str, Any]:
    """The ``[openlineage] transport`` value (and the ``transport:`` of openlineage.yml)."""
    config: dict[str, Any] = {"type": "http", "url": url.rstrip("/"), "endpoint": ENDPOINT,
                              "timeout": TIMEOUT_SECONDS, "compression": "gzip", "retry": dict(RETRY)}
    if api_key:
        config["auth"] = {"type": "api_key", "apiKey": api_key}
    return config


def env(*, url: str, api_key: str | None = None, namespace: str | None = None) -> dict[str, str]:
    """Environment variables for every Airflow component (scheduler, workers, dag processor, api-server)."""
    values = {
        "AIRFLOW__OPENLINEAGE__NAMESPACE": namespace or DEFAULT_NAMESPACE,
        "AIRFLOW__OPENLINEAGE__TRANSPORT": json.dumps(transport(url=url, api_key=api_key), separators=(",", ":")),
        "AIRFLOW__LINEAGELENS__URL": url.rstrip("/"),
    }
    if api_key:
        values["AIRFLOW__LINEAGELENS__API_KEY"] = api_key
    return values


def _yaml(value: Any, indent: int = 0) -> list[str]:
    """A minimal YAML writer for nested dicts of scalars and lists (JSON scalars are valid YAML)."""
    pad = "  " * indent
    lines: list[str] = []
    for key, item in value.items():
        if isinstance(item, dict):
            lines += [f"{pad}{key}:", *_yaml(item, indent + 1)]
        else:
            lines.append(f"{pad}{key}: {json.dumps(item)}")
    return lines


def openlineage_yml(*, url: str, api_key: str | None = None) -> str:
    """An ``openlineage.yml`` for ``AIRFLOW__OPENLINEAGE__CONFIG_PATH`` (or ``OPENLINEAGE_CONFIG``)."""
    return "\n".join(_yaml({"transport": transport(url=url, api_key=api_key)})) + "\n"


def airflow_cfg(*, url: str, api_key: str | None = None, namespace: str | None = None) -> str:
    lines = ["[openlineage]", f"namespace = {namespace or DEFAULT_NAMESPACE}",
             f"transport = {json.dumps(transport(url=url, api_key=api_key), separators=(',', ':'))}", "",
             "[lineagelens]", f"url = {url.rstrip('/')}"]
    if api_key:
        lines.append(f"api_key = {api_key}")
    return "\n".join(lines) + "\n"


def render(*, url: str, api_key: str | None = None, namespace: str | None = None, fmt: str = "all") -> str:
    """The text of ``lineagelens airflow-config`` (``fmt``: all, env, yaml or cfg)."""
    exports = "\n".join(f"export {k}={shlex.quote(v)}"
                        for k, v in env(url=url, api_key=api_key, namespace=namespace).items()) + "\n"
    yml = openlineage_yml(url=url, api_key=api_key)
    cfg = airflow_cfg(url=url, api_key=api_key, namespace=namespace)
    if fmt == "env":
        return exports
    if fmt == "yaml":
        return yml
    if fmt == "cfg":
        return cfg
    ns = shlex.quote(namespace or DEFAULT_NAMESPACE)
    return "\n".join([
        "# 1. Environment variables for every Airflow component (needs apache-airflow-providers-openlineage):",
        exports,
        "# 2. Or an openlineage.yml, pointed at by the provider:",
        "#    export AIRFLOW__OPENLINEAGE__CONFIG_PATH=/path/to/openlineage.yml",
        f"#    export AIRFLOW__OPENLINEAGE__NAMESPACE={ns}",
        "#    (and AIRFLOW__LINEAGELENS__URL / _API_KEY from 1. for the LineageLens plugin's pages)",
        "# ---- openlineage.yml ----",
        yml,
        "# 3. Or the same in airflow.cfg:",
        cfg,
    ])
