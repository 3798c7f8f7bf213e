"""The Spark settings that send OpenLineage events from ``openlineage-spark`` to LineageLens.

One source for ``lineagelens spark-conf`` (spark-submit flags and spark-defaults.conf lines) and for
:func:`configure`, which applies the same settings to a ``SparkSession.builder``. Nothing here imports pyspark.
"""

from __future__ import annotations

import logging
import shlex
from collections.abc import Mapping
from importlib import metadata
from typing import Any

log = logging.getLogger(__name__)

OPENLINEAGE_SPARK_VERSION = "1.53.0"  # io.openlineage:openlineage-spark_2.12 / _2.13 on Maven Central
LISTENER = "io.openlineage.spark.agent.OpenLineageSparkListener"
ENDPOINT = "/api/v1/lineage"
DEFAULT_NAMESPACE = "spark"
# The Java client has no retry: a short timeout keeps a Spark job from waiting on a receiver that hangs.
TIMEOUT_MILLIS = 5000


def installed_pyspark_version() -> str | None:
    """The installed pyspark's version, read from its metadata (pyspark itself is not imported)."""
    try:
        return metadata.version("pyspark")
    except metadata.PackageNotFoundError:
        return None


def scala_suffix(spark_version: str | None) -> str:
    """The Scala binary version of a Spark release's default build: 2.12 for Spark 3.x (pyspark's wheels are
    2.12 builds), 2.13 for Spark 4.x. Unknown: 2.12, the Spark 3.5 default."""
    major = (spark_version or "3").split(".", 1)[0]
    return "2.13" if major.isdigit() and int(major) >= 4 else "2.12"


def package(scala: str, version: str = OPENLINEAGE_SPARK_VERSION) -> str:
    return f"io.openlineage:openlineage-spark_{scala}:{version}"


def spark_settings(*, url: str, api_key: str | None = None, namespace: str | None = None,
                   scala: str | None = None, version: str = OPENLINEAGE_SPARK_VERSION) -> dict[str, str]:
    """The ``spark.*`` settings, in the order they are printed.

    ``scala`` defaults to the installed pyspark's Scala version (see :func:`scala_suffix`).
    """
    suffix = scala or scala_suffix(installed_pyspark_version())
    settings = {
        "spark.jars.packages": package(suffix, version),
        "spark.extraListeners": LISTENER,
        "spark.openlineage.transport.type": "http",
        "spark.openlineage.transport.url": url.rstrip("/"),
        "spark.openlineage.transport.endpoint": ENDPOINT,
        "spark.openlineage.transport.compression": "gzip",
        "spark.openlineage.transport.timeoutInMillis": str(TIMEOUT_MILLIS),
        "spark.openlineage.namespace": namespace or DEFAULT_NAMESPACE,
    }
    if api_key:
        settings["spark.openlineage.transport.auth.type"] = "api_key"
        settings["spark.openlineage.transport.auth.apiKey"] = api_key
    return settings


def submit_flags(settings: Mapping[str, str]) -> list[str]:
    """``spark-submit`` arguments: ``--packages`` for the jar, ``--conf k=v`` for the rest."""
    flags: list[str] = []
    for key, value in settings.items():
        if key == "spark.jars.packages":
            flags += ["--packages", value]
        else:
            flags += ["--conf", f"{key}={value}"]
    return flags


def render(settings: Mapping[str, str]) -> str:
    """The ready-to-paste text of ``lineagelens spark-conf``."""
    flags = submit_flags(settings)
    pairs = [" ".join(shlex.quote(part) for part in flags[i:i + 2]) for i in range(0, len(flags), 2)]
    width = max(len(k) for k in settings)
    lines = [
        "# spark-submit / pyspark flags:",
        "spark-submit \\\n  " + " \\\n  ".join(pairs) + " \\\n  your_job.py",
        "",
        "# or these lines in $SPARK_HOME/conf/spark-defaults.conf:",
        *(f"{key.ljust(width)}  {value}" for key, value in settings.items()),
        "",
        "# or in Python: from lineagelens.integrations.spark import configure",
        "#               spark = configure(SparkSession.builder, url=..., api_key=..., namespace=...).getOrCreate()",
    ]
    return "\n".join(lines) + "\n"


def _merged(builder: Any, key: str, value: str) -> str:
    """``value`` joined to what the builder already has for a comma-separated list setting."""
    current = str(getattr(builder, "_options", {}).get(key) or "")
    items = [item.strip() for item in current.split(",") if item.strip()]
    return ",".join([*items, value] if value not in items else items)


def configure(builder: Any, *, url: str, api_key: str | None = None, namespace: str | None = None,
              scala: str | None = None, version: str = OPENLINEAGE_SPARK_VERSION) -> Any:
    """Apply the LineageLens settings to a ``SparkSession.Builder`` and return it (for chaining)::

        spark = configure(SparkSession.builder.appName("orders"), url="http://lineagelens:5000").getOrCreate()

    Packages and listeners already on the builder are kept. Takes effect only for a new SparkContext: call it
    before the first ``getOrCreate()`` of the process.
    """
    for key, value in spark_settings(url=url, api_key=api_key, namespace=namespace, scala=scala,
                                     version=version).items():
        if key in {"spark.jars.packages", "spark.extraListeners"}:
            value = _merged(builder, key, value)
        builder = builder.config(key, value)
    return builder
