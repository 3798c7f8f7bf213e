"""What a plugin implements: a source type (a kind of data system) and a notification channel type.

A source type declares its config as a marshmallow schema; fields made with :func:`secret` are
write-only: they are accepted on create/update, used by connection tests, and never returned, exported
or logged.
"""

from __future__ import annotations

import abc
import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from marshmallow import Schema, fields

from lineagelens.receiver.sources.network import NetworkGuard

log = logging.getLogger(__name__)

REDACTED = "********"


def secret(**kwargs: Any) -> fields.String:
    """A write-only string config field (a password, a token): never shown back."""
    metadata = {**kwargs.pop("metadata", {}), "secret": True}
    return fields.String(load_only=True, metadata=metadata, **kwargs)


def secret_fields(schema: type[Schema]) -> list[str]:
    """The secret fields by their names in JSON (``data_key``), as configs are sent and stored."""
    return [f.data_key or name for name, f in schema().fields.items() if f.metadata.get("secret")]


@dataclass(frozen=True)
class ConnectionResult:
    ok: bool
    message: str
    latency_ms: float | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        body = asdict(self)
        return {"ok": body["ok"], "message": body["message"], "latencyMs": body["latency_ms"],
                "details": body["details"]}


@dataclass(frozen=True)
class CheckContext:
    """What a connection test may use: a time budget and the network guard every socket must pass."""

    timeout: float
    guard: NetworkGuard


class SourceType(abc.ABC):
    """A kind of data source. Subclasses set the class attributes and implement the two methods."""

    kind: ClassVar[str]
    label: ClassVar[str]
    category: ClassVar[str]  # "Databases", "Orchestrators", "Compute", "Streaming", "Storage", ...
    icon: ClassVar[str]  # an SVG document or a URL
    config_schema: ClassVar[type[Schema]]
    default_config: ClassVar[Mapping[str, Any]] = {}

    @abc.abstractmethod
    def test_connection(self, config: Mapping[str, Any], ctx: CheckContext) -> ConnectionResult:
        """Reach the source for real within ``ctx.timeout``, opening sockets only to addresses that
        ``ctx.guard`` allows. Never raise for an unreachable source: return ``ok=False`` with why."""

    @abc.abstractmethod
    def namespaces(self, config: Mapping[str, Any]) -> list[str]:
        """The OpenLineage dataset namespaces that belong to this source (naming spec), e.g.
        ``postgres://db:5432`` for a Postgres at db:5432."""


class NotificationChannel(abc.ABC):
    """A place alerts go. ``send`` delivers one message or raises :class:`DeliveryFailed`."""

    kind: ClassVar[str]
    label: ClassVar[str]
    config_schema: ClassVar[type[Schema]]

    @abc.abstractmethod
    def send(self, message: Mapping[str, Any], config: Mapping[str, Any], ctx: CheckContext) -> None:
        """Deliver ``message`` (``{title, text, severity, link, ...}``) using ``config``."""


class DeliveryFailed(Exception):
    """A notification could not be delivered (the message says why, without secrets)."""
