"""Built-in source types reached over HTTP or TCP: Airflow, Spark, Kafka, S3-compatible object stores,
HDFS and local files."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import struct
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from marshmallow import Schema, ValidationError, fields, validate, validates

from lineagelens.plugins.icons import badge
from lineagelens.receiver.plugins import hookimpl
from lineagelens.receiver.sources.network import NetworkGuard, check_url, http_request, under_roots
from lineagelens.receiver.sources.types import CheckContext, ConnectionResult, HttpUrl, SourceType, secret, target

log = logging.getLogger(__name__)

# Results carry a status and parsed, typed fields only: never the target's body or error text, so a
# connection test cannot be used to read whatever answers at an address.


def _url_field(title: str, **kwargs: Any) -> HttpUrl:
    return target(HttpUrl(metadata={"title": title}, **kwargs))  # where the source is: see target()


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _unreachable(what: str, started: float, exc: Exception) -> ConnectionResult:
    """One message for every failure before a valid answer: refused, timed out, not the protocol ...
    (the exception's class is logged for the operator; its text, which may quote the target, is not)."""
    log.info("connection test: %s unreachable (%s)", what, type(exc).__name__)
    return ConnectionResult(False, f"unreachable or not {what}", _ms(started))


def _bad_url(exc: ValueError, started: float) -> ConnectionResult:
    return ConnectionResult(False, f"the configured URL is not accepted: {exc}", _ms(started))


def _bearer(config: Mapping[str, Any]) -> dict[str, str]:
    token = config.get("token")
    return {"Authorization": f"Bearer {token}"} if token else {}


class AirflowConfig(Schema):
    url = _url_field("URL", required=True)
    namespace = fields.String(load_default="default", metadata={"title": "OpenLineage namespace",
                                                              "description": "AIRFLOW__OPENLINEAGE__NAMESPACE"})
    token = secret(load_default="", metadata={"title": "API token"})


HEALTH_STATES = frozenset({"healthy", "unhealthy"})
AIRFLOW_COMPONENTS = (("metadatabase", "metadatabase"), ("scheduler", "scheduler"), ("triggerer", "triggerer"),
                      ("dag_processor", "dagProcessor"))


def airflow_health(document: Any) -> dict[str, str | None] | None:
    """Airflow's health document reduced to one status per component (``healthy``, ``unhealthy``,
    ``unknown`` for anything else, None when absent); None when it is not an Airflow health document."""
    if not isinstance(document, dict) or not isinstance(document.get("metadatabase"), dict):
        return None
    found: dict[str, str | None] = {}
    for key, name in AIRFLOW_COMPONENTS:
        part = document.get(key)
        status = part.get("status") if isinstance(part, dict) else None
        found[name] = None if part is None else (status if status in HEALTH_STATES else "unknown")
    return found


class Airflow(SourceType):
    kind = "airflow"
    label = "Apache Airflow"
    category = "Orchestrators"
    icon = badge("AF", "#017cee")
    config_schema = AirflowConfig
    default_config = {"url": "http://localhost:8080", "namespace": "default"}

    def namespaces(self, config: Mapping[str, Any]) -> list[str]:
        return [str(config.get("namespace") or "default")]

    def test_connection(self, config: Mapping[str, Any], ctx: CheckContext) -> ConnectionResult:
        """Airflow 3 answers /api/v2/monitor/health; Airflow 2 answers /health."""
        started = time.perf_counter()
        try:
            base = check_url(str(config["url"]))
        except ValueError as exc:
            return _bad_url(exc, started)
        try:
            for path, version in (("/api/v2/monitor/health", "3.x"), ("/health", "2.x")):
                answer = http_request(ctx.guard, base, path=path, timeout=ctx.timeout, headers=_bearer(config))
                if answer.status == 404:
                    continue
                if answer.status != 200:
                    return ConnectionResult(False, f"{path} answered HTTP {answer.status}", _ms(started),
                                            {"status": answer.status})
                try:
                    health = airflow_health(answer.json())
                except ValueError:
                    health = None
                if health is None:
                    return ConnectionResult(False, f"{path} answered HTTP 200 but not with Airflow's health "
                                                   "document", _ms(started), {"status": 200})
                ok = health["metadatabase"] == "healthy"
                return ConnectionResult(ok, f"Airflow {version}: metadatabase {health['metadatabase']}, "
                                            f"scheduler {health['scheduler']}", _ms(started),
                                        {"version": version, **health})
            return ConnectionResult(False, "no Airflow health endpoint found", _ms(started), {"status": 404})
        except OSError as exc:
            return _unreachable("an Airflow server", started, exc)


class SparkConfig(Schema):
    url = _url_field("URL", required=True)
    namespace = fields.String(load_default="spark", metadata={"title": "OpenLineage namespace",
                                                            "description": "spark.openlineage.namespace"})


class Spark(SourceType):
    kind = "spark"
    label = "Apache Spark"
    category = "Compute"
    icon = badge("Sp", "#e25a1c")
    config_schema = SparkConfig
    default_config = {"url": "http://localhost:18080", "namespace": "spark"}

    def namespaces(self, config: Mapping[str, Any]) -> list[str]:
        return [str(config.get("namespace") or "spark")]

    def test_connection(self, config: Mapping[str, Any], ctx: CheckContext) -> ConnectionResult:
        """A History Server or an application UI lists applications at /api/v1/applications."""
        started = time.perf_counter()
        try:
            base = check_url(str(config["url"]))
        except ValueError as exc:
            return _bad_url(exc, started)
        try:
            answer = http_request(ctx.guard, base, path="/api/v1/applications", query={"limit": 5},
                                  timeout=ctx.timeout)
        except OSError as exc:
            return _unreachable("a Spark REST API", started, exc)
        if answer.status != 200:
            return ConnectionResult(False, f"/api/v1/applications answered HTTP {answer.status}", _ms(started),
                                    {"status": answer.status})
        try:
            apps = answer.json()
        except ValueError:
            apps = None
        if not isinstance(apps, list) or not all(isinstance(a, dict) and isinstance(a.get("id"), str) for a in apps):
            return ConnectionResult(False, "/api/v1/applications answered HTTP 200 but not with Spark's "
                                           "application list", _ms(started), {"status": 200})
        return ConnectionResult(True, f"Spark REST API answered; {len(apps)} recent applications", _ms(started),
                                {"applicationCount": len(apps)})


def _host_port(item: str, default_port: int) -> tuple[str, int]:
    parts = urlsplit("//" + item.strip())
    if not parts.hostname or parts.path or parts.query or parts.fragment or "@" in parts.netloc:
        raise ValueError(f"not host:port: {item!r}")
    return parts.hostname, parts.port or default_port


class KafkaConfig(Schema):
    bootstrap_servers = target(fields.String(required=True, data_key="bootstrapServers", metadata={
        "title": "Bootstrap servers", "placeholder": "broker1:9092,broker2:9092"}))

    @validates("bootstrap_servers")
    def _servers(self, value: str, **_: Any) -> None:
        try:
            [_host_port(s, 9092) for s in value.split(",") if s.strip()]
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc


API_VERSIONS = 18  # the Kafka ApiVersions request; every broker answers version 0 of it
_UNSUPPORTED_VERSION = 35


def _read_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("closed before a full answer")
        data += chunk
    return data


def kafka_api_versions(sock: socket.socket) -> bool:
    """Ask for ApiVersions (v0) and check the answer is a well-formed Kafka response to it that lists
    ApiVersions itself. False (or OSError) for anything else."""
    correlation = secrets.randbelow(2**31)
    client = b"lineagelens"
    header = struct.pack(">hhih", API_VERSIONS, 0, correlation, len(client)) + client
    sock.sendall(struct.pack(">i", len(header)) + header)
    (size,) = struct.unpack(">i", _read_exact(sock, 4))
    if not 10 <= size <= 64 * 1024:
        return False
    body = _read_exact(sock, size)
    answered, error, count = struct.unpack(">ihi", body[:10])
    if answered != correlation or error not in (0, _UNSUPPORTED_VERSION) or size != 10 + 6 * count:
        return False
    keys = {struct.unpack(">h", body[10 + 6 * i:12 + 6 * i])[0] for i in range(count)}
    return API_VERSIONS in keys


class Kafka(SourceType):
    kind = "kafka"
    label = "Apache Kafka"
    category = "Streaming"
    icon = badge("Kf", "#231f20")
    config_schema = KafkaConfig
    default_config = {"bootstrapServers": "localhost:9092"}

    def _servers(self, config: Mapping[str, Any]) -> list[tuple[str, int]]:
        raw = str(config.get("bootstrap_servers") or config.get("bootstrapServers") or "")
        return [_host_port(s, 9092) for s in raw.split(",") if s.strip()]

    def namespaces(self, config: Mapping[str, Any]) -> list[str]:
        return [f"kafka://{host}:{port}" for host, port in self._servers(config)]

    @staticmethod
    def _is_broker(guard: NetworkGuard, host: str, port: int, timeout: float) -> bool:
        try:
            with guard.connect(host, port, timeout) as sock:
                return kafka_api_versions(sock)
        except (OSError, struct.error) as exc:  # refused, timed out, closed, garbage: all the same to the caller
            log.info("kafka test: %s:%s did not answer as a broker (%s)", host, port, type(exc).__name__)
            return False

    def test_connection(self, config: Mapping[str, Any], ctx: CheckContext) -> ConnectionResult:
        """Each bootstrap server must answer a Kafka ApiVersions request. A closed port, a timeout and a
        service that is not Kafka give the same result, so the test cannot map which ports are open."""
        started = time.perf_counter()
        reached: list[str] = []
        failed: list[str] = []
        for host, port in self._servers(config):
            (reached if self._is_broker(ctx.guard, host, port, ctx.timeout) else failed).append(f"{host}:{port}")
        if reached:
            message = f"Kafka broker answered at {', '.join(reached)}"
            if failed:
                message += f"; unreachable or not a Kafka broker: {', '.join(failed)}"
        else:
            message = "unreachable or not a Kafka broker"
        return ConnectionResult(bool(reached), message, _ms(started), {"reached": reached, "failed": failed})


BUCKET = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$",
                         error="a bucket name: letters, digits, dots, hyphens and underscores")


class ObjectStoreConfig(Schema):
    bucket = target(fields.String(required=True, validate=BUCKET, metadata={"title": "Bucket"}))
    endpoint = _url_field("Endpoint URL", load_default="https://s3.amazonaws.com")
    region = fields.String(load_default="", metadata={"title": "Region"})
    access_key_id = fields.String(load_default="", data_key="accessKeyId", metadata={"title": "Access key id"})
    secret_access_key = secret(load_default="", data_key="secretAccessKey", metadata={"title": "Secret access key"})


class ObjectStore(SourceType):
    kind = "s3"
    label = "S3 / object store"
    category = "Storage"
    icon = badge("S3", "#7aa116")
    config_schema = ObjectStoreConfig
    default_config = {"bucket": "", "endpoint": "https://s3.amazonaws.com"}

    def namespaces(self, config: Mapping[str, Any]) -> list[str]:
        return [f"s3://{config['bucket']}"]

    def test_connection(self, config: Mapping[str, Any], ctx: CheckContext) -> ConnectionResult:
        """The endpoint answers, and for the bucket: 2xx or 403 means it exists, 404 means it does not."""
        started = time.perf_counter()
        try:
            base = check_url(str(config.get("endpoint")))
        except ValueError as exc:
            return _bad_url(exc, started)
        try:
            answer = http_request(ctx.guard, base, path="/" + quote(str(config["bucket"]), safe=""),
                                  timeout=ctx.timeout, method="HEAD")
        except OSError as exc:
            return _unreachable("an object store endpoint", started, exc)
        if answer.status == 404:
            return ConnectionResult(False, f"endpoint reachable, but bucket {config['bucket']!r} not found",
                                    _ms(started), {"status": 404})
        exists = answer.status < 300 or answer.status == 403
        note = " (access denied without signed requests)" if answer.status == 403 else ""
        return ConnectionResult(exists, f"endpoint answered HTTP {answer.status}{note}", _ms(started),
                                {"status": answer.status})


class FileSystemConfig(Schema):
    scheme = target(fields.String(load_default="file", validate=validate.OneOf(["file", "hdfs"]),
                                  metadata={"title": "Scheme"}))
    path = target(fields.String(load_default="/", metadata={"title": "Path (file) or namenode host:port (hdfs)"}))


NO_ROOTS = ("the filesystem source is disabled on this receiver: set LINEAGELENS_FILESYSTEM_ROOTS to the "
            "directories it may look into")


class FileSystem(SourceType):
    kind = "filesystem"
    label = "Files / HDFS"
    category = "Storage"
    icon = badge("FS", "#6b7280")
    config_schema = FileSystemConfig
    default_config = {"scheme": "file", "path": "/data"}

    def namespaces(self, config: Mapping[str, Any]) -> list[str]:
        if config.get("scheme") == "hdfs":
            host, port = _host_port(str(config.get("path")), 8020)
            return [f"hdfs://{host}:{port}"]
        return ["file"]

    def test_connection(self, config: Mapping[str, Any], ctx: CheckContext) -> ConnectionResult:
        """file: the path, resolved, lies under LINEAGELENS_FILESYSTEM_ROOTS and exists on the receiver's host;
        hdfs: the namenode accepts a TCP connection."""
        started = time.perf_counter()
        if config.get("scheme") == "hdfs":
            host, port = _host_port(str(config.get("path")), 8020)
            try:
                ctx.guard.connect(host, port, ctx.timeout).close()
            except OSError as exc:
                return _unreachable("an HDFS namenode", started, exc)
            return ConnectionResult(True, f"namenode {host}:{port} accepts connections", _ms(started))
        path = str(config.get("path") or "")
        if not ctx.filesystem_roots:
            return ConnectionResult(False, NO_ROOTS, _ms(started), {"refused": True})
        resolved = under_roots(path, ctx.filesystem_roots)
        if resolved is None:  # decided from the path alone: nothing about the file itself is revealed
            return ConnectionResult(False, f"refused: {path} is not under LINEAGELENS_FILESYSTEM_ROOTS "
                                           f"({', '.join(ctx.filesystem_roots)})", _ms(started), {"refused": True})
        if not os.path.exists(resolved):
            return ConnectionResult(False, f"{path} does not exist on the receiver's host", _ms(started))
        readable = os.access(resolved, os.R_OK)
        entries = None
        if os.path.isdir(resolved) and readable:
            try:
                entries = len(os.listdir(resolved))
            except OSError:
                readable = False
        return ConnectionResult(True, f"{path} is readable" if readable else f"{path} exists", _ms(started),
                                {"entries": entries})


@hookimpl
def register_source_types() -> list[type[SourceType]]:
    return [Airflow, Spark, Kafka, ObjectStore, FileSystem]
