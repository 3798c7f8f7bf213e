"""The built-in generic webhook notification channel: a JSON POST to a URL, through the network guard,
signed with HMAC-SHA256 when a signing secret is configured.

Signature (docs/alerts.md "Verifying the webhook signature"): the receiver of the webhook computes
``HMAC-SHA256(secret, f"{timestamp}.{body}")`` over the raw body bytes, where ``timestamp`` is the value of the
``X-LineageLens-Timestamp`` header (Unix seconds), compares it in constant time with the hex digest in
``X-LineageLens-Signature: sha256=<hex>``, and refuses timestamps older than a few minutes (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema

from lineagelens.receiver.plugins import hookimpl
from lineagelens.receiver.sources.network import http_request
from lineagelens.receiver.sources.types import (
    CheckContext,
    DeliveryFailed,
    HttpUrl,
    NotificationChannel,
    secret,
    target,
)

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-LineageLens-Signature"
TIMESTAMP_HEADER = "X-LineageLens-Timestamp"


def signature(secret_value: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of ``"<timestamp>.<body>"`` with the signing secret."""
    digest = hmac.new(secret_value.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret_value: str, timestamp: str, body: bytes, header: str, *, now: float | None = None,
           tolerance: float = 300.0) -> bool:
    """What a webhook target does: the signature matches and the timestamp is recent (replays refused)."""
    try:
        age = abs((time.time() if now is None else now) - int(timestamp))
    except ValueError:
        return False
    return age <= tolerance and hmac.compare_digest(signature(secret_value, timestamp, body), header)


def post_json(ctx: CheckContext, url: str, payload: Any, *, what: str,
              headers: Mapping[str, str] | None = None, sign_with: str = "") -> int:
    """POST ``payload`` as JSON through the guard; the HTTP status, or DeliveryFailed naming only the status
    (never what the target answered). NetworkRefused propagates."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    sent = {"Content-Type": "application/json", **(headers or {})}
    if sign_with:
        stamp = str(int(time.time()))
        sent[TIMESTAMP_HEADER] = stamp
        sent[SIGNATURE_HEADER] = signature(sign_with, stamp, body)
    try:
        answer = http_request(ctx.guard, url, timeout=ctx.timeout, method="POST", body=body, headers=sent,
                              max_body=0)
    except ValueError as exc:
        raise DeliveryFailed(f"the {what} URL is not accepted: {exc}", retriable=False) from exc
    except OSError as exc:
        log.info("%s delivery failed (%s)", what, type(exc).__name__)
        raise DeliveryFailed(f"{what} unreachable or not an HTTP server") from exc
    if not 200 <= answer.status < 300:
        retriable = answer.status >= 500 or answer.status in (408, 429)
        raise DeliveryFailed(f"{what} answered HTTP {answer.status}", status=answer.status, retriable=retriable)
    return answer.status


class WebhookConfig(Schema):
    # a complete endpoint, so a query (a Slack-style ?token=) is kept; credentials and fragments are refused
    url = target(HttpUrl(required=True, allow_query=True, metadata={"title": "URL"}))
    token = secret(load_default="", metadata={"title": "Bearer token"})
    signing_secret = secret(load_default="", data_key="signingSecret", metadata={
        "title": "Signing secret", "description": "HMAC-SHA256 key for the X-LineageLens-Signature header"})


class Webhook(NotificationChannel):
    kind = "webhook"
    label = "Webhook (JSON POST)"
    config_schema = WebhookConfig

    def send(self, message: Mapping[str, Any], config: Mapping[str, Any], ctx: CheckContext) -> int | None:
        """POST ``message`` as JSON, signed when ``signingSecret`` is set; the guard's NetworkRefused
        propagates. Failures name the HTTP status only, never what the target answered."""
        headers = {}
        if config.get("token"):
            headers["Authorization"] = f"Bearer {config['token']}"
        secret_value = str(config.get("signingSecret") or config.get("signing_secret") or "")
        return post_json(ctx, str(config["url"]), dict(message), what="webhook", headers=headers,
                         sign_with=secret_value)


@hookimpl
def register_notification_channels() -> list[type[NotificationChannel]]:
    return [Webhook]
