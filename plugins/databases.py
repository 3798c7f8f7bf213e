"""Built-in database source types: PostgreSQL and MySQL (a real connect and ``SELECT 1``)."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, fields, validate

from lineagelens.plugins.icons import badge
from lineagelens.receiver.plugins import hookimpl
from lineagelens.receiver.sources.network import NetworkRefused
from lineagelens.receiver.sources.types import CheckContext, ConnectionResult, SourceType, secret

log = logging.getLogger(__name__)


class DatabaseConfig(Schema):
    host = fields.String(required=True, validate=validate.Length(min=1, max=255), metadata={"title": "Host"})
    port = fields.Integer(validate=validate.Range(min=1, max=65535), metadata={"title": "Port"})
    database = fields.String(required=True, validate=validate.Length(min=1), metadata={"title": "Database"})
    user = fields.String(load_default="", metadata={"title": "User"})
    password = secret(load_default="", metadata={"title": "Password"})


class PostgresConfig(DatabaseConfig):
    sslmode = fields.String(load_default="prefer", validate=validate.OneOf(
        ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]), metadata={"title": "SSL mode"})


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


class Postgres(SourceType):
    kind = "postgres"
    label = "PostgreSQL"
    category = "Databases"
    icon = badge("PG", "#336791")
    config_schema = PostgresConfig
    default_config = {"host": "localhost", "port": 5432, "database": "postgres", "user": "postgres",
                                         "sslmode": "prefer"}

    def namespaces(self, config: Mapping[str, Any]) -> list[str]:
        return [f"postgres://{str(config['host']).lower()}:{config.get('port') or 5432}"]

    def test_connection(self, config: Mapping[str, Any], ctx: CheckContext) -> ConnectionResult:
        import psycopg

        port = int(config.get("port") or 5432)
        started = time.perf_counter()
        try:
            _, address = ctx.guard.resolve(config["host"], port)[0]
            with psycopg.connect(host=config["host"], hostaddr=address, port=port, dbname=config["database"],
                                 user=config.get("user") or None, password=config.get("password") or None,
                                 sslmode=config.get("sslmode", "prefer"),
                                 connect_timeout=max(1, math.ceil(ctx.timeout))) as conn:
                version = conn.execute("SELECT 1, current_setting('server_version')").fetchone()
        except NetworkRefused:
            raise
        except (psycopg.Error, OSError) as exc:
            return ConnectionResult(False, f"cannot connect: {str(exc).strip().splitlines()[0]}", _elapsed_ms(started))
        server = version[1] if version else "?"
        return ConnectionResult(True, f"connected; SELECT 1 answered (PostgreSQL {server})", _elapsed_ms(started),
                                {"serverVersion": server})


class MySQL(SourceType):
    kind = "mysql"
    label = "MySQL / MariaDB"
    category = "Databases"
    icon = badge("My", "#00758f")
    config_schema = DatabaseConfig
    default_config = {"host": "localhost", "port": 3306, "database": "mysql", "user": "root"}

    def namespaces(self, config: Mapping[str, Any]) -> list[str]:
        return [f"mysql://{str(config['host']).lower()}:{config.get('port') or 3306}"]

    def test_connection(self, config: Mapping[str, Any], ctx: CheckContext) -> ConnectionResult:
        import pymysql

        port = int(config.get("port") or 3306)
        started = time.perf_counter()
        try:
            _, address = ctx.guard.resolve(config["host"], port)[0]
            conn = pymysql.connect(host=address, port=port, user=config.get("user") or None,
                                   password=config.get("password") or "", database=config["database"],
                                   connect_timeout=ctx.timeout, read_timeout=ctx.timeout)
            try:
                with conn.cursor() as cur:
                    cur.execute("SELECT 1, VERSION()")
                    row = cur.fetchone()
            finally:
                conn.close()
        except NetworkRefused:
            raise
        except (pymysql.MySQLError, OSError) as exc:
            return ConnectionResult(False, f"cannot connect: {exc}", _elapsed_ms(started))
        server = str(row[1]) if row else "?"
        return ConnectionResult(True, f"connected; SELECT 1 answered ({server})", _elapsed_ms(started),
                                {"serverVersion": server})


@hookimpl
def register_source_types() -> list[type[SourceType]]:
    return [Postgres, MySQL]
