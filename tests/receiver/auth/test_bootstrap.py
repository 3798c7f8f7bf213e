"""Secure by default: the first ``serve`` creates an admin and an ingest key and prints them once; AUTH=off is
refused unless the server listens on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from lineagelens.receiver import services
from lineagelens.receiver.auth import bootstrap
from lineagelens.receiver.cli import main
from tests.conftest import anonymous_client, close_app, make_app
from tests.receiver.auth.support import bearer, sign_in


def test_first_start_creates_an_admin_and_an_ingest_key_once(tmp_path: Path) -> None:
    app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/s.db"})
    try:
        auth = services.get(app).auth
        found = bootstrap.first_start(auth)
        assert found is not None
        assert bootstrap.first_start(auth) is None  # users exist now: nothing new, nothing printed
        assert sign_in(app, "admin", password=found.password).body["user"]["role"] == "admin"
        keys = [k.name for k in auth.keys.list()]
        assert "default-ingest" in keys
        client = anonymous_client(app)
        assert client.get("/api/v1/namespaces", headers=bearer(found.ingest_key)).status_code == 403
        text = bootstrap.message(found, "http://127.0.0.1:5000")
        assert found.password in text and f"Authorization: Bearer {found.ingest_key}" in text
        assert text.startswith("+---") and text.endswith("---+")
    finally:
        close_app(app)


def test_first_start_does_nothing_with_auth_off(tmp_path: Path) -> None:
    app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/s.db", "AUTH": "off"})
    try:
        assert bootstrap.first_start(services.get(app).auth) is None
    finally:
        close_app(app)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.1.2.3", "receiver.example.com", "192.168.1.5"])
def test_serve_refuses_auth_off_on_a_non_loopback_host(tmp_path: Path, host: str) -> None:
    env = {"LINEAGELENS_DATABASE_URL": f"sqlite:///{tmp_path}/s.db", "LINEAGELENS_AUTH": "off"}
    result = CliRunner().invoke(main, ["serve", "--host", host, "--port", "1"], env=env)
    assert result.exit_code == 2
    assert "LINEAGELENS_AUTH=off is only allowed when serving on loopback" in result.output
    assert not (tmp_path / "s.db").exists()  # refused before anything was built


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("127.1.2.3", True), ("::1", True),
                                                ("[::1]", True), ("localhost", True), ("0.0.0.0", False),
                                                ("::", False), ("10.0.0.1", False), ("example.com", False)])
def test_loopback_verdicts(host: str, loopback: bool) -> None:
    assert bootstrap.is_loopback(host) is loopback
