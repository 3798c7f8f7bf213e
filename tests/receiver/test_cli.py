"""The lineagelens command line: serve, db upgrade, replay, graph rebuild, plugins."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lineagelens.receiver.cli import main
from tests.conftest import DATA, load


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"LINEAGELENS_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db", "LINEAGELENS_GRAPH_URL": "",
            "LINEAGELENS_KEY_FILE": str(tmp_path / "lineagelens.key")}


def _run(env: dict[str, str], *args: str) -> Any:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result


def test_db_upgrade_creates_the_schema(env: dict[str, str]) -> None:
    result = _run(env, "db", "upgrade")
    assert result.exit_code == 0 and "up to date" in result.output


def test_replay_ingests_folders_in_file_order_and_counts_duplicates(env: dict[str, str]) -> None:
    folder = DATA / "scenarios" / "CLL" / "events"
    first = _run(env, "replay", str(folder))
    assert first.exit_code == 0 and "9 accepted, 0 duplicates, 0 rejected" in first.output
    again = _run(env, "replay", str(folder / "1.json"))
    assert "0 accepted, 1 duplicates" in again.output


def test_replay_reports_invalid_events_and_exits_non_zero(env: dict[str, str]) -> None:
    result = _run(env, "replay", str(DATA / "invalid"))
    assert result.exit_code == 1
    assert "5 accepted, 0 duplicates, 1 rejected" in result.output
    assert "$.run.runId" in result.output


def test_replay_reads_json_lines_and_arrays(env: dict[str, str], tmp_path: Path) -> None:
    events = [load(p) for p in sorted((DATA / "scenarios" / "CLL" / "events").glob("*.json"))]
    (tmp_path / "batch.json").write_text(json.dumps(events[:4]))
    (tmp_path / "rest.jsonl").write_text("\n".join(json.dumps(e) for e in events[4:]))
    result = _run(env, "replay", str(tmp_path / "batch.json"), str(tmp_path / "rest.jsonl"))
    assert "9 accepted" in result.output


def test_graph_rebuild_reprojects_the_whole_log(env: dict[str, str]) -> None:
    _run(env, "replay", str(DATA / "scenarios" / "CLL" / "events"))
    result = _run(env, "graph", "rebuild")
    assert result.exit_code == 0 and "9 events projected into the sql graph store" in result.output
    counts = json.loads(result.output.strip().splitlines()[-1])
    assert counts["dataset"] == 3 and counts["job"] == 4


def test_plugins_lists_the_built_in_plugins(env: dict[str, str]) -> None:
    result = _run(env, "plugins")
    names = [p["name"] for p in json.loads(result.output)]
    assert "lineagelens.plugins.naming" in names


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_prints_first_start_credentials_once_and_ingests_with_the_printed_key(
        env: dict[str, str]) -> None:
    port = _free_port()
    exe = str(Path(sys.executable).with_name("lineagelens"))
    proc = subprocess.Popen([exe, "serve", "--port", str(port)], env={**env, "PATH": "/usr/bin:/bin"},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    assert proc.stdout is not None
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True)  # type: ignore[union-attr]
    reader.start()
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "receiver did not start"
                time.sleep(0.2)
        key = next(line.split("ingest key:", 1)[1].strip(" |\n") for line in lines if "ingest key:" in line)
        body = (DATA / "examples" / "pyclient_example_full_event.json").read_bytes()
        anonymous = urllib.request.Request(base + "/api/v1/lineage", data=body,
                                           headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(anonymous, timeout=10)
        assert refused.value.code == 401
        request = urllib.request.Request(base + "/api/v1/lineage", data=body,
                                         headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}",
                                                  "Prefer": "wait=projected"})  # read your write
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 201 and json.load(response)["projected"] is True
        with urllib.request.urlopen(base + "/readyz", timeout=5) as response:
            assert json.load(response)["checks"]["projection"]["backlog"] == 0
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        reader.join(timeout=5)
    output = "".join(lines)
    assert f"http://127.0.0.1:{port}" in output
    password = next(line.split("password:", 1)[1].strip(" |\n") for line in lines if "  password:" in line)
    assert len(password) >= 12 and output.count(password) == 1
    assert output.count(key) == 2  # the box's line and its curl line; nowhere else (not in the logs)
