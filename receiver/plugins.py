"""The plugin manager (pluggy). Hook specifications live in :mod:`.hookspecs`; built-in behaviour is a
list of ordinary plugin modules (``DEFAULT_PLUGINS``); third-party packages register through the
``lineagelens`` entry-point group. ``LINEAGELENS_PLUGINS`` restricts loading to the named plugins."""

from __future__ import annotations

import importlib
import logging
from importlib import metadata
from typing import Any

import pluggy

log = logging.getLogger(__name__)

PROJECT = "lineagelens"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

DEFAULT_PLUGINS: tuple[str, ...] = (
    "lineagelens.plugins.naming",
    "lineagelens.plugins.databases",
    "lineagelens.plugins.services",
    "lineagelens.plugins.webhook",
    "lineagelens.plugins.slack",
    "lineagelens.plugins.teams",
    "lineagelens.plugins.email",
    "lineagelens.plugins.pagerduty",
)


def _wanted(name: str, only: set[str]) -> bool:
    return not only or name in only or name.rsplit(".", 1)[-1] in only


def make_manager(*, only: str = "") -> pluggy.PluginManager:
    """A fresh manager: built-in plugins, then entry points of installed packages (filtered by ``only``,
    a comma-separated list of plugin names)."""
    from lineagelens.receiver import hookspecs

    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    names = {n.strip() for n in only.split(",") if n.strip()}
    for module_name in DEFAULT_PLUGINS:
        if _wanted(module_name, names):
            pm.register(importlib.import_module(module_name), name=module_name)
    for entry in metadata.entry_points(group=PROJECT):
        if not _wanted(entry.name, names) or pm.has_plugin(entry.name):
            continue
        try:  # one at a time, so that a broken package does not stop the others
            pm.load_setuptools_entrypoints(PROJECT, name=entry.name)
        except Exception:
            log.exception("could not load plugin %s", entry.name)
    return pm


def call_each(hook: Any, **kwargs: Any) -> list[Any]:
    """Call every implementation of ``hook`` in registration order, each on its own: one plugin raising
    is logged and does not stop the others (pluggy's own call would stop at the first exception)."""
    results = []
    for impl in reversed(hook.get_hookimpls()):
        try:
            results.append(impl.function(**{name: kwargs[name] for name in impl.argnames}))
        except Exception:
            log.exception("plugin %s failed in %s", impl.plugin_name, hook.name)
    return results


def describe(pm: pluggy.PluginManager) -> list[dict[str, Any]]:
    """``[{name, version, hooks}]`` for every loaded plugin."""
    found = []
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda item: item[0]):
        dist = next((d for p, d in pm.list_plugin_distinfo() if p is plugin), None)
        version = getattr(dist, "version", None) or metadata.version("lineagelens")
        hooks = sorted(h.name for h in pm.get_hookcallers(plugin) or [])
        found.append({"name": name, "version": version, "hooks": hooks})
    return found
