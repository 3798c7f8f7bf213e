"""The built-in Microsoft Teams channel: an incoming webhook (a Teams Workflows or connector URL) sent an
Adaptive Card. The webhook URL is the credential, so it is a write-only (secret) field."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema

from lineagelens.plugins.slack import impact_lines
from lineagelens.plugins.webhook import post_json
from lineagelens.receiver.plugins import hookimpl
from lineagelens.receiver.sources.types import CheckContext, HttpUrl, NotificationChannel, target

log = logging.getLogger(__name__)

COLOR = {"critical": "attention", "error": "attention", "warning": "warning", "info": "accent"}


def adaptive_card(message: Mapping[str, Any]) -> dict[str, Any]:
    severity = str(message.get("severity") or "info")
    resolved = message.get("event") == "resolved"
    incident = message.get("incident") or {}
    facts = [{"title": "Severity", "value": severity}]
    if incident.get("id") is not None:
        facts.append({"title": "Incident", "value": f"#{incident['id']} ({incident.get('state')})"})
    if incident.get("rootNodeId"):
        facts.append({"title": "Root", "value": str(incident["rootNodeId"])})
    for line in impact_lines(message):
        label, _, value = line.partition(": ")
        facts.append({"title": label, "value": value})
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": str(message.get("title") or ""), "weight": "Bolder", "size": "Medium",
             "wrap": True, "color": "good" if resolved else COLOR.get(severity, "default")},
            {"type": "TextBlock", "text": str(message.get("text") or ""), "wrap": True},
            {"type": "FactSet", "facts": facts},
        ],
    }
    if message.get("link"):
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open in LineageLens", "url": str(message["link"])}]
    return {"type": "message", "attachments": [
        {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}]}


class TeamsConfig(Schema):
    url = target(HttpUrl(required=True, allow_query=True, load_only=True,
                         metadata={"title": "Incoming webhook URL", "secret": True}))


class Teams(NotificationChannel):
    kind = "teams"
    label = "Microsoft Teams (incoming webhook)"
    config_schema = TeamsConfig

    def send(self, message: Mapping[str, Any], config: Mapping[str, Any], ctx: CheckContext) -> int | None:
        """POST an Adaptive Card message to the incoming webhook."""
        return post_json(ctx, str(config["url"]), adaptive_card(message), what="Teams")


@hookimpl
def register_notification_channels() -> list[type[NotificationChannel]]:
    return [Teams]
