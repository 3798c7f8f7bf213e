"""Target fields: the config fields that say where a source is. Changing one drops the stored secrets, so
every built-in type that has secrets must declare them (a type that declares none falls back to treating
every non-secret field as a target)."""

from __future__ import annotations

from marshmallow import Schema, fields

from lineagelens.plugins.databases import MySQL, Postgres
from lineagelens.plugins.services import Airflow, FileSystem, Kafka, ObjectStore, Spark
from lineagelens.receiver.sources.types import secret, secret_fields, target, target_fields


def test_built_in_source_types_declare_where_they_point() -> None:
    expected = {
        Postgres: {"host", "port", "database", "sslmode"},
        MySQL: {"host", "port", "database"},
        Airflow: {"url"},
        Spark: {"url"},
        Kafka: {"bootstrapServers"},
        ObjectStore: {"bucket", "endpoint"},
        FileSystem: {"scheme", "path"},
    }
    for source_type, targets in expected.items():
        assert set(target_fields(source_type.config_schema) or []) == targets, source_type.kind
        assert not targets & set(secret_fields(source_type.config_schema))


def test_a_schema_without_target_fields_says_none() -> None:
    class Legacy(Schema):
        url = fields.String()
        token = secret()

    class Marked(Schema):
        address = target(fields.String(data_key="serverAddress", metadata={"title": "Address"}))

    assert target_fields(Legacy) is None
    assert target_fields(Marked) == ["serverAddress"]
    assert Marked().fields["address"].metadata == {"title": "Address", "target": True}
