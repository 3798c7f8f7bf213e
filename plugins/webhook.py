"""The built-in generic webhook notification channel: a JSON POST to a URL, through the network guard."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema

from lineagelens.receiver.plugins import hookimpl
from lineagelens.receiver.sources.network import http_request
from lineagelens.receiver.sources.types import CheckContext, DeliveryFailed, HttpUrl, NotificationChannel, secret

log = logging.getLogger(__name__)


class WebhookConfig(Schema):
    # a complete endpoint, so a query (a Slack-style ?token=) is kept; credentials and fragments are refused
    url = HttpUrl(required=True, allow_query=True, metadata={"title": "URL"})
    token = secret(load_default="", metadata={"title": "Bearer token"})


class Webhook(NotificationChannel):
    kind = "webhook"
    label = "Webhook (JSON POST)"
    config_schema = WebhookConfig

    def send(self, message: Mapping[str, Any], config: Mapping[str, Any], ctx: CheckContext) -> None:
        """POST ``message`` as JSON; the guard's NetworkRefused propagates. Failures name the HTTP status
        only, never what the target answered."""
        headers = {"Content-Type": "application/json"}
        if config.get("token"):
            headers["Authorization"] = f"Bearer {config['token']}"
        try:
            answer = http_request(ctx.guard, str(config["url"]), timeout=ctx.timeout, method="POST",
                                  body=json.dumps(dict(message)).encode(), headers=headers, max_body=0)
        except ValueError as exc:
            raise DeliveryFailed(f"the webhook URL is not accepted: {exc}") from exc
        except OSError as exc:
            log.info("webhook delivery failed (%s)", type(exc).__name__)
            raise DeliveryFailed("webhook unreachable or not an HTTP server") from exc
        if not 200 <= answer.status < 300:
            raise DeliveryFailed(f"webhook answered HTTP {answer.status}")


@hookimpl
def register_notification_channels() -> list[type[NotificationChannel]]:
    return [Webhook]
