"""Built-in database source types: PostgreSQL and MySQL (a real connect and ``SELECT 1``)."""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, fields, validate

from lineagelens.plugins.icons import badge
from lineagelens.receiver.plugins import hookimpl
from lineagelens.receiver.sources.network import NetworkRefused
from lineagelens.receiver.sources.types import CheckContext, ConnectionResult, SourceType, secret, target

log = logging.getLogger(__name__)


class DatabaseConfig(Schema):
    host = target(fields.String(required=True, validate=validate.Length(min=1, max=255), metadata={"title": "Host"}))
    port = target(fields.Integer(validate=validate.Range(min=1, max=65535), metadata={"title": "Port"}))
    database = target(fields.String(required=True, validate=validate.Length(min=1), metadata={"title": "Database"}))
    user = fields.String(load_default="", metadata={"title": "User"})
    password = secret(load_default="", metadata={"title": "Password"})


class PostgresConfig(DatabaseConfig):
    # a weaker SSL mode exposes the password on the way: it counts as retargeting
    sslmode = target(fields.String(load_default="prefer", validate=validate.OneOf(
        ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]), metadata={"title": "SSL mode"}))


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


_VERSION = re.compile(r"\d+(?:\.\d+){0,3}")


def server_version(text: Any) -> str:
    """The leading version number of what the server reports (``15.4 (Debian ...)`` -> ``15.4``); never the
    rest of the string."""
    found = _VERSION.match(str(text or "").strip())
    return found.group(0) if found else "unknown"


# Errors are reported by their code, never by the server's text: a "server" at a test's address could put
# anything in it. Everything before a valid answer reads the same, whatever the port does.
POSTGRES_ERRORS = {"28P01": "authentication failed", "28000": "authentication failed (no pg_hba.conf entry or "
                   "not authorised)", "3D000": "the database does not exist", "53300": "too many connections"}
MYSQL_ERRORS = {1045: "authentication failed", 1044: "access to the database denied",
                1049: "the database does not exist", 1040: "too many connections"}


POSTGRES_TEXTS = (("password authentication failed", "authentication failed"),
                  ("no pg_hba.conf entry", "authentication failed (no pg_hba.conf entry or not authorised)"),
                  ("does not exist", "the database or the user does not exist"))


def postgres_failure(exc: Exception) -> str | None:
    """A fixed phrase for a PostgreSQL connection error (by SQLSTATE, else by libpq's known wording), or None.
    Only the phrase is shown, never the server's text."""
    known = POSTGRES_ERRORS.get(str(getattr(exc, "sqlstate", "") or ""))
    text = str(exc)
    return known or next((phrase for needle, phrase in POSTGRES_TEXTS if needle in text), None)


def _cannot_connect(what: str, known: str | None, started: float, exc: Exception) -> ConnectionResult:
    log.info("connection test: %s refused the connection (%s)", what, type(exc).__name__)
    return ConnectionResult(False, f"cannot connect: {known or f'unreachable or not a {what} server'}",
                            _elapsed_ms(started))


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
            return _cannot_connect("PostgreSQL", postgres_failure(exc), started, exc)
        server = server_version(version[1] if version else None)
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
            code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
            return _cannot_connect("MySQL", MYSQL_ERRORS.get(code) if code is not None else None, started, exc)
        server = server_version(row[1] if row else None)
        return ConnectionResult(True, f"connected; SELECT 1 answered (MySQL {server})", _elapsed_ms(started),
                                {"serverVersion": server})


@hookimpl
def register_source_types() -> list[type[SourceType]]:
    return [Postgres, MySQL]
