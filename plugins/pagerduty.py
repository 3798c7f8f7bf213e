"""The built-in PagerDuty channel: Events API v2. An incident's opening sends ``trigger`` and its resolution
``resolve``, both with the incident's dedup key, so PagerDuty keeps one alert per LineageLens incident."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, fields, validate

from lineagelens.plugins.webhook import post_json
from lineagelens.receiver.plugins import hookimpl
from lineagelens.receiver.sources.types import CheckContext, HttpUrl, NotificationChannel, secret, target

log = logging.getLogger(__name__)

EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"
SEVERITY = {"critical": "critical", "error": "error", "warning": "warning", "info": "info"}


def event(message: Mapping[str, Any], routing_key: str, source: str) -> dict[str, Any]:
    dedup = str(message.get("dedupKey") or "lineagelens")
    if message.get("event") == "resolved":
        return {"routing_key": routing_key, "event_action": "resolve", "dedup_key": dedup}
    incident = message.get("incident") or {}
    body: dict[str, Any] = {
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": dedup,
        "payload": {
            "summary": str(message.get("title") or "LineageLens alert")[:1024],
            "source": str(incident.get("rootNodeId") or source),
            "severity": SEVERITY.get(str(message.get("severity")), "error"),
            "component": str(incident.get("rootNodeId") or ""),
            "class": str(incident.get("ruleType") or message.get("event") or ""),
            "custom_details": {"text": message.get("text"), "impacted": incident.get("impacted"),
                               "owners": incident.get("owners")},
        },
        "client": "LineageLens",
    }
    if message.get("link"):
        body["links"] = [{"href": str(message["link"]), "text": "Open in LineageLens"}]
        body["client_url"] = str(message["link"])
    return body


class PagerDutyConfig(Schema):
    routing_key = secret(required=True, data_key="routingKey", validate=validate.Length(min=1, max=64),
                         metadata={"title": "Integration (routing) key"})
    events_url = target(HttpUrl(load_default=EVENTS_URL, data_key="eventsUrl", metadata={
        "title": "Events API URL", "description": "Events API v2 endpoint (change for EU accounts or tests)"}))
    source = fields.String(load_default="lineagelens", validate=validate.Length(max=255))


class PagerDuty(NotificationChannel):
    kind = "pagerduty"
    label = "PagerDuty (Events API v2)"
    config_schema = PagerDutyConfig

    def send(self, message: Mapping[str, Any], config: Mapping[str, Any], ctx: CheckContext) -> int | None:
        """Trigger (opened, test) or resolve (resolved) with the message's dedup key."""
        key = str(config.get("routingKey") or config.get("routing_key") or "")
        url = str(config.get("eventsUrl") or config.get("events_url") or EVENTS_URL)
        source = str(config.get("source") or "lineagelens")
        return post_json(ctx, url, event(message, key, source), what="PagerDuty")


@hookimpl
def register_notification_channels() -> list[type[NotificationChannel]]:
    return [PagerDuty]
