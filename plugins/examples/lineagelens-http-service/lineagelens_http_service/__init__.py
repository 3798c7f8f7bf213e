"""An HTTP service as a LineageLens source: its health URL is the connection test.

Config: ``url`` (the health endpoint), ``expectStatus`` (default 200), ``namespace`` (the OpenLineage
namespace the service's datasets use, e.g. ``https://api.example.com``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, fields, validate

from lineagelens.receiver import hookimpl
from lineagelens.receiver.sources.network import NetworkRefused, http_request
from lineagelens.receiver.sources.types import CheckContext, ConnectionResult, SourceType

ICON = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="15" '
        'fill="#0f766e"/><path d="M9 16h14M16 9v14" stroke="#fff" stroke-width="3"/></svg>')


class HttpServiceConfig(Schema):
    url = fields.Url(required=True, schemes={"http", "https"}, require_tld=False, metadata={"title": "Health URL"})
    expect_status = fields.Integer(load_default=200, data_key="expectStatus",
                                   validate=validate.Range(min=100, max=599), metadata={"title": "Expected status"})
    namespace = fields.String(load_default="", metadata={"title": "OpenLineage namespace"})


class HttpService(SourceType):
    kind = "http_service"
    label = "HTTP service"
    category = "Services"
    icon = ICON
    config_schema = HttpServiceConfig
    default_config = {"url": "http://localhost:8000/health", "expectStatus": 200}

    def namespaces(self, config: Mapping[str, Any]) -> list[str]:
        return [config["namespace"]] if config.get("namespace") else []

    def test_connection(self, config: Mapping[str, Any], ctx: CheckContext) -> ConnectionResult:
        started = time.perf_counter()
        expected = int(config.get("expect_status") or config.get("expectStatus") or 200)
        try:
            answer = http_request(ctx.guard, config["url"], timeout=ctx.timeout)
        except NetworkRefused:
            raise
        except (OSError, ValueError) as exc:
            return ConnectionResult(False, f"unreachable: {exc}", (time.perf_counter() - started) * 1000)
        ok = answer.status == expected
        return ConnectionResult(ok, f"HTTP {answer.status} (expected {expected})", answer.latency_ms,
                                {"status": answer.status})


@hookimpl
def register_source_types() -> list[type[SourceType]]:
    return [HttpService]
