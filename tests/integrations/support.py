"""Real processes for the producer end-to-end tests: a LineageLens receiver (``lineagelens serve``) on a free
127.0.0.1 port, a recording proxy in front of it, and helpers to run producer commands in their own venvs."""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
LINEAGELENS = Path(sys.executable).with_name("lineagelens")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http(method: str, url: str, *, body: bytes | None = None, headers: Mapping[str, str] | None = None,
         timeout: float = 10.0) -> tuple[int, dict[str, str], bytes]:
    """One request; HTTP errors are answers too: (status, headers, body)."""
    request = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def stop_process(proc: subprocess.Popen[Any], timeout: float = 15.0) -> None:
    """Stop a process started with ``start_new_session=True`` and everything it forked (its own group)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def wait_for(url: str, proc: subprocess.Popen[Any], log_path: Path, *, timeout: float,
             ok: tuple[int, ...] = (200,)) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: process exited {proc.returncode}:\n{log_path.read_text()[-4000:]}")
        try:
            if http("GET", url, timeout=2)[0] in ok:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} not up after {timeout:.0f} s:\n{log_path.read_text()[-4000:]}")


@dataclass
class Receiver:
    """A real receiver process on the embedded default (SQLite + SQL graph store)."""

    workdir: Path
    api_keys: str = ""
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    settings: dict[str, str] = field(default_factory=dict)  # LINEAGELENS_* overrides (PostgreSQL, Neo4j, ...)
    # API keys made with `lineagelens apikey create` before the first start (auth is on, as in production)
    admin_key: str = ""
    ingest_key: str = ""
    read_key: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _provision_keys(self, env: dict[str, str]) -> None:
        for scope in ("admin", "ingest", "read"):
            proc = subprocess.run([str(LINEAGELENS), "apikey", "create", "--name", f"e2e-{scope}", "--scope", scope],
                                  env=env, capture_output=True, text=True, timeout=120, check=False)
            assert proc.returncode == 0, proc.stderr[-3000:]
            setattr(self, f"{scope}_key", proc.stdout.strip().splitlines()[-1])

    def start(self) -> Receiver:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("LINEAGELENS_")}
        env.update(LINEAGELENS_DATABASE_URL=f"sqlite:///{self.workdir}/state.db",
                   LINEAGELENS_INGEST_API_KEYS=self.api_keys, LINEAGELENS_LOG_LEVEL="WARNING")
        env.update(LINEAGELENS_KEY_FILE=str(self.workdir / "lineagelens.key"))
        env.update({f"LINEAGELENS_{k}": v for k, v in self.settings.items()})
        if not self.admin_key:
            self._provision_keys(env)
        log_path = self.workdir / "receiver.log"
        with log_path.open("wb") as out:
            self.proc = subprocess.Popen([str(LINEAGELENS), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                                          "--threads", "4"], env=env, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        wait_for(f"{self.url}/readyz", self.proc, log_path, timeout=60)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when a node or the OOM killer takes the process."""
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def auth(self, key: str | None = None) -> dict[str, str]:
        """The Authorization header with ``key`` (default: the admin key)."""
        return {"Authorization": f"Bearer {key or self.admin_key}"}

    def settle(self, timeout: float = 30.0) -> None:
        """Wait until every acknowledged event is projected: the receiver answers producers at the commit of
        its event log and projects in the background (docs/architecture.md)."""
        deadline = time.monotonic() + timeout
        while True:
            _, _, body = http("GET", f"{self.url}/readyz")
            if json.loads(body)["checks"]["projection"]["backlog"] == 0:
                return
            assert time.monotonic() < deadline, f"projection backlog not drained: {body[:300]!r}"
            time.sleep(0.05)

    def get(self, path: str, **params: Any) -> Any:
        self.settle()
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        status, _, body = http("GET", f"{self.url}{path}{query}", headers=self.auth())
        assert status == 200, f"GET {path}{query}: {status} {body[:500]!r}"
        return json.loads(body)

    def events(self) -> list[dict[str, Any]]:
        """Every event the receiver holds, oldest first (from its event log)."""
        body = self.get("/api/v1/events/lineage", limit=1000, sortDirection="asc")
        return list(body["events"])

    def jobs(self, namespace: str) -> dict[str, dict[str, Any]]:
        body = self.get(f"/api/v1/namespaces/{urllib.parse.quote(namespace, safe='')}/jobs", limit=1000)
        return {job["name"]: job for job in body["jobs"]}

    def runs(self, namespace: str, job: str) -> list[dict[str, Any]]:
        ns, name = (urllib.parse.quote(p, safe="") for p in (namespace, job))
        return list(self.get(f"/api/v1/namespaces/{ns}/jobs/{name}/runs")["runs"])


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    status: int
    gzipped_json: bool
    event: str = ""  # "<eventType> <job name> <runId> <sha256 of the body>" of a gzip'd event


@dataclass
class RecordingProxy:
    """Forwards every request to ``target`` and records it (headers, whether the body was gzip'd JSON).
    ``close()`` takes the port down, so a client behind it sees a receiver that is gone."""

    target: str
    seen: list[Seen] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> RecordingProxy:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive and Expect: 100-continue, as the Java client uses them

            def _body(self) -> bytes | None:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    chunks = []
                    while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                    while self.rfile.readline().strip():  # trailers up to the blank line
                        pass
                    return b"".join(chunks)
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else None

            def _forward(self) -> None:
                body = self._body()
                skip = {"host", "connection", "transfer-encoding", "content-length", "expect"}
                headers = {k: v for k, v in self.headers.items() if k.lower() not in skip}
                status, answer_headers, answer = http(self.command, proxy.target + self.path, body=body,
                                                      headers=headers)
                gzipped, event = False, ""
                if body and self.headers.get("Content-Encoding", "").lower() == "gzip":
                    try:
                        raw = gzip.decompress(body)
                        payload = json.loads(raw)
                        gzipped = True
                        event = " ".join(str(part) for part in (payload.get("eventType"),
                                                                (payload.get("job") or {}).get("name"),
                                                                (payload.get("run") or {}).get("runId"),
                                                                hashlib.sha256(raw).hexdigest()[:12]))
                    except (OSError, ValueError, AttributeError):
                        gzipped = False
                proxy.seen.append(Seen(self.command, self.path, dict(self.headers), status, gzipped, event))
                self.send_response(status)
                self.send_header("Content-Type", answer_headers.get("Content-Type", "application/json"))
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_GET = do_POST = _forward

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def close(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def posts(self) -> list[Seen]:
        return [s for s in self.seen if s.method == "POST"]


def run(cmd: list[str], *, env: Mapping[str, str], cwd: Path, log_path: Path,
        timeout: float = 240) -> tuple[int, float, str]:
    """Run a producer command; (exit code, seconds, output). Output also goes to ``log_path``."""
    started = time.monotonic()
    proc = subprocess.run(cmd, env=dict(env), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=timeout, check=False)
    output = proc.stdout.decode("utf-8", "replace")
    log_path.write_text(output, encoding="utf-8")
    return proc.returncode, time.monotonic() - started, output


def producer_python(script: str) -> Path:
    """Create or refresh a producer venv with ``scripts/<script> venv``; fail (never skip) if that fails."""
    import pytest

    started = time.monotonic()
    proc = subprocess.run(["bash", str(ROOT / "scripts" / script), "venv"], cwd=ROOT, capture_output=True,
                          timeout=900, check=False)
    if proc.returncode != 0:
        pytest.fail(f"scripts/{script} venv failed ({proc.returncode}):\n{proc.stderr.decode()[-6000:]}",
                    pytrace=False)
    python = Path(proc.stdout.decode().strip().splitlines()[-1])
    log.info("%s ready in %.1f s: %s", script, time.monotonic() - started, python)
    return python
