"""Built-in source types reached over HTTP or TCP: Airflow, Spark, Kafka, S3-compatible object stores,
HDFS and local files."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from marshmallow import Schema, ValidationError, fields, validate, validates

from lineagelens.plugins.icons import badge
from lineagelens.receiver.plugins import hookimpl
from lineagelens.receiver.sources.network import NetworkRefused, http_request
from lineagelens.receiver.sources.types import CheckContext, ConnectionResult, SourceType, secret

log = logging.getLogger(__name__)

_HTTP_URL = fields.Url(required=True, schemes={"http", "https"}, require_tld=False, metadata={"title": "URL"})


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _failure(exc: Exception, started: float) -> ConnectionResult:
    if isinstance(exc, NetworkRefused):
        raise exc
    return ConnectionResult(False, f"cannot reach it: {exc}", _ms(started))


def _bearer(config: Mapping[str, Any]) -> dict[str, str]:
    token = config.get("token")
    return {"Authorization": f"Bearer {token}"} if token else {}


class AirflowConfig(Schema):
    url = _HTTP_URL
    namespace = fields.String(load_default="default", metadata={"title": "OpenLineage namespace",
                                                              "description": "AIRFLOW__OPENLINEAGE__NAMESPACE"})
    token = secret(load_default="", metadata={"title": "API token"})


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
        base = str(config["url"]).rstrip("/")
        started = time.perf_counter()
        try:
            for path, version in (("/api/v2/monitor/health", "3.x"), ("/health", "2.x")):
                answer = http_request(ctx.guard, base + path, timeout=ctx.timeout, headers=_bearer(config))
                if answer.status == 200:
                    health = answer.json()
                    db = (health.get("metadatabase") or {}).get("status")
                    scheduler = (health.get("scheduler") or {}).get("status")
                    ok = db == "healthy"
                    return ConnectionResult(ok, f"Airflow {version}: metadatabase {db}, scheduler {scheduler}",
                                            _ms(started), {"version": version, "health": health})
                if answer.status != 404:
                    return ConnectionResult(False, f"{path} answered HTTP {answer.status}", _ms(started))
            return ConnectionResult(False, "no Airflow health endpoint found", _ms(started))
        except (OSError, ValueError) as exc:
            return _failure(exc, started)


class SparkConfig(Schema):
    url = _HTTP_URL
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
            answer = http_request(ctx.guard, str(config["url"]).rstrip("/") + "/api/v1/applications?limit=5",
                                  timeout=ctx.timeout)
            if answer.status != 200:
                return ConnectionResult(False, f"/api/v1/applications answered HTTP {answer.status}", _ms(started))
            apps = answer.json()
        except (OSError, ValueError) as exc:
            return _failure(exc, started)
        names = [a.get("name") for a in apps if isinstance(a, dict)][:5]
        return ConnectionResult(True, f"Spark REST API answered; {len(apps)} recent applications", _ms(started),
                                {"applications": names})


def _host_port(item: str, default_port: int) -> tuple[str, int]:
    parts = urlsplit("//" + item.strip())
    if not parts.hostname:
        raise ValueError(f"not host:port: {item!r}")
    return parts.hostname, parts.port or default_port


class KafkaConfig(Schema):
    bootstrap_servers = fields.String(required=True, data_key="bootstrapServers", metadata={
        "title": "Bootstrap servers", "placeholder": "broker1:9092,broker2:9092"})

    @validates("bootstrap_servers")
    def _servers(self, value: str, **_: Any) -> None:
        try:
            [_host_port(s, 9092) for s in value.split(",") if s.strip()]
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc


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

    def test_connection(self, config: Mapping[str, Any], ctx: CheckContext) -> ConnectionResult:
        """Bootstrap reachability: a TCP connection to each bootstrap server."""
        started = time.perf_counter()
        reached, failed = [], []
        for host, port in self._servers(config):
            try:
                ctx.guard.connect(host, port, ctx.timeout).close()
                reached.append(f"{host}:{port}")
            except NetworkRefused:
                raise
            except OSError as exc:
                failed.append(f"{host}:{port} ({exc})")
        ok = bool(reached)
        message = f"reached {', '.join(reached)}" if ok else f"no bootstrap server reachable: {'; '.join(failed)}"
        return ConnectionResult(ok, message, _ms(started), {"reached": reached, "failed": failed})


class ObjectStoreConfig(Schema):
    bucket = fields.String(required=True, validate=validate.Length(min=1), metadata={"title": "Bucket"})
    endpoint = fields.Url(load_default="https://s3.amazonaws.com", schemes={"http", "https"}, require_tld=False,
                          metadata={"title": "Endpoint URL"})
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
        url = f"{str(config.get('endpoint')).rstrip('/')}/{config['bucket']}"
        try:
            answer = http_request(ctx.guard, url, timeout=ctx.timeout, method="HEAD")
        except (OSError, ValueError) as exc:
            return _failure(exc, started)
        if answer.status == 404:
            return ConnectionResult(False, f"endpoint reachable, but bucket {config['bucket']!r} not found",
                                    _ms(started), {"status": 404})
        exists = answer.status < 300 or answer.status == 403
        note = " (access denied without signed requests)" if answer.status == 403 else ""
        return ConnectionResult(exists, f"endpoint answered HTTP {answer.status}{note}", _ms(started),
                                {"status": answer.status})


class FileSystemConfig(Schema):
    scheme = fields.String(load_default="file", validate=validate.OneOf(["file", "hdfs"]), metadata={"title": "Scheme"})
    path = fields.String(load_default="/", metadata={"title": "Path (file) or namenode host:port (hdfs)"})


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
        """file: the path exists on the receiver's host; hdfs: the namenode accepts a TCP connection."""
        started = time.perf_counter()
        if config.get("scheme") == "hdfs":
            host, port = _host_port(str(config.get("path")), 8020)
            try:
                ctx.guard.connect(host, port, ctx.timeout).close()
            except OSError as exc:
                return _failure(exc, started)
            return ConnectionResult(True, f"namenode {host}:{port} accepts connections", _ms(started))
        path = str(config.get("path") or "/")
        if not os.path.exists(path):
            return ConnectionResult(False, f"{path} does not exist on the receiver's host", _ms(started))
        return ConnectionResult(True, f"{path} is readable" if os.access(path, os.R_OK) else f"{path} exists",
                                _ms(started), {"entries": len(os.listdir(path)) if os.path.isdir(path) else None})


@hookimpl
def register_source_types() -> list[type[SourceType]]:
    return [Airflow, Spark, Kafka, ObjectStore, FileSystem]
