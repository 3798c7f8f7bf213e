"""Kafka ingest settings: LINEAGELENS_KAFKA_CONFIG must be a JSON object, and the consumer runs only where the
bootstrap is set and the background threads run (no broker needed here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lineagelens.receiver import config, services
from tests.conftest import close_app, make_app


def test_kafka_config_is_a_json_object_of_librdkafka_options() -> None:
    loaded = config.load(environ={"LINEAGELENS_KAFKA_CONFIG": '{"security.protocol": "SASL_SSL"}'})
    assert loaded["KAFKA_CONFIG"] == {"security.protocol": "SASL_SSL"}
    assert config.load(environ={"LINEAGELENS_KAFKA_CONFIG": " "})["KAFKA_CONFIG"] == {}
    assert config.load(environ={})["KAFKA_BOOTSTRAP"] == ""  # off by default
    with pytest.raises(ValueError, match="must be a JSON object"):
        config.load(environ={"LINEAGELENS_KAFKA_CONFIG": '["security.protocol"]'})
    with pytest.raises(ValueError, match="must be a JSON object"):
        config.load(environ={"LINEAGELENS_KAFKA_CONFIG": "security.protocol=SASL_SSL"})


def test_no_consumer_without_a_bootstrap_or_without_the_background_threads(tmp_path: Path) -> None:
    plain = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/a.db", "WORKER_ENABLED": True})
    quiet = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/b.db", "KAFKA_BOOTSTRAP": "127.0.0.1:19092"})
    try:
        assert services.get(plain).kafka is None
        assert services.get(quiet).kafka is None  # WORKER_ENABLED off (the migration app of `serve`, an API role)
    finally:
        close_app(plain)
        close_app(quiet)
