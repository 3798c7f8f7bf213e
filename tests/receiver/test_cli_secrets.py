"""``lineagelens secrets rotate``: every stored secret re-encrypted under a new key, with a key file (the
command makes the key, crash-safe) and with LINEAGELENS_SECRET_KEY (the operator sets it and lists the old
one as previous)."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lineagelens.receiver import keyring, services
from lineagelens.receiver.cli import main
from lineagelens.receiver.keyring import Keyring
from lineagelens.receiver.sources.secrets import SecretBox, SecretsUnreadable
from tests.conftest import BUILT_IN_PLUGINS, close_app, make_app

SECRET = "pg-Password-7"
TOKEN = "airflow-Token-9"


@pytest.fixture
def paths(tmp_path: Path) -> dict[str, Path]:
    return {"db": tmp_path / "state.db", "key": tmp_path / "lineagelens.key"}


def _settings(paths: dict[str, Path], **extra: str) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite:///{paths['db']}", "KEY_FILE": str(paths["key"]), "SECRET_KEY": "", **extra}


def _seed(paths: dict[str, Path], **extra: str) -> None:
    app = make_app(_settings(paths, **extra))
    try:
        client = app.test_client()
        for kind, name, config in (
                ("postgres", "warehouse", {"host": "db.example.com", "database": "dw", "password": SECRET}),
                ("airflow", "scheduler", {"url": "http://airflow.example.com", "token": TOKEN})):
            response = client.post("/api/v1/sources", json={"kind": kind, "name": name, "config": config})
            assert response.status_code == 201, response.get_json()
    finally:
        close_app(app)


def _rotate(paths: dict[str, Path], **extra: str) -> Any:
    env = {f"LINEAGELENS_{k}": v for k, v in _settings(paths, **extra).items()}
    return CliRunner().invoke(main, ["secrets", "rotate"], env={**env, "LINEAGELENS_PLUGINS": BUILT_IN_PLUGINS})


def _stored(paths: dict[str, Path], **extra: str) -> list[dict[str, Any]]:
    """Every source's stored config, and the app's own view of the opened secrets."""
    app = make_app(_settings(paths, **extra))
    try:
        s = services.get(app)
        with s.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT name, config FROM sources ORDER BY name").all()
        return [{"name": r[0], "stored": json.loads(r[1]),
                 "opened": s.sources.box.open_config(json.loads(r[1]), ["password", "token"])} for r in rows]
    finally:
        close_app(app)


def _opened_secrets(rows: list[dict[str, Any]]) -> list[str]:
    return [r["opened"].get("password") or r["opened"].get("token") for r in rows]


def test_rotating_a_key_file_re_encrypts_everything_under_a_new_key(paths: dict[str, Path]) -> None:
    _seed(paths)
    old = Keyring.load(secret_key="", key_file=str(paths["key"]))
    before = _stored(paths)
    result = _rotate(paths)
    assert result.exit_code == 0, result.output
    assert "2 secrets re-encrypted" in result.output
    assert stat.S_IMODE(paths["key"].stat().st_mode) == 0o600 and not keyring.pending_path(paths["key"]).exists()
    new = Keyring.load(secret_key="", key_file=str(paths["key"]))
    assert new.master != old.master and new.previous == ()
    after = _stored(paths)
    assert _opened_secrets(after) == [TOKEN, SECRET]  # scheduler, warehouse
    assert [r["stored"] for r in after] != [r["stored"] for r in before]
    with pytest.raises(SecretsUnreadable):  # the old key opens nothing any more
        SecretBox([old.derive("secrets")]).open(after[0]["stored"]["token"])


def test_a_rotation_that_dies_before_replacing_the_key_file_loses_nothing(
        paths: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    _seed(paths)

    def crash(_key_file: Any) -> None:
        raise KeyboardInterrupt("killed between the commit and the key file rename")

    with monkeypatch.context() as patched:
        patched.setattr(keyring, "finish_file_rotation", crash)
        assert _rotate(paths).exit_code != 0
    assert keyring.pending_path(paths["key"]).exists()
    # the database is under the new key, the file still holds the old one: both are read
    assert _opened_secrets(_stored(paths)) == [TOKEN, SECRET]
    finished = _rotate(paths)  # running it again finishes with the same pending key
    assert finished.exit_code == 0, finished.output
    assert not keyring.pending_path(paths["key"]).exists()
    assert _opened_secrets(_stored(paths)) == [TOKEN, SECRET]


def test_rotating_with_the_setting_uses_the_new_key_and_reads_with_the_previous_one(paths: dict[str, Path]) -> None:
    _seed(paths, SECRET_KEY="first-master-key")
    assert _opened_secrets(_stored(paths, SECRET_KEY="first-master-key")) == [TOKEN, SECRET]
    # the operator sets a new key: without the old one listed, the secrets do not open and nothing changes
    refused = _rotate(paths, SECRET_KEY="second-master-key")
    assert refused.exit_code == 1 and "nothing changed" in refused.output
    result = _rotate(paths, SECRET_KEY="second-master-key", PREVIOUS_SECRET_KEYS="first-master-key")
    assert result.exit_code == 0 and "2 secrets re-encrypted" in result.output, result.output
    assert _opened_secrets(_stored(paths, SECRET_KEY="second-master-key")) == [TOKEN, SECRET]


def test_a_connection_test_with_secrets_under_an_unknown_key_says_so(paths: dict[str, Path]) -> None:
    _seed(paths, SECRET_KEY="first-master-key")
    app = make_app(_settings(paths, SECRET_KEY="another-key"))
    try:
        client = app.test_client()
        source = client.get("/api/v1/sources?q=warehouse").get_json()["sources"][0]
        result = client.post(f"/api/v1/sources/{source['id']}/test").get_json()
    finally:
        close_app(app)
    assert result["ok"] is False and "do not decrypt" in result["message"]
