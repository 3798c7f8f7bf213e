"""The built-in generic webhook notification channel: a JSON POST to a URL."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, fields

from lineagelens.receiver.plugins import hookimpl
from lineagelens.receiver.sources.network import NetworkRefused, http_request
from lineagelens.receiver.sources.types import CheckContext, DeliveryFailed, NotificationChannel, secret

log = logging.getLogger(__name__)


class WebhookConfig(Schema):
    url = fields.Url(required=True, schemes={"http", "https"}, require_tld=False, metadata={"title": "URL"})
    token = secret(load_default="", metadata={"title": "Bearer token"})


class Webhook(NotificationChannel):
    kind = "webhook"
    label = "Webhook (JSON POST)"
    config_schema = WebhookConfig

    def send(self, message: Mapping[str, Any], config: Mapping[str, Any], ctx: CheckContext) -> None:
        headers = {"Content-Type": "application/json"}
        if config.get("token"):
            headers["Authorization"] = f"Bearer {config['token']}"
        try:
            answer = http_request(ctx.guard, str(config["url"]), timeout=ctx.timeout, method="POST",
                                  body=json.dumps(dict(message)).encode(), headers=headers)
        except NetworkRefused as exc:
            raise DeliveryFailed(f"refused: {exc}") from exc
        except (OSError, ValueError) as exc:
            raise DeliveryFailed(f"webhook unreachable: {exc}") from exc
        if not 200 <= answer.status < 300:
            raise DeliveryFailed(f"webhook answered HTTP {answer.status}")


@hookimpl
def register_notification_channels() -> list[type[NotificationChannel]]:
    return [Webhook]
