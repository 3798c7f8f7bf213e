"""LineageLens receiver: the Flask application that ingests OpenLineage events and serves lineage.

``create_app`` builds the application; plugins use ``hookimpl`` (see docs/plugins.md).
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app", "hookimpl", "hookspec"]


def __getattr__(name: str) -> Any:
    # Imported on first use so that `import lineagelens.receiver.openlineage` stays light.
    if name == "create_app":
        from lineagelens.receiver.app import create_app

        return create_app
    if name in {"hookimpl", "hookspec"}:
        from lineagelens.receiver import plugins

        return getattr(plugins, name)
    raise AttributeError(name)
