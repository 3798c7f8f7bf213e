"""Channels: CRUD with write-only secrets sealed at rest, the test send, and the e-mail channel against a real
SMTP server (aiosmtpd) speaking STARTTLS with a certificate made in the test."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import ssl
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from lineagelens.receiver import services
from lineagelens.receiver.state.tables import alert_channels
from tests.integrations.support import free_port
from tests.receiver.alerts.support import alert_app, create
from tests.servers import http_server


def test_secrets_are_write_only_and_sealed_at_rest(tmp_path: Path) -> None:
    app = alert_app(tmp_path)
    client = app.test_client()
    made = create(client, "/api/v1/channels", {"name": "pd", "kind": "pagerduty", "owners": ["team:a"],
                                               "config": {"routingKey": "TOPSECRETKEY", "eventsUrl": "https://pd.example/x"}})
    assert "routingKey" not in made["config"] and made["secretsSet"] == ["routingKey"]
    assert "TOPSECRETKEY" not in json.dumps(client.get(f"/api/v1/channels/{made['id']}").get_json())
    assert "TOPSECRETKEY" not in json.dumps(client.get("/api/v1/channels").get_json())
    with services.get(app).engine.connect() as conn:
        stored = conn.execute(sa.select(alert_channels.c.config)).scalar_one()
    assert "TOPSECRETKEY" not in json.dumps(stored) and "$enc" in json.dumps(stored)
    # an update without the secret keeps it; pointing elsewhere drops it
    kept = client.patch(f"/api/v1/channels/{made['id']}", json={"config": {"source": "prod"}}).get_json()
    assert kept["secretsSet"] == ["routingKey"]
    moved = client.patch(f"/api/v1/channels/{made['id']}",
                         json={"config": {"eventsUrl": "https://elsewhere.example/x"}})
    assert moved.status_code == 422  # routingKey is required again once the URL changes


def test_a_channel_of_unknown_kind_or_bad_config_is_refused(tmp_path: Path) -> None:
    client = alert_app(tmp_path).test_client()
    assert client.post("/api/v1/channels", json={"name": "x", "kind": "carrier-pigeon"}).status_code == 422
    bad = client.post("/api/v1/channels", json={"name": "x", "kind": "slack", "config": {"url": "ftp://x"}})
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["path"].startswith("config")
    create(client, "/api/v1/channels", {"name": "dup", "kind": "slack", "config": {"url": "https://hooks.example/a"}})
    again = client.post("/api/v1/channels", json={"name": "dup", "kind": "slack",
                                                  "config": {"url": "https://hooks.example/a"}})
    assert again.status_code == 409


def test_the_test_send_goes_through_the_guard_and_is_logged(tmp_path: Path) -> None:
    with http_server({"/t": (200, {})}) as server:
        app = alert_app(tmp_path)
        client = app.test_client()
        made = create(client, "/api/v1/channels", {"name": "t", "kind": "teams", "config": {"url": f"{server.url}/t"}})
        answer = client.post(f"/api/v1/channels/{made['id']}/test").get_json()
        assert answer == {"ok": True, "message": "delivered", "responseStatus": 200}
        card = server.requests[0].json()["attachments"][0]["content"]
        assert card["body"][0]["text"] == "LineageLens test notification"
        log = client.get("/api/v1/notifications").get_json()["notifications"]
        assert log[0]["event"] == "test" and log[0]["status"] == "delivered"
    # without the loopback exception the guard refuses: 403, nothing sent
    (tmp_path / "b").mkdir()
    other = alert_app(tmp_path / "b", SOURCE_ALLOW_NETWORKS="")
    made = create(other.test_client(), "/api/v1/channels", {"name": "t", "kind": "slack",
                                                           "config": {"url": "http://127.0.0.1:9/x"}})
    refused = other.test_client().post(f"/api/v1/channels/{made['id']}/test")
    assert refused.status_code == 403 and refused.get_json()["code"] == "network_refused"


def test_deleting_a_channel_takes_it_out_of_rules(tmp_path: Path) -> None:
    client = alert_app(tmp_path).test_client()
    made = create(client, "/api/v1/channels", {"name": "s", "kind": "slack", "config": {"url": "https://h.example/a"}})
    rule = create(client, "/api/v1/alert-rules", {"name": "r", "type": "job_failed", "channelIds": [made["id"]]})
    assert client.delete(f"/api/v1/channels/{made['id']}").status_code == 204
    assert client.get(f"/api/v1/alert-rules/{rule['id']}").get_json()["channelIds"] == []


# -- e-mail over a real SMTP server with STARTTLS -----------------------------------------------------
def _certificate(tmp_path: Path) -> tuple[Path, Path, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    pem = cert.public_bytes(serialization.Encoding.PEM)
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(pem)
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path, pem.decode()


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes, bool]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), envelope.content, session.ssl is not None))
        return "250 OK"


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[tuple[int, Inbox, str]]:
    cert, key, pem = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True)
    controller.start()
    try:
        yield port, inbox, pem
    finally:
        controller.stop()


def test_email_is_sent_over_starttls_with_text_and_html_parts(tmp_path: Path,
                                                               smtp_server: tuple[int, Inbox, str]) -> None:
    port, inbox, pem = smtp_server
    app = alert_app(tmp_path)
    client = app.test_client()
    made = create(client, "/api/v1/channels", {"name": "mail", "kind": "email", "config": {
        "host": "localhost", "port": port, "fromAddress": "alerts@example.com",
        "to": ["oncall@example.com", "data@example.com"], "caCertificate": pem}})
    answer = client.post(f"/api/v1/channels/{made['id']}/test").get_json()
    assert answer["ok"], answer
    assert len(inbox.messages) == 1
    recipients, raw, over_tls = inbox.messages[0]
    assert over_tls and sorted(recipients) == ["data@example.com", "oncall@example.com"]
    mail = message_from_bytes(raw)
    assert "LineageLens test notification" in mail["Subject"]
    types = [part.get_content_type() for part in mail.walk()]
    assert "text/plain" in types and "text/html" in types


def test_email_refuses_a_certificate_it_cannot_verify(tmp_path: Path, smtp_server: tuple[int, Inbox, str]) -> None:
    port, inbox, _ = smtp_server
    client = alert_app(tmp_path).test_client()
    made = create(client, "/api/v1/channels", {"name": "mail", "kind": "email", "config": {
        "host": "localhost", "port": port, "fromAddress": "alerts@example.com", "to": ["oncall@example.com"]}})
    answer = client.post(f"/api/v1/channels/{made['id']}/test").get_json()
    assert answer["ok"] is False and "TLS" in answer["message"]
    assert inbox.messages == []



def test_secrets_rotate_reseals_channel_secrets(tmp_path: Path) -> None:
    from lineagelens.receiver.sources.secrets import SecretBox, SecretsUnreadable

    app = alert_app(tmp_path)
    made = create(app.test_client(), "/api/v1/channels", {"name": "pd", "kind": "pagerduty",
                                                          "config": {"routingKey": "ROTATEME"}})
    channels = services.get(app).alerts.channels
    with pytest.raises(SecretsUnreadable):  # a box without the key they were sealed with: checked, refused
        channels.reseal_secrets(SecretBox([b"n" * 32]), check_only=True)
    old_keys = services.get(app).keyring.derive_all("secrets")
    assert channels.reseal_secrets(SecretBox([b"n" * 32, *old_keys])) == 1
    channels.box = SecretBox([b"n" * 32])  # only the new key from now on
    configured = channels.configured(made["id"])
    assert configured is not None and configured.config["routingKey"] == "ROTATEME"
