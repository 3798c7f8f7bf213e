"""A verified API key is trusted for a few seconds without reading its row again (ingest sends a request per
event); revocation by this process is immediate, by another process bounded by that window."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from lineagelens.receiver import services
from lineagelens.receiver.auth import apikeys
from lineagelens.receiver.auth.apikeys import ApiKeyStore


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    fake = _Clock()
    monkeypatch.setattr(apikeys.time, "monotonic", fake)
    return fake


def _reads_of_api_keys(engine: sa.Engine) -> list[str]:
    seen: list[str] = []

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _record(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT") and "api_keys" in statement:
            seen.append(statement)

    return seen


def test_a_verified_key_is_not_read_again_within_the_window(app: Flask, clock: _Clock) -> None:
    engine = services.get(app).engine
    store = ApiKeyStore(engine)
    _, key = store.create(name="spark", scope="ingest", created_by="tests")
    reads = _reads_of_api_keys(engine)
    first = store.principal(key)
    assert first is not None and len(reads) == 1
    clock.now += apikeys.VERIFIED_FOR_SECONDS / 2
    assert store.principal(key) == first and len(reads) == 1
    clock.now += apikeys.VERIFIED_FOR_SECONDS
    assert store.principal(key) == first and len(reads) == 2  # the window passed: the row is read again


def test_a_key_revoked_here_is_refused_at_once(app: Flask, clock: _Clock) -> None:
    store = ApiKeyStore(services.get(app).engine)
    created, key = store.create(name="spark", scope="ingest", created_by="tests")
    assert store.principal(key) is not None
    store.revoke(created.id)
    assert store.principal(key) is None


def test_a_key_revoked_by_another_process_is_refused_once_the_window_passes(app: Flask, clock: _Clock) -> None:
    engine = services.get(app).engine
    here, elsewhere = ApiKeyStore(engine), ApiKeyStore(engine)
    created, key = here.create(name="spark", scope="ingest", created_by="tests")
    assert here.principal(key) is not None
    elsewhere.revoke(created.id)
    clock.now += apikeys.VERIFIED_FOR_SECONDS + 0.1
    assert here.principal(key) is None


def test_a_wrong_secret_under_a_known_id_is_never_taken_from_the_cache(app: Flask, clock: _Clock) -> None:
    store = ApiKeyStore(services.get(app).engine)
    _, key = store.create(name="spark", scope="ingest", created_by="tests")
    assert store.principal(key) is not None
    forged = key[:-1] + ("A" if key[-1] != "A" else "B")
    assert store.principal(forged) is None
    assert store.principal(key) is not None
