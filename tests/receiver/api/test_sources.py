"""Sources: the palette, CRUD, real connection tests (the postgres one against the real server), the
network guard, and secrets that never come back.

The connection tests here reach real local servers on 127.0.0.1, which the guard refuses by default: this
module's ``app`` opens loopback with LINEAGELENS_SOURCE_ALLOW_NETWORKS (test_source_guard.py covers the
default configuration)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lineagelens.receiver import services
from lineagelens.receiver.state.tables import sources
from tests.conftest import POSTGRES_URL, backend_config, close_app, make_app, post_events
from tests.factories import chain_events
from tests.servers import closed_port, http_server, kafka_broker, tcp_listener

SECRET = "hunter2-Sup3r-Secret"
BUILT_IN = {"postgres", "mysql", "airflow", "spark", "kafka", "s3", "filesystem"}
LOOPBACK_OPEN = {"SOURCE_ALLOW_NETWORKS": "127.0.0.0/8,::1/128"}


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """A receiver on a fresh SQLite file whose connection tests may reach loopback (the local test servers)."""
    application = make_app({**backend_config("sqlite", tmp_path), **LOOPBACK_OPEN})
    yield application
    close_app(application)


def _pg_config(**overrides: Any) -> dict[str, Any]:
    url = urlsplit(POSTGRES_URL.replace("postgresql+psycopg", "postgresql"))
    return {"host": url.hostname, "port": url.port, "database": url.path.lstrip("/"), "user": url.username,
            "password": SECRET, **overrides}


def _create(client: FlaskClient, kind: str, config: dict[str, Any], name: str = "s1") -> dict[str, Any]:
    response = client.post("/api/v1/sources", json={"kind": kind, "name": name, "config": config})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_palette_lists_every_source_type_with_a_json_schema(client: FlaskClient) -> None:
    types = {t["kind"]: t for t in client.get("/api/v1/node-types").get_json()["nodeTypes"]}
    assert set(types) >= BUILT_IN
    pg = types["postgres"]
    assert pg["category"] == "Databases" and pg["icon"].startswith("<svg")
    assert pg["configSchema"]["required"] == ["host", "database"]
    assert pg["configSchema"]["properties"]["password"]["writeOnly"] is True
    assert pg["secretFields"] == ["password"] and pg["defaultConfig"]["port"] == 5432


@pytest.mark.postgres
def test_postgres_connection_test_runs_select_1_against_the_real_server(client: FlaskClient) -> None:
    source = _create(client, "postgres", _pg_config())
    result = client.post(f"/api/v1/sources/{source['id']}/test").get_json()
    assert result["ok"] is True and "SELECT 1" in result["message"], result
    assert result["latencyMs"] > 0 and result["details"]["serverVersion"].startswith("15")
    status = client.get(f"/api/v1/sources/{source['id']}").get_json()["status"]
    assert status["state"] == "ok" and status["checkedAt"]
    history = client.get(f"/api/v1/sources/{source['id']}/status-history").get_json()["history"]
    assert [h["ok"] for h in history] == [True]


def test_failing_connection_is_reported_and_recorded(client: FlaskClient) -> None:
    source = _create(client, "postgres", _pg_config(host="127.0.0.1", port=closed_port()))
    result = client.post(f"/api/v1/sources/{source['id']}/test").get_json()
    assert result == {**result, "ok": False, "message": "cannot connect: unreachable or not a PostgreSQL server"}
    assert client.get(f"/api/v1/sources/{source['id']}").get_json()["status"]["state"] == "failing"


def test_secrets_never_appear_in_responses_or_logs(client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    source = _create(client, "postgres", _pg_config(host="127.0.0.1", port=closed_port()))
    responses = [
        client.get(f"/api/v1/sources/{source['id']}"),
        client.get("/api/v1/sources"),
        client.post(f"/api/v1/sources/{source['id']}/test"),
        client.get(f"/api/v1/sources/{source['id']}/status-history"),
        client.patch(f"/api/v1/sources/{source['id']}", json={"description": "renamed"}),
        client.post("/api/v1/sources", json={"kind": "postgres", "name": "bad", "config": {"password": SECRET}}),
    ]
    for response in responses:
        assert SECRET not in response.get_data(as_text=True)
    assert SECRET not in caplog.text
    assert "password" not in source["config"]


def test_update_without_the_secret_keeps_it(app: Flask, client: FlaskClient) -> None:
    source = _create(client, "postgres", _pg_config())
    response = client.put(f"/api/v1/sources/{source['id']}", json={"name": "warehouse",
                                                                   "config": {"user": "reporting"}})
    assert response.status_code == 200 and response.get_json()["name"] == "warehouse"
    opened = _opened(app, source["id"])
    assert opened["password"] == SECRET and opened["user"] == "reporting"


@pytest.mark.parametrize(("body", "status", "path"), [
    ({"kind": "oracle9", "name": "x", "config": {}}, 422, "kind"),
    ({"kind": "postgres", "name": "x", "config": {"host": "h"}}, 422, "config.database"),
    ({"kind": "postgres", "name": "x", "config": {"host": "h", "database": "d", "port": "five"}}, 422, "config.port"),
    ({"kind": "postgres", "name": "x", "config": {"host": "h", "database": "d", "sudo": True}}, 422, "config.sudo"),
    ({"kind": "kafka", "name": "x", "config": {"bootstrapServers": "::::"}}, 422, "config.bootstrapServers"),
    ({"kind": "postgres", "config": {}}, 422, "name"),
    ({"kind": "postgres", "name": "x", "config": [], "extra": 1}, 422, "extra"),
], ids=["unknown-kind", "missing-field", "wrong-type", "unknown-field", "bad-servers", "no-name", "unknown-key"])
def test_bad_requests_get_a_4xx_naming_the_problem(client: FlaskClient, body: dict, status: int, path: str) -> None:
    response = client.post("/api/v1/sources", json=body)
    assert response.status_code == status
    assert path in [e["path"] for e in response.get_json()["errors"]]


def test_duplicate_name_is_a_409(client: FlaskClient) -> None:
    _create(client, "kafka", {"bootstrapServers": "127.0.0.1:9092"}, name="events")
    response = client.post("/api/v1/sources", json={"kind": "kafka", "name": "events",
                                                    "config": {"bootstrapServers": "127.0.0.1:9093"}})
    assert response.status_code == 409 and response.get_json()["code"] == "conflict"


def test_metadata_addresses_are_refused_with_the_reason(client: FlaskClient) -> None:
    source = _create(client, "airflow", {"url": "http://169.254.169.254/latest"})
    response = client.post(f"/api/v1/sources/{source['id']}/test")
    body = response.get_json()
    assert response.status_code == 403 and body["code"] == "network_refused"
    assert "169.254" in body["message"]
    assert client.get(f"/api/v1/sources/{source['id']}").get_json()["status"]["state"] == "failing"


def test_allow_list_refuses_addresses_outside_it(tmp_path: Any) -> None:
    app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/s.db", "SOURCE_ALLOW_NETWORKS": "10.0.0.0/8"})
    try:
        client = app.test_client()
        with tcp_listener() as port:
            source = _create(client, "kafka", {"bootstrapServers": f"127.0.0.1:{port}"})
            response = client.post(f"/api/v1/sources/{source['id']}/test")
        assert response.status_code == 403 and "127.0.0.0/8 (loopback)" in response.get_json()["message"]
    finally:
        close_app(app)


def test_kafka_test_asks_each_bootstrap_server_for_its_api_versions(client: FlaskClient) -> None:
    closed = closed_port()
    with kafka_broker() as broker, tcp_listener() as not_kafka:
        servers = [f"127.0.0.1:{broker}", f"127.0.0.1:{closed}", f"127.0.0.1:{not_kafka}"]
        source = _create(client, "kafka", {"bootstrapServers": ",".join(servers)})
        result = client.post(f"/api/v1/sources/{source['id']}/test").get_json()
    assert result["ok"] is True and result["details"] == {"reached": servers[:1], "failed": servers[1:]}
    assert result["message"] == (f"Kafka broker answered at {servers[0]}; unreachable or not a Kafka broker: "
                                 f"{servers[1]}, {servers[2]}")
    assert source["namespaces"] == [f"kafka://{s}" for s in servers]


def test_airflow_test_reads_the_v3_health_endpoint(client: FlaskClient) -> None:
    health = {"metadatabase": {"status": "healthy"}, "scheduler": {"status": "healthy"}}
    with http_server({"/api/v2/monitor/health": (200, health)}) as server:
        source = _create(client, "airflow", {"url": server.url, "token": SECRET})
        result = client.post(f"/api/v1/sources/{source['id']}/test").get_json()
        assert server.requests[0].headers["Authorization"] == f"Bearer {SECRET}"
    assert result["ok"] is True and result["details"] == {
        "version": "3.x", "metadatabase": "healthy", "scheduler": "healthy", "triggerer": None, "dagProcessor": None}
    assert SECRET not in str(result)


def test_airflow_2_falls_back_to_health(client: FlaskClient) -> None:
    health = {"metadatabase": {"status": "unhealthy"}, "scheduler": {"status": "healthy"}}
    with http_server({"/health": (200, health)}) as server:
        source = _create(client, "airflow", {"url": server.url})
        result = client.post(f"/api/v1/sources/{source['id']}/test").get_json()
    assert result["ok"] is False and "2.x: metadatabase unhealthy" in result["message"]


def test_spark_and_s3_tests_use_their_rest_endpoints(client: FlaskClient) -> None:
    routes = {"/api/v1/applications": (200, [{"id": "app-1", "name": "etl"}]), "/lake": (403, {})}
    with http_server(routes) as server:
        spark = _create(client, "spark", {"url": server.url}, name="spark")
        s3 = _create(client, "s3", {"bucket": "lake", "endpoint": server.url}, name="lake")
        missing = _create(client, "s3", {"bucket": "nope", "endpoint": server.url}, name="nope")
        assert client.post(f"/api/v1/sources/{spark['id']}/test").get_json()["details"] == {"applicationCount": 1}
        assert server.requests[0].path == "/api/v1/applications?limit=5"
        assert client.post(f"/api/v1/sources/{s3['id']}/test").get_json()["ok"] is True
        assert "not found" in client.post(f"/api/v1/sources/{missing['id']}/test").get_json()["message"]
    assert s3["namespaces"] == ["s3://lake"]


def test_observed_datasets_attach_to_their_source(client: FlaskClient) -> None:
    post_events(client, chain_events(3))
    source = _create(client, "postgres", {"host": "DB", "port": 5432, "database": "warehouse"})
    assert source["namespaces"] == ["postgres://db:5432"]
    found = client.get(f"/api/v1/sources/{source['id']}/datasets").get_json()["datasets"]
    assert [d["name"] for d in found] == ["public.t0", "public.t1", "public.t2", "public.t3"]


def test_list_filters_by_kind_and_search_and_delete_removes(client: FlaskClient) -> None:
    kafka = _create(client, "kafka", {"bootstrapServers": "127.0.0.1:9092"}, name="clickstream")
    _create(client, "s3", {"bucket": "lake"}, name="lake")
    assert [s["name"] for s in client.get("/api/v1/sources?kind=kafka").get_json()["sources"]] == ["clickstream"]
    assert [s["name"] for s in client.get("/api/v1/sources?q=LAK").get_json()["sources"]] == ["lake"]
    assert client.delete(f"/api/v1/sources/{kafka['id']}").status_code == 204
    assert client.get(f"/api/v1/sources/{kafka['id']}").status_code == 404
    assert client.delete(f"/api/v1/sources/{kafka['id']}").status_code == 404


def test_webhook_channel_delivers_a_test_message_to_a_real_server(client: FlaskClient) -> None:
    kinds = [c["kind"] for c in client.get("/api/v1/channel-types").get_json()["channelTypes"]]
    assert "webhook" in kinds
    with http_server({"/hook": (200, {"ok": True}), "/broken": (500, {"internal": "answer text"})}) as server:
        ok = client.post("/api/v1/channel-types/webhook/test", json={"config": {"url": server.url + "/hook"}})
        failed = client.post("/api/v1/channel-types/webhook/test", json={"config": {"url": server.url + "/broken"}})
        assert server.requests[0].json() == {"title": "LineageLens test notification",
                                             "text": "If you can read this, the channel works.", "severity": "info"}
    assert ok.get_json() == {"ok": True, "message": "delivered"}
    assert failed.get_json() == {"ok": False, "message": "webhook answered HTTP 500"}


def test_secret_fields_are_named_as_in_the_config_schema(client: FlaskClient) -> None:
    types = {t["kind"]: t for t in client.get("/api/v1/node-types").get_json()["nodeTypes"]}
    for node_type in types.values():
        properties = node_type["configSchema"]["properties"]
        for name in node_type["secretFields"]:
            assert properties[name]["writeOnly"] is True, (node_type["kind"], name)
    assert types["s3"]["secretFields"] == ["secretAccessKey"]


def test_null_description_reads_as_empty(client: FlaskClient) -> None:
    response = client.post("/api/v1/sources", json={"kind": "s3", "name": "lake", "description": None,
                                                    "config": {"bucket": "lake", "secretAccessKey": SECRET}})
    assert response.status_code == 201 and response.get_json()["description"] == ""
    assert SECRET not in response.get_data(as_text=True)


# -- secrets at rest, and retargeting drops them (issue 9) -----------------------------------------------
HEALTHY = {"/api/v2/monitor/health": (200, {"metadatabase": {"status": "healthy"},
                                            "scheduler": {"status": "healthy"}})}


def _stored(app: Flask, source: str) -> dict[str, Any]:
    with services.get(app).engine.connect() as conn:
        config: dict[str, Any] = conn.execute(sa.select(sources.c.config).where(sources.c.id == source)).scalar_one()
    return config


def _opened(app: Flask, source: str) -> dict[str, Any]:
    """The stored config with its secrets decrypted, as a connection test sees it."""
    return services.get(app).sources.box.open_config(_stored(app, source), ["password", "token", "secretAccessKey"])


def _bearers(server: Any) -> list[str | None]:
    return [r.headers.get("Authorization") for r in server.requests]


def test_secrets_are_stored_encrypted_never_in_plain_text(app: Flask, client: FlaskClient) -> None:
    pg = _create(client, "postgres", _pg_config(host="db.example.com"))
    _create(client, "s3", {"bucket": "lake", "accessKeyId": "AKIA1", "secretAccessKey": SECRET}, name="lake")
    _create(client, "airflow", {"url": "http://airflow.example.com", "token": SECRET}, name="af")
    with services.get(app).engine.connect() as conn:
        raw = " ".join(conn.exec_driver_sql("SELECT config FROM sources").scalars())  # the column as stored
    assert SECRET not in raw and raw.count('"$enc"') == 3 and "AKIA1" in raw
    assert _stored(app, pg["id"])["password"].keys() == {"$enc"}
    assert _opened(app, pg["id"])["password"] == SECRET


def test_plain_text_secrets_from_before_keep_working_and_are_encrypted_on_the_next_write(
        app: Flask, client: FlaskClient) -> None:
    with http_server(HEALTHY) as server:
        source = _create(client, "airflow", {"url": server.url})
        with services.get(app).engine.begin() as conn:  # a row written before secrets were encrypted
            conn.execute(sources.update().where(sources.c.id == source["id"]).values(
                config={"url": server.url, "namespace": "default", "token": SECRET}))
        assert client.post(f"/api/v1/sources/{source['id']}/test").get_json()["ok"] is True
        assert client.patch(f"/api/v1/sources/{source['id']}", json={"description": "prod"}).status_code == 200
        assert _stored(app, source["id"])["token"].keys() == {"$enc"}
        client.post(f"/api/v1/sources/{source['id']}/test")
    assert _bearers(server) == [f"Bearer {SECRET}"] * 2


def test_retargeting_a_source_drops_its_stored_secret(app: Flask, client: FlaskClient) -> None:
    with http_server(HEALTHY) as first, http_server(HEALTHY) as elsewhere:
        source = _create(client, "airflow", {"url": first.url, "token": SECRET})
        response = client.patch(f"/api/v1/sources/{source['id']}", json={"config": {"url": elsewhere.url}})
        assert response.status_code == 200 and response.get_json()["config"]["url"] == elsewhere.url
        assert "token" not in _stored(app, source["id"])
        client.post(f"/api/v1/sources/{source['id']}/test")
    assert first.requests == [] and elsewhere.requests
    assert _bearers(elsewhere) == [None]  # the test ran without the token: it never left for the new address


def test_retargeting_with_the_secret_sent_again_keeps_it(app: Flask, client: FlaskClient) -> None:
    with http_server(HEALTHY) as first, http_server(HEALTHY) as elsewhere:
        source = _create(client, "airflow", {"url": first.url, "token": "old-token"})
        client.patch(f"/api/v1/sources/{source['id']}", json={"config": {"url": elsewhere.url, "token": SECRET}})
        client.post(f"/api/v1/sources/{source['id']}/test")
    assert _bearers(elsewhere) == [f"Bearer {SECRET}"] and first.requests == []


def test_changes_that_do_not_move_a_source_keep_its_secret(app: Flask, client: FlaskClient) -> None:
    with http_server(HEALTHY) as server:
        source = _create(client, "airflow", {"url": server.url, "token": SECRET})
        for body in ({"description": "the prod scheduler"}, {"name": "prod"}, {"config": {"namespace": "etl"}},
                     {"config": {"url": server.url, "namespace": "etl"}}):  # the UI sends the URL back unchanged
            assert client.patch(f"/api/v1/sources/{source['id']}", json=body).status_code == 200
        client.post(f"/api/v1/sources/{source['id']}/test")
    assert _bearers(server) == [f"Bearer {SECRET}"]


@pytest.mark.parametrize(("change", "kept"), [
    ({"host": "db2.example.com"}, False),
    ({"port": 6543}, False),
    ({"database": "other"}, False),
    ({"sslmode": "disable"}, False),
    ({"host": "db2.example.com", "password": "new-password"}, True),
    ({"user": "reporting"}, True),
], ids=["host", "port", "database", "weaker-ssl", "host-with-password", "user-only"])
def test_moving_a_database_drops_its_password_unless_sent_again(app: Flask, client: FlaskClient,
                                                                  change: dict[str, Any], kept: bool) -> None:
    source = _create(client, "postgres", _pg_config(host="db1.example.com", port=5432, sslmode="require"))
    response = client.patch(f"/api/v1/sources/{source['id']}", json={"config": change})
    assert response.status_code == 200, response.get_json()
    opened = _opened(app, source["id"])
    if kept:
        assert opened["password"] == change.get("password", SECRET)
    else:
        assert "password" not in opened and SECRET not in str(opened)


def test_a_source_whose_plugin_is_not_loaded_shows_no_config(app: Flask, client: FlaskClient,
                                                            tmp_path: Path) -> None:
    source = _create(client, "airflow", {"url": "http://airflow.example.com", "token": SECRET})
    without = make_app({**backend_config("sqlite", tmp_path), "PLUGINS": "naming"})
    try:
        shown = without.test_client().get(f"/api/v1/sources/{source['id']}").get_json()
    finally:
        close_app(without)
    assert shown["kind"] == "airflow" and shown["config"] == {}


@pytest.mark.parametrize("query", ["offset=10131289923701043200", "offset=-1", "limit=1001",
                                   "offset=99999999999999999999999999999999"])
def test_out_of_range_paging_is_a_400_not_a_500(client: FlaskClient, query: str) -> None:
    response = client.get(f"/api/v1/sources?{query}")
    assert response.status_code == 400 and response.get_json()["code"] == "bad_request"
    assert response.get_json()["errors"][0]["path"] in {"offset", "limit"}
