"""The source-type and channel-type registries built from the plugins, and their JSON descriptions."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import pluggy
from marshmallow import Schema, fields

from lineagelens.receiver.sources.types import NotificationChannel, SourceType, secret_fields

log = logging.getLogger(__name__)

_JSON_TYPES: list[tuple[type[fields.Field], dict[str, Any]]] = [
    (fields.Boolean, {"type": "boolean"}),
    (fields.Integer, {"type": "integer"}),
    (fields.Float, {"type": "number"}),
    (fields.Url, {"type": "string", "format": "uri"}),
    (fields.List, {"type": "array", "items": {"type": "string"}}),
    (fields.Dict, {"type": "object"}),
    (fields.String, {"type": "string"}),
]


def _property(f: fields.Field) -> dict[str, Any]:
    prop: dict[str, Any] = next((dict(s) for cls, s in _JSON_TYPES if isinstance(f, cls)), {"type": "string"})
    for key in ("title", "description", "placeholder"):
        if f.metadata.get(key):
            prop[key] = f.metadata[key]
    if f.metadata.get("secret"):
        prop.update(writeOnly=True, format="password")
    for validator in f.validators:
        if getattr(validator, "choices", None):
            prop["enum"] = list(validator.choices)  # type: ignore[attr-defined]
        for attr, key in (("min", "minimum"), ("max", "maximum")):
            value = getattr(validator, attr, None)
            if isinstance(value, int | float) and prop["type"] in {"integer", "number"}:
                prop[key] = value
    if f.dump_default is not None and not callable(f.dump_default) and repr(f.dump_default) != "<marshmallow.missing>":
        prop["default"] = f.dump_default
    return prop


def json_schema(schema: type[Schema]) -> dict[str, Any]:
    """A marshmallow config schema as JSON Schema (what the UI renders a form from)."""
    instance = schema()
    props = {f.data_key or name: _property(f) for name, f in instance.fields.items()}
    required = [f.data_key or name for name, f in instance.fields.items() if f.required]
    return {"type": "object", "properties": props, "required": required, "additionalProperties": False}


@dataclass
class Registry:
    sources: dict[str, SourceType] = field(default_factory=dict)
    channels: dict[str, NotificationChannel] = field(default_factory=dict)

    @classmethod
    def from_plugins(cls, pm: pluggy.PluginManager) -> Registry:
        registry = cls()
        # pluggy answers newest plugin first; walk oldest first so built-ins keep their kinds.
        for group in reversed(pm.hook.register_source_types()):
            for source_type in group or []:
                registry._add(registry.sources, source_type, "source type")
        for group in reversed(pm.hook.register_notification_channels()):
            for channel in group or []:
                registry._add(registry.channels, channel, "notification channel")
        return registry

    @staticmethod
    def _add(table: dict[str, Any], cls: type[Any], what: str) -> None:
        if cls.kind in table:
            log.warning("%s %r registered twice; keeping %s", what, cls.kind, type(table[cls.kind]).__name__)
            return
        table[cls.kind] = cls()

    def describe_source_type(self, source_type: SourceType) -> dict[str, Any]:
        return {
            "kind": source_type.kind,
            "label": source_type.label,
            "category": source_type.category,
            "icon": source_type.icon,
            "defaultConfig": dict(source_type.default_config),
            "configSchema": json_schema(source_type.config_schema),
            "secretFields": secret_fields(source_type.config_schema),
        }

    def describe_channel(self, channel: NotificationChannel) -> dict[str, Any]:
        return {"kind": channel.kind, "label": channel.label, "configSchema": json_schema(channel.config_schema),
                "secretFields": secret_fields(channel.config_schema)}
