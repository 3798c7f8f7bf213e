"""The built-in e-mail channel: SMTP with STARTTLS (required by default), a text and an HTML part.

The connection goes through the network guard: :class:`GuardedSMTP` opens its socket with
``guard.connect`` (every resolved address checked, the connection made to the checked address), while the
host name stays the one configured, so STARTTLS verifies the certificate against it."""

from __future__ import annotations

import html
import logging
import smtplib
import socket
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from marshmallow import Schema, fields, validate

from lineagelens.plugins.slack import impact_lines
from lineagelens.receiver.plugins import hookimpl
from lineagelens.receiver.sources.network import NetworkGuard
from lineagelens.receiver.sources.types import CheckContext, DeliveryFailed, NotificationChannel, secret, target

log = logging.getLogger(__name__)


class GuardedSMTP(smtplib.SMTP):
    """smtplib's client whose sockets pass the network guard."""

    def __init__(self, guard: NetworkGuard, **kwargs: Any) -> None:
        self.guard = guard
        super().__init__(**kwargs)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        return self.guard.connect(host, port, timeout)


def render(message: Mapping[str, Any]) -> tuple[str, str, str]:
    """``(subject, text, html)`` of a message."""
    title = str(message.get("title") or "LineageLens alert")
    severity = str(message.get("severity") or "info")
    subject = f"[LineageLens {'resolved' if message.get('event') == 'resolved' else severity}] {title}"
    lines = [title, "", str(message.get("text") or ""), "", *impact_lines(message, limit=50)]
    if message.get("link"):
        lines += ["", f"Open: {message['link']}"]
    items = "".join(f"<li>{html.escape(line)}</li>" for line in impact_lines(message, limit=50))
    link = (f'<p><a href="{html.escape(str(message["link"]), quote=True)}">Open in LineageLens</a></p>'
            if message.get("link") else "")
    body = (f"<html><body><h2>{html.escape(title)}</h2><p>{html.escape(str(message.get('text') or ''))}</p>"
            f"{f'<ul>{items}</ul>' if items else ''}{link}"
            f"<p style=\"color:#5b6575\">severity: {html.escape(severity)}</p></body></html>")
    return subject, "\n".join(lines).strip() + "\n", body


class EmailConfig(Schema):
    host = target(fields.String(required=True, validate=validate.Length(min=1, max=253)))
    port = target(fields.Integer(load_default=587, validate=validate.Range(min=1, max=65535)))
    username = fields.String(load_default="", validate=validate.Length(max=320))
    password = secret(load_default="", metadata={"title": "Password"})
    from_address = fields.Email(required=True, data_key="fromAddress")
    to = fields.List(fields.Email(), required=True, validate=validate.Length(min=1, max=100))
    starttls = fields.Boolean(load_default=True, metadata={
        "description": "Require STARTTLS (default); off only for a relay on the same host"})
    ca_certificate = fields.String(load_default="", data_key="caCertificate", validate=validate.Length(max=20000),
                                   metadata={"description": "PEM of a private CA to trust (empty: the system's)"})


class Email(NotificationChannel):
    kind = "email"
    label = "E-mail (SMTP)"
    config_schema = EmailConfig

    def send(self, message: Mapping[str, Any], config: Mapping[str, Any], ctx: CheckContext) -> int | None:
        """Send one e-mail (text and HTML parts) to every ``to`` address; STARTTLS unless turned off."""
        subject, text, body = render(message)
        mail = EmailMessage()
        mail["Subject"] = subject
        mail["From"] = str(config.get("fromAddress") or config.get("from_address"))
        mail["To"] = ", ".join(config["to"])
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = make_msgid(domain="lineagelens")
        mail.set_content(text)
        mail.add_alternative(body, subtype="html")
        ca = str(config.get("caCertificate") or config.get("ca_certificate") or "")
        try:
            with GuardedSMTP(ctx.guard, host=str(config["host"]), port=int(config.get("port") or 587),
                             timeout=ctx.timeout) as smtp:
                smtp.ehlo()
                if config.get("starttls", True):
                    if not smtp.has_extn("starttls"):
                        raise DeliveryFailed("the SMTP server does not offer STARTTLS", retriable=False)
                    context = ssl.create_default_context(cadata=ca or None)
                    smtp.starttls(context=context)
                    smtp.ehlo()
                if config.get("username"):
                    smtp.login(str(config["username"]), str(config.get("password") or ""))
                smtp.send_message(mail)
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryFailed(f"SMTP authentication refused ({exc.smtp_code})", retriable=False) from exc
        except smtplib.SMTPResponseException as exc:
            raise DeliveryFailed(f"SMTP server answered {exc.smtp_code}", retriable=exc.smtp_code < 500) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryFailed("the SMTP server refused every recipient", retriable=False) from exc
        except ssl.SSLError as exc:
            raise DeliveryFailed("TLS handshake with the SMTP server failed") from exc
        except (smtplib.SMTPException, OSError) as exc:
            log.info("e-mail delivery failed (%s)", type(exc).__name__)
            raise DeliveryFailed("SMTP server unreachable or not speaking SMTP") from exc
        return None


@hookimpl
def register_notification_channels() -> list[type[NotificationChannel]]:
    return [Email]
