"""The source service's handling of secrets on update, for a source type that declares no target fields
(a third-party plugin written before target() existed): every config change counts as retargeting."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from marshmallow import Schema, fields

from lineagelens.receiver import services
from lineagelens.receiver.sources.types import CheckContext, ConnectionResult, SourceType, secret


class LegacyConfig(Schema):
    address = fields.String(required=True)
    label = fields.String(load_default="")
    api_key = secret(required=True, data_key="apiKey")


class Legacy(SourceType):
    kind, label, category, icon = "legacy", "Legacy", "Other", ""
    config_schema = LegacyConfig

    def test_connection(self, config: Mapping[str, Any], ctx: CheckContext) -> ConnectionResult:
        return ConnectionResult(bool(config.get("apiKey")), "checked")

    def namespaces(self, config: Mapping[str, Any]) -> list[str]:
        return []


def test_a_type_without_target_fields_drops_secrets_on_any_config_change(app: Flask) -> None:
    s = services.get(app)
    s.registry.sources["legacy"] = Legacy()
    created = s.sources.create(kind="legacy", name="x", description="", config={"address": "a", "apiKey": "k1"})
    # a required secret left out of an update is not "missing": it keeps its stored value
    s.sources.update(created["id"], name=None, description="renamed", config={"address": "a"})
    assert s.sources.test(created["id"])["ok"] is True
    s.sources.update(created["id"], name=None, description=None, config={"label": "prod"})
    assert s.sources.test(created["id"])["ok"] is False  # any config change drops it for such a type
    s.sources.update(created["id"], name=None, description=None, config={"address": "b", "apiKey": "k2"})
    assert s.sources.test(created["id"])["ok"] is True
