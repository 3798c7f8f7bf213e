"""The built-in Slack channel: an incoming webhook (``https://hooks.slack.com/services/...``) sent a Block Kit
message. The webhook URL is the credential, so it is a write-only (secret) field."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema

from lineagelens.plugins.webhook import post_json
from lineagelens.receiver.plugins import hookimpl
from lineagelens.receiver.sources.types import CheckContext, HttpUrl, NotificationChannel, target

log = logging.getLogger(__name__)

EMOJI = {"critical": ":rotating_light:", "error": ":red_circle:", "warning": ":warning:",
         "info": ":information_source:"}


def impact_lines(message: Mapping[str, Any], limit: int = 10) -> list[str]:
    """``kind: a, b, c (+n more)`` lines for the impacted nodes and owners of an incident message."""
    incident = message.get("incident") or {}
    impacted = incident.get("impacted") or {}
    lines = []
    for label, key in (("Datasets", "datasets"), ("Jobs", "jobs"), ("Dashboards", "dashboards")):
        items = [str(i.get("name") or i.get("id")) if isinstance(i, dict) else str(i) for i in impacted.get(key) or []]
        if items:
            more = f" (+{len(items) - limit} more)" if len(items) > limit else ""
            lines.append(f"{label}: {', '.join(items[:limit])}{more}")
    if incident.get("owners"):
        lines.append(f"Owners: {', '.join(incident['owners'])}")
    return lines


def blocks(message: Mapping[str, Any]) -> dict[str, Any]:
    severity = str(message.get("severity") or "info")
    resolved = message.get("event") == "resolved"
    mark = ":white_check_mark:" if resolved else EMOJI.get(severity, "")
    title = f"{mark} {message.get('title', '')}".strip()
    body: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150], "emoji": True}},
        {"type": "section", "text": {"type": "mrkdwn", "text": str(message.get("text") or " ")[:3000]}},
    ]
    lines = impact_lines(message)
    if lines:
        body.append({"type": "section", "text": {"type": "mrkdwn", "text": "*Impact*\n" + "\n".join(lines)}})
    context = [f"severity: {severity}"]
    incident = message.get("incident") or {}
    if incident.get("id") is not None:
        context.append(f"incident #{incident['id']} ({incident.get('state')})")
    body.append({"type": "context", "elements": [{"type": "mrkdwn", "text": " · ".join(context)}]})
    if message.get("link"):
        body.append({"type": "actions", "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": "Open in LineageLens"},
             "url": str(message["link"])}]})
    return {"text": str(message.get("title") or ""), "blocks": body}


class SlackConfig(Schema):
    url = target(HttpUrl(required=True, allow_query=True, load_only=True,
                         metadata={"title": "Incoming webhook URL", "secret": True}))


class Slack(NotificationChannel):
    kind = "slack"
    label = "Slack (incoming webhook)"
    config_schema = SlackConfig

    def send(self, message: Mapping[str, Any], config: Mapping[str, Any], ctx: CheckContext) -> int | None:
        """POST a Block Kit message to the incoming webhook."""
        return post_json(ctx, str(config["url"]), blocks(message), what="Slack")


@hookimpl
def register_notification_channels() -> list[type[NotificationChannel]]:
    return [Slack]
