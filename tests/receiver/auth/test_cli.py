"""``lineagelens users ...`` and ``lineagelens apikey ...`` on the configured database, audited as cli:<user>."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from lineagelens.receiver import services
from lineagelens.receiver.auth import apikeys
from lineagelens.receiver.auth.audit import cli_actor
from lineagelens.receiver.cli import main
from lineagelens.receiver.state.tables import api_keys
from tests.conftest import anonymous_client, close_app, make_app
from tests.receiver.auth.support import PASSWORD, bearer, sign_in


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"LINEAGELENS_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db", "LINEAGELENS_GRAPH_URL": "",
            "LINEAGELENS_SECRET_KEY": "lineagelens-tests-master-key"}


def _run(env: dict[str, str], *args: str, stdin: str | None = None) -> Any:
    return CliRunner().invoke(main, list(args), env=env, input=stdin, catch_exceptions=False)


def test_users_create_reads_the_password_from_stdin_and_the_user_can_sign_in(env: dict[str, str],
                                                                             tmp_path: Path) -> None:
    result = _run(env, "users", "create", "root", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    assert result.exit_code == 0 and "created user root (admin)" in result.output
    assert PASSWORD not in result.output
    app = make_app({"DATABASE_URL": env["LINEAGELENS_DATABASE_URL"]})
    try:
        assert sign_in(app, "root").body["user"] == {"name": "root", "role": "admin"}
        entries = services.get(app).auth.audit.find(limit=10, offset=0, actor=cli_actor())[0]
        assert [(e["action"], e["via"], e["target"]) for e in entries] == [("cli.users.create", "cli", "root")]
    finally:
        close_app(app)


def test_users_list_set_role_and_delete(env: dict[str, str]) -> None:
    _run(env, "users", "create", "root", "--role", "admin", "--password-stdin", stdin=PASSWORD)
    _run(env, "users", "create", "ann", "--role", "viewer", "--password-stdin", stdin=PASSWORD)
    assert _run(env, "users", "set-role", "ann", "editor").exit_code == 0
    listed = {u["name"]: u["role"] for u in json.loads(_run(env, "users", "list", "--json").output)}
    assert listed == {"root": "admin", "ann": "editor"}
    assert "ann\teditor" in _run(env, "users", "list").output
    assert _run(env, "users", "delete", "ann").exit_code == 0
    last = _run(env, "users", "delete", "root")
    assert last.exit_code == 1 and "last admin" in last.output


def test_users_create_refuses_a_short_password(env: dict[str, str]) -> None:
    result = _run(env, "users", "create", "root", "--role", "admin", "--password-stdin", stdin="short\n")
    assert result.exit_code == 1 and "at least 12 characters" in result.output


def test_apikey_create_prints_the_key_once_and_list_and_revoke_work(env: dict[str, str],
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    created = _run(env, "apikey", "create", "--name", "spark", "--scope", "ingest", "--namespace", "spark-prod",
                   "--namespace", "spark-dev")
    assert created.exit_code == 0
    key = created.output.strip().splitlines()[-1]
    assert key.startswith("ll_")
    listed = json.loads(_run(env, "apikey", "list", "--json").output)
    assert [(k["name"], k["scope"], k["namespaces"]) for k in listed] == [("spark", "ingest",
                                                                           ["spark-dev", "spark-prod"])]
    assert key not in _run(env, "apikey", "list").output
    engine = sa.create_engine(env["LINEAGELENS_DATABASE_URL"])
    with engine.connect() as conn:
        assert key not in str(conn.execute(sa.select(api_keys)).all())
    engine.dispose()
    app = make_app({"DATABASE_URL": env["LINEAGELENS_DATABASE_URL"]})
    try:
        client = anonymous_client(app)
        assert client.get("/api/v1/namespaces", headers=bearer(key)).status_code == 403  # ingest only
        assert _run(env, "apikey", "revoke", listed[0]["id"]).exit_code == 0
        later = time.monotonic() + apikeys.VERIFIED_FOR_SECONDS + 0.1  # a running receiver re-reads the key by then
        monkeypatch.setattr(apikeys.time, "monotonic", lambda: later)
        assert client.get("/api/v1/namespaces", headers=bearer(key)).status_code == 401
    finally:
        close_app(app)
    revoked = json.loads(_run(env, "apikey", "list", "--json").output)[0]
    assert revoked["revokedAt"] is not None and revoked["createdBy"] == cli_actor()
    assert _run(env, "apikey", "revoke", "nope").exit_code == 1
