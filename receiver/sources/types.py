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
from typing import Any, ClassVar, TypeVar

from marshmallow import Schema, ValidationError, fields, validate

from lineagelens.receiver.sources.network import NetworkGuard, check_url

log = logging.getLogger(__name__)

REDACTED = "********"


def secret(**kwargs: Any) -> fields.String:
    """A write-only string config field (a password, a token): never shown back."""
    metadata = {**kwargs.pop("metadata", {}), "secret": True}
    return fields.String(load_only=True, metadata=metadata, **kwargs)


class HttpUrl(fields.Url):
    """An http(s) URL config field, normalised by :func:`~.network.check_url`: no credentials, no fragment,
    and no query unless ``allow_query`` (a complete endpoint such as a webhook, not a base URL)."""

    def __init__(self, *, allow_query: bool = False, **kwargs: Any) -> None:
        super().__init__(schemes={"http", "https"}, require_tld=False, **kwargs)
        # check_url decides; marshmallow's URL pattern would refuse hosts the OS resolver reads (127.1,
        # 0x7f000001, [::ffff:a.b.c.d]), which the network guard judges by the address they resolve to
        self.validators = [v for v in self.validators if not isinstance(v, validate.URL)]
        self.allow_query = allow_query

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return check_url(text, allow_query=self.allow_query)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc


def secret_fields(schema: type[Schema]) -> list[str]:
    """The secret fields by their names in JSON (``data_key``), as configs are sent and stored."""
    return [f.data_key or name for name, f in schema().fields.items() if f.metadata.get("secret")]


FieldT = TypeVar("FieldT", bound=fields.Field)


def target(config_field: FieldT) -> FieldT:
    """Mark a config field as saying *where* the source is (host, port, URL, path, bootstrap servers …):
    changing it drops the stored secrets unless the same update sends them again, so a secret is never
    sent to an address it was not entered for."""
    config_field.metadata = {**config_field.metadata, "target": True}
    return config_field


def target_fields(schema: type[Schema]) -> list[str] | None:
    """The target fields by their JSON names; ``None`` when the schema marks none (then every change to a
    non-secret field counts as retargeting)."""
    found = [f.data_key or name for name, f in schema().fields.items() if f.metadata.get("target")]
    return found or None


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
    """What a connection test may use: a time budget, the network guard every socket must pass, and the
    directories (``LINEAGELENS_FILESYSTEM_ROOTS``, resolved) a test may look into."""

    timeout: float
    guard: NetworkGuard
    filesystem_roots: tuple[str, ...] = ()


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
    def send(self, message: Mapping[str, Any], config: Mapping[str, Any], ctx: CheckContext) -> int | None:
        """Deliver ``message`` (``{event, title, text, severity, link, incident, ...}``, docs/alerts.md) using
        ``config``, opening sockets only through ``ctx.guard``: its NetworkRefused propagates (the API answers
        403). Return the target's HTTP status (or None when there is none, e.g. SMTP)."""


class DeliveryFailed(Exception):
    """A notification could not be delivered (the message says why, without secrets). ``status`` is the
    target's HTTP status when it answered one; ``retriable`` False when trying again cannot help (a 4xx other
    than 408/429, a config the target refuses)."""

    def __init__(self, message: str, *, status: int | None = None, retriable: bool = True) -> None:
        super().__init__(message)
        self.status = status
        self.retriable = retriable
