"""The plugin's receiver client and pages without Airflow: settings resolution, a real receiver fed
Airflow-shaped events, an unreachable receiver, and escaping."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from lineagelens.integrations.airflow.client import (
    ReceiverClient,
    ReceiverSettings,
    ReceiverUnavailable,
    dag_lineage,
    root_jobs,
    settings_from,
)
from lineagelens.integrations.airflow.signin import signin_url
from lineagelens.integrations.airflow.views import check_script, dag_page, index_page, relative, unavailable
from tests.integrations.support import Receiver, http
from tests.servers import closed_port, tcp_listener

NS = "pages"


def getter(values: dict[tuple[str, str], str]) -> Callable[[str, str], str | None]:
    return lambda section, key: values.get((section, key))


def test_settings_come_from_the_lineagelens_section_first() -> None:
    settings = settings_from(getter({("lineagelens", "url"): "http://ll:5000/", ("lineagelens", "api_key"): "k",
                                     ("lineagelens", "timeout"): "1.5", ("openlineage", "namespace"): "prod"}))
    assert settings == ReceiverSettings(url="http://ll:5000", api_key="k", namespace="prod", timeout=1.5)


def test_settings_fall_back_to_the_openlineage_transport() -> None:
    transport = {"type": "http", "url": "http://ll:5000", "auth": {"type": "api_key", "apiKey": "k"}}
    settings = settings_from(getter({("openlineage", "transport"): json.dumps(transport)}))
    assert settings is not None and (settings.url, settings.api_key, settings.namespace) == (
        "http://ll:5000", "k", "default")
    assert settings_from(getter({("openlineage", "transport"): '{"type": "console"}'})) is None
    assert settings_from(getter({})) is None


def event(event_type: str, job: str, run_id: str, *, parent: tuple[str, str] | None = None,
          inputs: tuple[str, ...] = (), outputs: tuple[str, ...] = (), error: str | None = None) -> bytes:
    facets: dict[str, object] = {}
    producer = "https://github.com/apache/airflow/tree/providers-openlineage/2.20.3"
    if parent:
        facets["parent"] = {"_producer": producer, "_schemaURL": "https://openlineage.io/spec/facets/1-1-0/"
                            "ParentRunFacet.json#/$defs/ParentRunFacet",
                            "run": {"runId": parent[1]}, "job": {"namespace": NS, "name": parent[0]}}
    if error:
        facets["errorMessage"] = {"_producer": producer, "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/"
                                  "ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet",
                                  "message": error, "programmingLanguage": "python"}
    body = {"eventType": event_type, "eventTime": "2026-01-01T00:00:00Z", "producer": producer,
            "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
            "run": {"runId": run_id, "facets": facets}, "job": {"namespace": NS, "name": job},
            "inputs": [{"namespace": "file", "name": n} for n in inputs],
            "outputs": [{"namespace": "file", "name": n} for n in outputs]}
    return json.dumps(body).encode()


@pytest.fixture(scope="module")
def receiver(receivers: Callable[..., Receiver]) -> Receiver:
    receiver = receivers("pages")
    dag_run, extract_run, load_run = (str(uuid.uuid4()) for _ in range(3))
    for body in (event("COMPLETE", "etl", dag_run),
                 event("COMPLETE", "etl.extract", extract_run, parent=("etl", dag_run), inputs=("/raw.csv",),
                       outputs=("/stage.csv",)),
                 event("FAIL", "etl.load", load_run, parent=("etl", dag_run), inputs=("/stage.csv",),
                       outputs=("/<b>final</b>.csv",), error="boom <script>alert(1)</script>")):
        status, _, answer = http("POST", f"{receiver.url}/api/v1/lineage", body=body,
                                 headers={"Content-Type": "application/json", **receiver.auth(receiver.ingest_key)})
        assert status == 201, answer
    receiver.settle()  # acknowledged at the commit; the plugin reads what projection made of them
    return receiver


def test_dag_lineage_collects_the_task_jobs_of_a_dag(receiver: Receiver) -> None:
    client = ReceiverClient(ReceiverSettings(url=receiver.url, api_key=receiver.read_key, namespace=NS))
    lineage = dag_lineage(client, "etl")
    assert lineage.dag is not None and lineage.dag.last_run is not None
    assert lineage.dag.last_run.state == "COMPLETED"
    assert [t.task_id for t in lineage.tasks] == ["extract", "load"]
    load = lineage.tasks[1]
    assert load.last_run is not None and load.last_run.state == "FAILED"
    assert load.last_run.error == "boom <script>alert(1)</script>"
    assert lineage.external_inputs == [("file", "/raw.csv")]
    assert lineage.final_outputs == [("file", "/<b>final</b>.csv")]
    (summary,), truncated = root_jobs(client)
    assert (summary.job.name, summary.children, summary.reads, summary.writes, truncated) == ("etl", 2, 2, 2, False)


def test_dag_tab_is_one_frame_of_the_dags_graph_loaded_after_the_browser_check() -> None:
    settings = ReceiverSettings(url="http://lineagelens:5000", ui_url="https://ll.example/", namespace="air flow")
    page = dag_page(settings, "etl.daily")
    # one frame, of the UI's embedded graph of this DAG, through the plugin's sign-in route (../ from dags/<id>)
    assert page.count("<iframe") == 1
    assert 'data-src="../open?next=%2Fembed%2Fdag%2Fair%2520flow%2Fetl.daily"' in page
    # not loaded until check.js found ui_url reachable from the browser; the message names the address
    assert ' hidden></iframe>' in page and 'src="../check.js"' in page and 'data-ui-url="https://ll.example"' in page
    assert "Your browser cannot reach" in page and "<code>https://ll.example</code>" in page
    # Airflow's sandbox has no allow-popups and no top navigation: nothing may need them
    assert "_blank" not in page and "_top" not in page
    hostile = dag_page(settings, '"><img src=x onerror=alert(1)>')
    assert "<img" not in hostile and "&quot;&gt;&lt;img" in hostile


def test_the_browser_check_loads_the_frame_only_when_healthz_answers() -> None:
    script = check_script()
    assert "fetch(ui + '/healthz', { mode: 'no-cors'" in script
    assert "frame.src = frame.getAttribute('data-src')" in script and "unreachable(" in script
    assert 'a[target="lineagelens-ui"]' in script and "__FRAME__" not in script


def test_index_lists_the_dags_as_links_into_the_one_frame(receiver: Receiver) -> None:
    settings = ReceiverSettings(url=receiver.url, api_key=receiver.read_key, namespace=NS)
    roots, truncated = root_jobs(ReceiverClient(settings))
    page = index_page(settings, status="ready", roots=roots, truncated=truncated)
    assert page.count("<iframe") == 1 and 'name="lineagelens-ui"' in page and 'data-src="open?next=%2F"' in page
    link = '<a href="open?next=%2Fembed%2Fdag%2Fpages%2Fetl" target="lineagelens-ui" data-dag="etl">'
    assert link in page and "2 tasks" in page and 'class="badge s-COMPLETED">completed</span>' in page
    # "LineageLens" is Airflow's nav label already: the page does not repeat it as a heading
    assert "<h1" not in page and "_blank" not in page
    failed = index_page(settings, status="unreachable", roots=[], truncated=False, server_error="refused <x>")
    assert "The Airflow server cannot read LineageLens: refused &lt;x&gt;" in failed and "<iframe" in failed


def test_times_are_shown_relative() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 1, 2, 12, 0, tzinfo=UTC)
    assert relative("2026-01-02T09:00:00Z", now) == "3 h ago"
    assert relative("2026-01-02T11:59:30+00:00", now) == "just now"
    assert relative("2026-01-02T11:15:00", now) == "45 min ago"
    assert relative("2025-10-01T00:00:00Z", now) == "2025-10-01"
    assert relative("not a time", now) == "not a time" and relative(None, now) == ""


def test_unreachable_receiver_fails_fast_with_a_clear_reason() -> None:
    client = ReceiverClient(ReceiverSettings(url=f"http://127.0.0.1:{closed_port()}", timeout=1.0))
    started = time.monotonic()
    with pytest.raises(ReceiverUnavailable, match="cannot reach"):
        dag_lineage(client, "etl")
    assert time.monotonic() - started < 2
    assert "LineageLens is unreachable" in unavailable(client.settings, "refused", title="t")
    assert "No LineageLens receiver is configured" in unavailable(None, "", title="t")


def test_a_receiver_that_never_answers_costs_at_most_the_timeout() -> None:
    with socket.socket() as silent:  # the kernel completes the handshake; nobody ever reads or answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        client = ReceiverClient(ReceiverSettings(url=f"http://127.0.0.1:{silent.getsockname()[1]}", timeout=0.5))
        started = time.monotonic()
        with pytest.raises(ReceiverUnavailable, match="timed out"):
            client.namespaces()
        assert time.monotonic() - started < 2


def test_a_receiver_that_hangs_up_is_unavailable_too() -> None:
    with tcp_listener() as port, pytest.raises(ReceiverUnavailable):  # accepts and closes: no HTTP answer
        ReceiverClient(ReceiverSettings(url=f"http://127.0.0.1:{port}", timeout=1.0)).namespaces()


def test_index_embeds_the_receiver_ui_only_when_it_serves_html(receiver: Receiver) -> None:
    class JsonOnly(BaseHTTPRequestHandler):  # an API-only receiver (a build without the UI answers JSON)
        def do_GET(self) -> None:
            body = b'{"code": "not_found", "status": 404, "message": "no UI", "errors": []}'
            self.send_response(404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    settings = ReceiverSettings(url=receiver.url, ui_url="https://ll.example")
    assert ReceiverClient(settings).probe_html("/")  # the real receiver serves its UI at /
    page = index_page(settings, status="ready", roots=[], truncated=False)
    # the iframe opens the plugin's sign-in route, which sends the browser on to the UI at ui_url
    assert 'data-src="open?next=%2F"' in page
    assert signin_url(settings.browser_url, None, "admin", "/") == "https://ll.example/"
    server = ThreadingHTTPServer(("127.0.0.1", 0), JsonOnly)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        json_only = ReceiverSettings(url=f"http://127.0.0.1:{server.server_address[1]}")
        assert not ReceiverClient(json_only).probe_html("/")
    finally:
        server.shutdown()
        server.server_close()
