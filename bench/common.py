"""Shared helpers for the benchmarks: settings from ``BENCH_*`` variables, statistics, tables, server
processes and the private PostgreSQL database / Neo4j instance they use. Everything talks to 127.0.0.1 only."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://lineagelens@127.0.0.1:55432/lineagelens")
PG_DB = os.environ.get("BENCH_PG_DB", "lineagelens_bench")
PG_URL = os.environ.get("BENCH_PG_URL", f"postgresql+psycopg://lineagelens@127.0.0.1:55432/{PG_DB}")
NEO4J_URL = os.environ.get("BENCH_NEO4J_URL", "bolt://127.0.0.1:7688")


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw else default


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def scale() -> float:
    """``BENCH_SCALE``: 1.0 is the full run; 0.1 is a quick one."""
    return env_float("BENCH_SCALE", 1.0)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), linear interpolation; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def fmt(value: float, digits: int = 1) -> str:
    return "n/a" if value != value else f"{value:,.{digits}f}"  # NaN check without math


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table (pastes straight into docs/benchmarks.md)."""
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    mem = 0
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            mem = int(fh.readline().split()[1]) // 1024
    except OSError:
        pass
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo", encoding="ascii") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_mb": mem, "python": platform.python_version(),
            "load_avg": os.getloadavg(), "receiver_digest": code_digest()}


def code_digest() -> str:
    """A short digest of receiver/**/*.py: which version of the code a result file measured."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "receiver").rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def write_json(path: str | None, data: Mapping[str, Any]) -> None:
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any ``LINEAGELENS_*`` setting, plus ``extra``: a server under
    test sees exactly the settings the benchmark gives it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINEAGELENS_")}
    return env | extra


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def http_json(port: int, path: str, timeout: float = 10.0) -> tuple[int, Any]:
    """GET ``path`` on 127.0.0.1:``port``; (status, decoded body or None)."""
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, None


class Server:
    """A server process started by the benchmark (its own session, so it and its gunicorn workers are
    stopped together by process group id), ready once ``GET /healthz`` answers 200."""

    def __init__(self, name: str, cmd: Sequence[str], *, port: int, env: Mapping[str, str], log_path: Path,
                 cwd: Path = ROOT, ready: tuple[int, str] | None = None, start_timeout: float = 120.0) -> None:
        """``env`` is the whole environment of the process (see :func:`clean_env`); ``ready`` the port and path
        that answer 200 once it serves (default ``port`` and ``/healthz``), within ``start_timeout`` seconds."""
        self.name, self.cmd, self.port, self.env, self.log_path, self.cwd = name, cmd, port, env, log_path, cwd
        self.ready = ready or (port, "/healthz")
        self.start_timeout = start_timeout
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def start(self, timeout: float | None = None) -> None:
        timeout = self.start_timeout if timeout is None else timeout
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        out = self.log_path.open("ab")
        self.proc = subprocess.Popen(list(self.cmd), cwd=self.cwd, env=dict(self.env), stdout=out,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        out.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log_path}")
            try:
                if http_json(*self.ready, timeout=2.0)[0] == 200:
                    return
            except (OSError, ValueError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer {self.ready[1]} in {timeout:.0f}s; see {self.log_path}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        pgid = self.proc.pid  # the session leader: its pid is the group id
        os.killpg(pgid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.proc.wait(timeout=10)


def reset_postgres() -> None:
    """Drop and recreate the benchmark database (never the shared ones)."""
    import psycopg

    if PG_DB in {"lineagelens", "lineagelens_test", "postgres"}:
        raise SystemExit(f"refusing to reset shared database {PG_DB}")
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{PG_DB}"')


def reset_neo4j() -> None:
    """Empty the benchmark Neo4j instance (port 7688 by default; refuses the shared 7687)."""
    import neo4j

    if NEO4J_URL.rstrip("/").endswith(":7687"):
        raise SystemExit("refusing to wipe the shared Neo4j on 7687: start the bench instance (scripts/bench.sh)")
    with neo4j.GraphDatabase.driver(NEO4J_URL, auth=None) as driver, driver.session() as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


def ingest_key(env: Mapping[str, str], cwd: Path, name: str = "bench") -> str:
    """Create an ingest API key in the database ``env`` points at (``lineagelens apikey create``, which
    also migrates a fresh database) and return its plain text: the receivers run with auth on, as deployed."""
    cmd = [str(Path(sys.executable).parent / "lineagelens"), "apikey", "create", "--name", name, "--scope", "ingest"]
    done = subprocess.run(cmd, cwd=cwd, env=dict(env), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"apikey create failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout.strip().splitlines()[-1].strip()
