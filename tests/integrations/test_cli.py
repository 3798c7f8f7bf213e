"""``lineagelens airflow-config`` / ``spark-conf`` and ``lineagelens.integrations.spark.configure``."""

from __future__ import annotations

import json
import shlex
from typing import Any

import pytest
from click.testing import CliRunner

from lineagelens.integrations.airflow import config as airflow_config
from lineagelens.integrations.cli import airflow_config as airflow_config_command
from lineagelens.integrations.cli import spark_conf
from lineagelens.integrations.spark import OPENLINEAGE_SPARK_VERSION, configure, scala_suffix


def invoke(command: Any, *args: str) -> str:
    result = CliRunner().invoke(command, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def exports(text: str) -> dict[str, str]:
    pairs = (shlex.split(line.removeprefix("export "))[0].split("=", 1) for line in text.splitlines()
             if line.startswith("export "))
    return dict(pairs)


def test_lineagelens_cli_registers_the_integration_commands() -> None:
    """The lead wires these onto the main group (receiver/cli.py); this fails until that is done."""
    from lineagelens.receiver.cli import main

    assert {"airflow-config", "spark-conf"} <= set(main.commands)


def test_airflow_config_env_points_the_provider_and_the_plugin_at_the_receiver() -> None:
    env = exports(invoke(airflow_config_command, "--url", "http://lineagelens:5000/", "--api-key", "k 1",
                         "--namespace", "prod", "--format", "env"))
    transport = json.loads(env["AIRFLOW__OPENLINEAGE__TRANSPORT"])
    assert transport["type"] == "http" and transport["url"] == "http://lineagelens:5000"
    assert transport["endpoint"] == "api/v1/lineage" and transport["compression"] == "gzip"
    assert transport["auth"] == {"type": "api_key", "apiKey": "k 1"}
    assert transport["timeout"] <= 5 and transport["retry"]["total"] <= 3
    assert env["AIRFLOW__OPENLINEAGE__NAMESPACE"] == "prod"
    assert env["AIRFLOW__LINEAGELENS__URL"] == "http://lineagelens:5000"
    assert env["AIRFLOW__LINEAGELENS__API_KEY"] == "k 1"


def test_airflow_config_without_a_key_sends_no_auth() -> None:
    env = exports(invoke(airflow_config_command, "--url", "http://x:5000", "--format", "env"))
    assert "auth" not in json.loads(env["AIRFLOW__OPENLINEAGE__TRANSPORT"])
    assert "AIRFLOW__LINEAGELENS__API_KEY" not in env
    assert env["AIRFLOW__OPENLINEAGE__NAMESPACE"] == airflow_config.DEFAULT_NAMESPACE


def test_airflow_config_prints_env_yaml_and_cfg_by_default() -> None:
    text = invoke(airflow_config_command, "--url", "http://x:5000", "--api-key", "k")
    assert "export AIRFLOW__OPENLINEAGE__TRANSPORT=" in text
    assert "transport:\n  type: \"http\"" in text and '  compression: "gzip"' in text and 'apiKey: "k"' in text
    assert "[openlineage]\nnamespace = airflow\ntransport = {" in text and "[lineagelens]\nurl = http://x:5000" in text


@pytest.mark.parametrize(("spark", "scala"), [("3.5.9", "2.12"), ("3.4.1", "2.12"), ("4.0.1", "2.13"),
                                              ("4.1.0", "2.13"), (None, "2.12")])
def test_scala_suffix_follows_the_spark_major_version(spark: str | None, scala: str) -> None:
    assert scala_suffix(spark) == scala


def test_spark_conf_submit_flags_carry_the_jar_listener_transport_and_key() -> None:
    flags = shlex.split(invoke(spark_conf, "--url", "http://ll:5000/", "--api-key", "k", "--namespace", "etl",
                               "--spark-version", "4.0.1", "--format", "submit"))
    assert flags[:2] == ["--packages", f"io.openlineage:openlineage-spark_2.13:{OPENLINEAGE_SPARK_VERSION}"]
    confs = dict(flags[i + 1].split("=", 1) for i in range(2, len(flags), 2))
    assert confs == {
        "spark.extraListeners": "io.openlineage.spark.agent.OpenLineageSparkListener",
        "spark.openlineage.transport.type": "http",
        "spark.openlineage.transport.url": "http://ll:5000",
        "spark.openlineage.transport.endpoint": "/api/v1/lineage",
        "spark.openlineage.transport.compression": "gzip",
        "spark.openlineage.transport.timeoutInMillis": "5000",
        "spark.openlineage.namespace": "etl",
        "spark.openlineage.transport.auth.type": "api_key",
        "spark.openlineage.transport.auth.apiKey": "k",
    }


def test_spark_conf_defaults_lines_and_scala_override() -> None:
    lines = invoke(spark_conf, "--url", "http://ll:5000", "--scala", "2.13", "--format", "defaults").splitlines()
    assert f"spark.jars.packages io.openlineage:openlineage-spark_2.13:{OPENLINEAGE_SPARK_VERSION}" in lines
    assert not any("auth" in line for line in lines)
    text = invoke(spark_conf, "--url", "http://ll:5000", "--spark-version", "3.5.9")
    assert "--packages io.openlineage:openlineage-spark_2.12:" in text and "spark-defaults.conf" in text


class FakeBuilder:
    """Records ``config`` calls the way ``SparkSession.Builder`` keeps them (``_options``)."""

    def __init__(self, **options: str) -> None:
        self._options = dict(options)

    def config(self, key: str, value: str) -> FakeBuilder:
        self._options[key] = value
        return self


def test_configure_applies_the_settings_and_keeps_existing_packages_and_listeners() -> None:
    builder = FakeBuilder(**{"spark.jars.packages": "org.postgresql:postgresql:42.7.4",
                             "spark.extraListeners": "com.example.Listener"})
    result = configure(builder, url="http://ll:5000", api_key="k", namespace="etl", scala="2.12")
    assert result is builder
    options = builder._options
    assert options["spark.jars.packages"] == ("org.postgresql:postgresql:42.7.4,"
                                              f"io.openlineage:openlineage-spark_2.12:{OPENLINEAGE_SPARK_VERSION}")
    assert options["spark.extraListeners"] == "com.example.Listener,io.openlineage.spark.agent.OpenLineageSparkListener"
    assert options["spark.openlineage.transport.auth.apiKey"] == "k"
    assert options["spark.openlineage.namespace"] == "etl"
    configure(builder, url="http://ll:5000", scala="2.12")  # applying twice does not duplicate the jar
    assert options["spark.jars.packages"].count("openlineage-spark") == 1
