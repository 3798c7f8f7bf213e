"""Connection tests and notification channels cannot be aimed at the network (issue 9): the exploit steps,
each against the default configuration or the narrowest one that lets the step reach a local server.

The only servers connected to are local ones on 127.0.0.1; a refused test proves nothing arrived there."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lineagelens.receiver import services
from lineagelens.receiver.state.tables import sources
from tests.conftest import backend_config, close_app, make_app
from tests.servers import (
    banner_server,
    closed_port,
    http_server,
    kafka_broker,
    recording_listener,
    tcp_listener,
)

LOOPBACK_OPEN = {"SOURCE_ALLOW_NETWORKS": "127.0.0.0/8,::1/128"}


@pytest.fixture
def open_app(tmp_path: Path) -> Iterator[Flask]:
    """A receiver whose connection tests may reach loopback (where this module's servers listen)."""
    application = make_app({**backend_config("sqlite", tmp_path), **LOOPBACK_OPEN})
    yield application
    close_app(application)


@pytest.fixture
def open_client(open_app: Flask) -> FlaskClient:
    return open_app.test_client()


def _create(client: FlaskClient, kind: str, config: dict[str, Any], name: str = "s1") -> dict[str, Any]:
    response = client.post("/api/v1/sources", json={"kind": kind, "name": name, "config": config})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _test(client: FlaskClient, source: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/sources/{source['id']}/test")


# -- deny by default -----------------------------------------------------------------------------------------
LOOPBACK_SPELLINGS = ["127.0.0.1", "2130706433", "0x7f000001", "127.1", "0177.0.0.1", "[::1]",
                      "[::ffff:127.0.0.1]", "localhost"]


@pytest.mark.parametrize("host", LOOPBACK_SPELLINGS)
def test_default_config_refuses_loopback_http_tests_and_never_connects(client: FlaskClient, host: str) -> None:
    with recording_listener() as listener:
        source = _create(client, "airflow", {"url": f"http://{host}:{listener.port}"})
        response = _test(client, source)
    assert response.status_code == 403 and response.get_json()["code"] == "network_refused"
    assert listener.connections == 0
    assert client.get(f"/api/v1/sources/{source['id']}").get_json()["status"]["state"] == "failing"


@pytest.mark.parametrize(("kind", "config"), [
    ("kafka", lambda port: {"bootstrapServers": f"127.0.0.1:{port}"}),
    ("postgres", lambda port: {"host": "127.1", "port": port, "database": "d", "password": "pw"}),
    ("mysql", lambda port: {"host": "2130706433", "port": port, "database": "d"}),
    ("spark", lambda port: {"url": f"http://0x7f000001:{port}"}),
    ("s3", lambda port: {"bucket": "lake", "endpoint": f"http://127.0.0.1:{port}"}),
    ("filesystem", lambda port: {"scheme": "hdfs", "path": f"127.0.0.1:{port}"}),
], ids=["kafka", "pg", "my", "spark", "s3", "hdfs"])
def test_default_config_refuses_loopback_for_every_source_type(client: FlaskClient, kind: str, config: Any) -> None:
    with recording_listener() as listener:
        source = _create(client, kind, config(listener.port))
        response = _test(client, source)
    assert response.status_code == 403 and response.get_json()["code"] == "network_refused"
    assert listener.connections == 0


@pytest.mark.parametrize("host", ["10.0.0.1", "172.16.0.1", "192.168.1.1", "100.64.0.1", "[fd00::1]", "[::]",
                                  "0.0.0.0", "[::a9fe:a9fe]", "[64:ff9b::a9fe:a9fe]", "[2002:a9fe:a9fe::1]",
                                  "169.254.169.254"])
def test_default_config_refuses_private_ranges_and_embedded_forms(client: FlaskClient, host: str) -> None:
    """Refused from the address alone: nothing is sent to these (non-loopback) addresses."""
    source = _create(client, "airflow", {"url": f"http://{host}:8080"})
    response = _test(client, source)
    assert response.status_code == 403 and response.get_json()["code"] == "network_refused"


def test_deny_list_still_refuses_embedded_forms_of_a_denied_address(tmp_path: Path) -> None:
    app = make_app({**backend_config("sqlite", tmp_path), **LOOPBACK_OPEN, "SOURCE_DENY_NETWORKS": "127.0.0.2/32"})
    try:
        client = app.test_client()
        for host in ("127.0.0.2", "[::ffff:127.0.0.2]", "[::127.0.0.2]", "[64:ff9b::7f00:2]", "[2002:7f00:2::1]"):
            response = _test(client, _create(client, "airflow", {"url": f"http://{host}:8080"}, name=host))
            assert response.status_code == 403, host
            assert "127.0.0.2" in response.get_json()["message"], host
    finally:
        close_app(app)


def test_webhook_test_is_refused_on_loopback_by_default_and_never_connects(client: FlaskClient) -> None:
    with recording_listener() as listener:
        response = client.post("/api/v1/channel-types/webhook/test",
                               json={"config": {"url": f"http://127.0.0.1:{listener.port}/hook"}})
    assert response.status_code == 403 and response.get_json()["code"] == "network_refused"
    assert listener.connections == 0


# -- results carry a status and parsed fields, never the target's body ------------------------------------------
def test_airflow_result_never_carries_the_targets_body(open_client: FlaskClient) -> None:
    body = {"metadatabase": {"status": "healthy", "detail": "INTERNAL-DATA-1"},
            "scheduler": {"status": "INTERNAL-DATA-2"}, "other": "INTERNAL-DATA-3"}
    with http_server({"/api/v2/monitor/health": (200, body)}) as server:
        source = _create(open_client, "airflow", {"url": server.url})
        result = _test(open_client, source).get_json()
    assert "INTERNAL-DATA" not in str(result)
    assert result["details"] == {"version": "3.x", "metadatabase": "healthy", "scheduler": "unknown",
                                 "triggerer": None, "dagProcessor": None}
    history = open_client.get(f"/api/v1/sources/{source['id']}/status-history").get_json()
    assert "INTERNAL-DATA" not in str(history)


def test_a_json_document_that_is_not_airflow_health_is_not_echoed(open_client: FlaskClient) -> None:
    with http_server({"/api/v2/monitor/health": (200, {"users": ["INTERNAL-DATA"]})}) as server:
        result = _test(open_client, _create(open_client, "airflow", {"url": server.url})).get_json()
    assert result["ok"] is False and "INTERNAL-DATA" not in str(result)
    assert result["details"] == {"status": 200}


@pytest.mark.parametrize("kind", ["airflow", "spark", "s3"])
def test_error_messages_never_quote_what_the_target_sent(open_client: FlaskClient, kind: str) -> None:
    """A service that is not HTTP (an SSH banner here) gives a fixed message, not its bytes."""
    with banner_server(b"SSH-2.0-OpenSSH_9.6 INTERNAL-BANNER\r\n") as port:
        url = f"http://127.0.0.1:{port}"
        config = {"bucket": "lake", "endpoint": url} if kind == "s3" else {"url": url}
        result = _test(open_client, _create(open_client, kind, config)).get_json()
    assert result["ok"] is False and "INTERNAL-BANNER" not in str(result), result
    assert result["message"].startswith("unreachable or not ")


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/internal/admin?", "http://127.0.0.1:8080/internal/admin#",
                                 "http://127.0.0.1:8080/internal?x=", "http://user:pw@127.0.0.1:8080/",
                                 "file:///etc/passwd"])
def test_urls_that_could_pick_the_path_are_refused_at_validation(client: FlaskClient, url: str) -> None:
    for kind, config in (("airflow", {"url": url}), ("spark", {"url": url}),
                         ("s3", {"bucket": "lake", "endpoint": url})):
        response = client.post("/api/v1/sources", json={"kind": kind, "name": "x", "config": config})
        assert response.status_code == 422, (kind, response.get_json())
        assert [e["path"] for e in response.get_json()["errors"]] == [
            "config.endpoint" if kind == "s3" else "config.url"]


def test_a_stored_url_with_a_query_cannot_pick_the_path(open_app: Flask, open_client: FlaskClient) -> None:
    """A config stored before validation existed (or written around it) is refused at test time too."""
    with http_server({"/internal/admin": (200, {"metadatabase": {"status": "healthy"}})}) as server:
        source = _create(open_client, "airflow", {"url": server.url})
        with services.get(open_app).engine.begin() as conn:
            conn.execute(sources.update().where(sources.c.id == source["id"]).values(
                config={"url": server.url + "/internal/admin?", "namespace": "default"}))
        result = _test(open_client, source).get_json()
        assert server.requests == []
    assert result["ok"] is False and "not accepted" in result["message"]


def test_the_base_path_is_kept_and_the_health_path_appended(open_client: FlaskClient) -> None:
    health = {"metadatabase": {"status": "healthy"}, "scheduler": {"status": "healthy"}}
    with http_server({"/airflow/api/v2/monitor/health": (200, health)}) as server:
        result = _test(open_client, _create(open_client, "airflow", {"url": server.url + "/airflow/"})).get_json()
        assert [r.path for r in server.requests] == ["/airflow/api/v2/monitor/health"]
    assert result["ok"] is True


# -- Kafka: open and closed ports look the same ------------------------------------------------------------------
def test_kafka_test_cannot_tell_open_from_closed_ports(open_client: FlaskClient) -> None:
    results = []
    with tcp_listener() as accepts_and_closes, http_server({}) as http, banner_server(b"SSH-2.0-x\r\n") as ssh, \
            kafka_broker(answer=b"\x00\x00\x00\x02ab") as garbage:
        targets = [closed_port(), accepts_and_closes, int(http.url.rsplit(":", 1)[1]), ssh, garbage]
        for i, port in enumerate(targets):
            source = _create(open_client, "kafka", {"bootstrapServers": f"127.0.0.1:{port}"}, name=f"k{i}")
            response = _test(open_client, source)
            assert response.status_code == 200
            body = response.get_json()
            results.append((body["ok"], body["message"], sorted(body), body["details"]["reached"],
                            len(body["details"]["failed"])))
    assert results == [(False, "unreachable or not a Kafka broker", ["details", "latencyMs", "message", "ok"],
                        [], 1)] * 5


def test_kafka_test_passes_against_something_that_speaks_kafka(open_client: FlaskClient) -> None:
    with kafka_broker() as port:
        result = _test(open_client, _create(open_client, "kafka", {"bootstrapServers": f"127.0.0.1:{port}"}))
    assert result.get_json()["ok"] is True


# -- filesystem roots --------------------------------------------------------------------------------------------
def test_filesystem_tests_are_refused_until_roots_are_set(client: FlaskClient) -> None:
    source = _create(client, "filesystem", {"scheme": "file", "path": "/etc"})
    result = _test(client, source).get_json()
    assert result["ok"] is False and "LINEAGELENS_FILESYSTEM_ROOTS" in result["message"]
    assert result["details"] == {"refused": True}


def test_filesystem_outside_the_roots_reveals_nothing(tmp_path: Path) -> None:
    root = tmp_path / "data"
    (root / "lake").mkdir(parents=True)
    (root / "lake" / "a.csv").write_text("x")
    os.symlink("/etc", root / "etc-link")
    app = make_app({**backend_config("sqlite", tmp_path), "FILESYSTEM_ROOTS": str(root)})
    try:
        client = app.test_client()
        shapes = set()
        for i, path in enumerate(["/etc/shadow", "/root", "/no/such/path", f"{root}/../state.db",
                                  f"{root}/etc-link/passwd", f"{root}/etc-link"]):
            result = _test(client, _create(client, "filesystem", {"path": path}, name=f"f{i}")).get_json()
            assert result["ok"] is False and result["details"] == {"refused": True}, result
            shapes.add(result["message"].replace(path, "PATH"))
        assert shapes == {f"refused: PATH is not under LINEAGELENS_FILESYSTEM_ROOTS ({os.path.realpath(root)})"}
        inside = _test(client, _create(client, "filesystem", {"path": f"{root}/lake"}, name="lake")).get_json()
        assert inside["ok"] is True and inside["details"] == {"entries": 1}
    finally:
        close_app(app)


def test_stored_secrets_are_not_sent_to_a_refused_address(client: FlaskClient) -> None:
    """The guard runs before any byte leaves: a token is never sent to loopback by default."""
    with http_server({"/api/v2/monitor/health": (200, {})}) as server:
        source = _create(client, "airflow", {"url": server.url, "token": "hunter2-token"})
        assert _test(client, source).status_code == 403
        assert server.requests == []


def test_webhook_test_sends_the_fixed_payload_not_the_clients_json(open_client: FlaskClient) -> None:
    with http_server({"/hook": (200, {})}) as server:
        response = open_client.post("/api/v1/channel-types/webhook/test", json={
            "config": {"url": server.url + "/hook"}, "message": {"query": "mutation { deleteEverything }"}})
        assert server.requests == []
    assert response.status_code == 422 and [e["path"] for e in response.get_json()["errors"]] == ["message"]


def test_webhook_failures_report_the_status_only(open_client: FlaskClient) -> None:
    with banner_server(b"SSH-2.0-OpenSSH_9.6 INTERNAL-BANNER\r\n") as port:
        response = open_client.post("/api/v1/channel-types/webhook/test",
                                    json={"config": {"url": f"http://127.0.0.1:{port}/hook"}})
    assert response.get_json() == {"ok": False, "message": "webhook unreachable or not an HTTP server"}
