"""schemathesis against the served OpenAPI document, in-process on the WSGI app, with the admin credential: no
operation answers a server error (5xx). A short run here (``LINEAGELENS_SCHEMATHESIS_EXAMPLES`` examples per
operation, default 10); the figures of a long run are in docs/security.md.

The two operations that connect out (a source's and a channel's connection test) are left out, and any
connection to a non-loopback address fails the test: generated URLs must never reach the network.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis as st
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.conftest import TEST_ADMIN_KEY

MAX_EXAMPLES = int(os.environ.get("LINEAGELENS_SCHEMATHESIS_EXAMPLES", "10"))
CONNECTS_OUT = r"^/api/v1/(sources/\{source\}|channel-types/\{kind\})/test$"


def _loopback(host: Any) -> bool:
    if host in (None, "localhost"):
        return True
    try:
        return ipaddress.ip_address(str(host).strip("[]").split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fails any Python-level name lookup or connection to a non-loopback address (recorded, then refused)."""
    attempts: list[str] = []
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _loopback(host):
            attempts.append(f"lookup {host!r}")
            raise socket.gaierror(socket.EAI_NONAME, "refused by the test: not loopback")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(sock: socket.socket, address: Any) -> Any:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
            attempts.append(f"connect {address!r}")
            raise ConnectionRefusedError("refused by the test: not loopback")
        return real_connect(sock, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    yield attempts


def test_no_operation_answers_a_server_error(app: Flask, loopback_only: list[str]) -> None:
    schema = st.openapi.from_wsgi("/api/v1/openapi.json", app).exclude(path_regex=CONNECTS_OUT)
    key = app.config.get(TEST_ADMIN_KEY)
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    failures: list[str] = []
    operations, calls = 0, [0]
    for loaded in schema.get_all_operations():
        operation = loaded.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            calls[0] += 1
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error])

        try:
            run()
        except Exception as exc:  # collected, so one run reports every failing operation
            failures.append(f"{operation.label}: {str(exc)[:2000]}")
    assert operations > 30 and calls[0] >= operations, (operations, calls)
    print(f"schemathesis: {operations} operations, {calls[0]} requests, at most {MAX_EXAMPLES} examples each")
    assert not failures, "\n\n".join(failures)
    assert not loopback_only, f"a generated request tried the network: {loopback_only}"
