"""``lineagelens airflow-config`` and ``lineagelens spark-conf``: ready-to-paste producer settings.

Registered on the main ``lineagelens`` group by :mod:`lineagelens.receiver.cli`::

    from lineagelens.integrations.cli import airflow_config, spark_conf
    main.add_command(airflow_config)
    main.add_command(spark_conf)
"""

from __future__ import annotations

import logging
import shlex

import click

from lineagelens.integrations.airflow import config as airflow_cfg
from lineagelens.integrations.spark import config as spark_cfg

log = logging.getLogger(__name__)

_url = click.option("--url", required=True, help="The receiver's base URL as the producers reach it, "
                    "e.g. http://lineagelens:5000")
_api_key = click.option("--api-key", default=None, help="Ingest API key (one of LINEAGELENS_INGEST_API_KEYS); "
                        "sent as 'Authorization: Bearer <key>'.")


@click.command("airflow-config")
@_url
@_api_key
@click.option("--namespace", default=airflow_cfg.DEFAULT_NAMESPACE, show_default=True,
              help="OpenLineage namespace of the Airflow jobs.")
@click.option("--format", "fmt", type=click.Choice(["all", "env", "yaml", "cfg"]), default="all",
              show_default=True, help="env: export lines; yaml: openlineage.yml; cfg: airflow.cfg sections.")
def airflow_config(url: str, api_key: str | None, namespace: str, fmt: str) -> None:
    """Print Airflow settings that send OpenLineage events to LineageLens (gzip, short timeout, bounded
    retry) and configure the LineageLens Airflow plugin."""
    click.echo(airflow_cfg.render(url=url, api_key=api_key, namespace=namespace, fmt=fmt), nl=False)


@click.command("spark-conf")
@_url
@_api_key
@click.option("--namespace", default=spark_cfg.DEFAULT_NAMESPACE, show_default=True,
              help="OpenLineage namespace of the Spark jobs.")
@click.option("--spark-version", default=None, help="Spark version the jobs run on (default: the installed "
              "pyspark's); picks the jar's Scala suffix: 2.12 for 3.x, 2.13 for 4.x.")
@click.option("--scala", type=click.Choice(["2.12", "2.13"]), default=None,
              help="Force the Scala suffix (for Spark builds that differ from the default).")
@click.option("--format", "fmt", type=click.Choice(["all", "submit", "defaults"]), default="all",
              show_default=True, help="submit: spark-submit arguments only; defaults: spark-defaults.conf lines.")
def spark_conf(url: str, api_key: str | None, namespace: str, spark_version: str | None, scala: str | None,
               fmt: str) -> None:
    """Print spark-submit flags and spark-defaults.conf lines that add the openlineage-spark listener and
    send its events to LineageLens (gzip, 5 s timeout)."""
    version = spark_version or spark_cfg.installed_pyspark_version()
    suffix = scala or spark_cfg.scala_suffix(version)
    settings = spark_cfg.spark_settings(url=url, api_key=api_key, namespace=namespace, scala=suffix)
    if fmt == "submit":
        click.echo(" ".join(shlex.quote(part) for part in spark_cfg.submit_flags(settings)))
        return
    if fmt == "defaults":
        click.echo("\n".join(f"{key} {value}" for key, value in settings.items()))
        return
    source = f"Spark {version}" if version else "no pyspark found, assuming Spark 3.x"
    click.echo(f"# openlineage-spark {spark_cfg.OPENLINEAGE_SPARK_VERSION} for Scala {suffix} ({source})")
    click.echo(spark_cfg.render(settings), nl=False)
