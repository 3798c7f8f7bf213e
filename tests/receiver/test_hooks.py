"""Every hook, exercised through a real plugin; every hook documented and tested; a third-party plugin
package pip-installed and used end to end."""

from __future__ import annotations

import importlib
import inspect
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from marshmallow import Schema, fields

from lineagelens.receiver import hookimpl, hookspecs, services
from lineagelens.receiver.plugins import describe, make_manager
from lineagelens.receiver.sources.registry import Registry
from lineagelens.receiver.sources.types import CheckContext, ConnectionResult, NotificationChannel, SourceType
from tests.conftest import close_app, make_app, post_events
from tests.factories import chain_events
from tests.servers import http_server

ROOT = Path(__file__).resolve().parents[2]
HOOKS = sorted(name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
               if hasattr(fn, "lineagelens_spec"))


def test_every_hook_has_a_docs_section_and_a_test() -> None:
    docs = (ROOT / "docs" / "plugins.md").read_text()
    tests = Path(__file__).read_text()
    assert HOOKS == ["event_received", "normalize_dataset", "register_notification_channels",
                     "register_source_types"]
    for hook in HOOKS:
        assert re.search(rf"^### `{hook}\(", docs, re.M), f"docs/plugins.md has no section for {hook}"
        assert f"def test_hook_{hook}(" in tests, f"no test_hook_{hook}"
        assert (getattr(hookspecs, hook).__doc__ or "").strip(), f"{hook} has no docstring"


class _Config(Schema):
    region = fields.String(required=True)


class Warehouse(SourceType):
    kind = "warehouse"
    label = "Warehouse"
    category = "Databases"
    icon = "https://example.invalid/icon.svg"
    config_schema = _Config

    def namespaces(self, config: Mapping[str, Any]) -> list[str]:
        return [f"warehouse://{config['region']}"]

    def test_connection(self, config: Mapping[str, Any], ctx: CheckContext) -> ConnectionResult:
        return ConnectionResult(True, f"region {config['region']} ok", 1.0)


class DuplicatePostgres(Warehouse):
    kind = "postgres"


class SourcesPlugin:
    @hookimpl
    def register_source_types(self) -> list[type[SourceType]]:
        return [Warehouse, DuplicatePostgres]


def test_hook_register_source_types(caplog: pytest.LogCaptureFixture) -> None:
    pm = make_manager(only="databases")
    pm.register(SourcesPlugin(), name="test-sources")
    registry = Registry.from_plugins(pm)
    assert set(registry.sources) == {"postgres", "mysql", "warehouse"}
    assert type(registry.sources["postgres"]).__name__ == "Postgres"  # the later duplicate is refused
    assert "registered twice" in caplog.text
    described = registry.describe_source_type(registry.sources["warehouse"])
    assert described["configSchema"]["required"] == ["region"]


def test_hook_normalize_dataset(client: FlaskClient) -> None:
    events = chain_events(2, namespace="postgresql://DB.internal")
    post_events(client, events)
    graph = client.get("/api/v1/search", query_string={"q": "public.t1", "filter": "dataset"}).get_json()
    assert [r["namespace"] for r in graph["results"]] == ["postgres://db.internal:5432"]


class Recorder:
    def __init__(self) -> None:
        self.seen: list[tuple[str | None, Any]] = []

    @hookimpl
    def event_received(self, event: Any, app: Any) -> None:
        self.seen.append((event.run_id, app))


class Broken:
    @hookimpl
    def event_received(self, event: Any, app: Any) -> None:
        raise RuntimeError("plugin bug")


def test_hook_event_received(client: FlaskClient, app: Any) -> None:
    recorder = Recorder()
    services.get(app).plugins.register(recorder, name="recorder")
    services.get(app).plugins.register(Broken(), name="broken")
    events = chain_events(1)
    post_events(client, events + events)  # the duplicates are not received again
    assert [run for run, _ in recorder.seen] == [events[0]["run"]["runId"]] * 2
    assert recorder.seen[0][1] is app


class Pager(NotificationChannel):
    kind = "pager"
    label = "Pager"
    config_schema = _Config
    sent: list[Mapping[str, Any]] = []

    def send(self, message: Mapping[str, Any], config: Mapping[str, Any], ctx: CheckContext) -> None:
        Pager.sent.append({**message, "region": config["region"]})


class ChannelsPlugin:
    @hookimpl
    def register_notification_channels(self) -> list[type[NotificationChannel]]:
        return [Pager]


def test_hook_register_notification_channels() -> None:
    pm = make_manager(only="webhook")
    pm.register(ChannelsPlugin(), name="test-channels")
    registry = Registry.from_plugins(pm)
    assert set(registry.channels) == {"webhook", "pager"}
    registry.channels["pager"].send({"title": "hi"}, {"region": "eu"}, CheckContext(timeout=1, guard=None))  # type: ignore[arg-type]
    assert Pager.sent == [{"title": "hi", "region": "eu"}]


def test_plugins_setting_restricts_what_loads() -> None:
    names = [p["name"] for p in describe(make_manager(only="naming"))]
    assert names == ["lineagelens.plugins.naming"]


@pytest.fixture(scope="module")
def example_plugin() -> str:
    """pip-install the example third-party package into this environment."""
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    str(ROOT / "plugins" / "examples" / "lineagelens-http-service")], check=True)
    importlib.invalidate_caches()
    return "http_service"


def test_example_third_party_plugin_works_end_to_end(example_plugin: str, tmp_path: Path) -> None:
    # its health URL is a local server: loopback is opened for this app (the guard refuses it by default)
    app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/p.db", "PLUGINS": "",
                    "SOURCE_ALLOW_NETWORKS": "127.0.0.0/8,::1/128"})
    try:
        client = app.test_client()
        loaded = {p["name"]: p for p in client.get("/api/v1/plugins").get_json()["plugins"]}
        assert loaded[example_plugin]["version"] == "1.0.0"
        assert loaded[example_plugin]["hooks"] == ["register_source_types"]
        palette = {t["kind"]: t for t in client.get("/api/v1/node-types").get_json()["nodeTypes"]}
        assert palette["http_service"]["category"] == "Services"
        with http_server({"/health": (200, {"status": "up"})}) as server:
            created = client.post("/api/v1/sources", json={
                "kind": "http_service", "name": "billing-api",
                "config": {"url": server.url + "/health", "namespace": "https://billing"}}).get_json()
            result = client.post(f"/api/v1/sources/{created['id']}/test").get_json()
        assert result["ok"] is True and result["message"] == "HTTP 200 (expected 200)"
        assert created["namespaces"] == ["https://billing"]
    finally:
        close_app(app)
