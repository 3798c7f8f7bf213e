"""Hook specifications: the seams plugins extend. Hooks are called with keyword arguments.

docs/plugins.md has one section per hook with its signature and an example, and
tests/receiver/test_hooks.py one test per hook; a test fails when either is missing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lineagelens.receiver.plugins import hookspec

if TYPE_CHECKING:
    from lineagelens.receiver.sources.types import NotificationChannel, SourceType


@hookspec
def register_source_types() -> list[type[SourceType]]:
    """Source types this plugin provides (Postgres, Kafka, ...).

    Return a list of :class:`~lineagelens.receiver.sources.types.SourceType` subclasses. Each ``kind``
    must be unique across all plugins; a later duplicate is refused with a warning.
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def normalize_dataset(namespace: str, name: str) -> tuple[str, str] | None:
    """Identity rules applied at ingest so one table never becomes two nodes.

    Return the normalised ``(namespace, name)``, or None to leave the dataset to the next plugin.
    The first non-None answer wins.
    """
    raise NotImplementedError


@hookspec
def event_received(event: Any, app: Any) -> None:
    """Called after an event is committed to the event log.

    ``event`` is the parsed :class:`~lineagelens.receiver.openlineage.ParsedEvent`, ``app`` the Flask
    application. Return nothing. Runs on the request path: keep it fast, hand slow work to a thread.
    Exceptions are logged and swallowed; they never cost the event.
    """
    raise NotImplementedError


@hookspec
def register_notification_channels() -> list[type[NotificationChannel]]:
    """Notification channel types this plugin provides (webhook, Slack, e-mail, ...).

    Return a list of :class:`~lineagelens.receiver.sources.types.NotificationChannel` subclasses, each
    with a unique ``kind``.
    """
    raise NotImplementedError
