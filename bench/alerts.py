"""Alert rules must not slow ingest: the ingest rate of a receiver with 1,000 rules against one without,
measured in the same run.

Two ``lineagelens serve`` processes on their own SQLite files (the embedded default), measured one at a time
and alternately (A, B, A, B ...), so drift of the machine hits both alike. Receiver B has 1,000 rules of
every event-driven type (most scoped to jobs that never run, some to every job) and a webhook channel to a
local sink; 10 % of the runs fail, so rules fire, incidents open and notifications are delivered while ingest
goes on. Clients post single RunEvents (START + COMPLETE/FAIL) over keep-alive connections from threads.
After each measurement the benchmark waits until that receiver has caught up (every event projected and
evaluated: read from its SQLite file), so one receiver's leftover background work never runs during the
other's measurement. Two figures per receiver: the ingest rate over the measurement (events
accepted / its seconds) and the rate including that catch-up (events / (seconds + catch-up)), which charges
work deferred past the measurement to the receiver that deferred it.
Run under ``flock /tmp/lineagelens-bench.lock``. Settings: ``BENCH_ALERT_SECONDS`` (per measurement),
``BENCH_ALERT_REPS``, ``BENCH_CLIENT_THREADS``, ``BENCH_ALERT_RULES``.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench import common

log = logging.getLogger(__name__)

HOST = common.HOST


def admin_key(env: dict[str, str], cwd: Path) -> str:
    cmd = [str(Path(sys.executable).parent / "lineagelens"), "apikey", "create", "--name", "bench", "--scope", "admin"]
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1].strip()


def _request(port: int, method: str, path: str, body: Any, key: str) -> Any:
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    conn.request(method, path, body=json.dumps(body).encode(),
                 headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    if resp.status >= 300:
        raise RuntimeError(f"{method} {path}: {resp.status} {data[:300]!r}")
    return json.loads(data) if data else None


def add_rules(port: int, key: str, count: int, sink: str) -> None:
    channel = _request(port, "POST", "/api/v1/channels", {"name": "sink", "kind": "webhook",
                                                          "config": {"url": sink}}, key)
    kinds: list[tuple[str, dict[str, Any]]] = [("job_failed", {}), ("run_duration", {"p95Factor": 3}),
                                               ("schema_change", {}), ("dq_assertion", {}),
                                               ("row_count", {"minPercent": 50})]
    for i in range(count):
        # every type alike; 1 % of the rules (two of each type) match every job or dataset
        kind, params = kinds[(i // 100 if i % 100 == 0 else i) % len(kinds)]
        subject = "datasets" if kind in ("schema_change", "dq_assertion", "row_count") else "jobs"
        pattern = "*" if i % 100 == 0 else f"never_{i}_*"  # 1 % match everything, the rest nothing that runs
        _request(port, "POST", "/api/v1/alert-rules", {"name": f"r{i}", "type": kind, "params": params,
                                                       "scope": {subject: [pattern]},
                                                       "channelIds": [channel["id"]] if i % 100 == 0 else []}, key)


def _events(rng: random.Random) -> list[bytes]:
    job = f"job_{rng.randrange(200)}"
    run_id = str(uuid.uuid4())
    now = datetime.now(UTC).isoformat()
    io = {"inputs": [{"namespace": "postgres://db:5432", "name": f"public.src_{job}"}],
          "outputs": [{"namespace": "postgres://db:5432", "name": f"public.dst_{job}"}]}
    base = {"producer": "https://github.com/lineagelens/bench", "job": {"namespace": "bench", "name": job}, **io}
    end = "FAIL" if rng.random() < 0.1 else "COMPLETE"
    return [json.dumps({**base, "eventType": t, "eventTime": now, "run": {"runId": run_id}}).encode()
            for t in ("START", end)]


def measure(port: int, key: str, seconds: float, threads: int, seed: int) -> float:
    """Events per second accepted (201) by the receiver on ``port`` over ``seconds``."""
    counts = [0] * threads
    stop = time.monotonic() + seconds

    def work(n: int) -> None:
        rng = random.Random(seed * 100 + n)
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
        while time.monotonic() < stop:
            for body in _events(rng):
                conn.request("POST", "/api/v1/lineage", body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                counts[n] += resp.status == 201
        conn.close()

    began = time.monotonic()
    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(counts) / (time.monotonic() - began)


def settle(db_path: Path, *, step: float = 0.1, limit: float = 120.0) -> float:
    """Wait until the receiver on ``db_path`` (its SQLite file, read here read-only) has projected every
    event and its rule evaluator's cursor has passed them all. The seconds waited."""
    began = time.monotonic()
    uri = f"file:{db_path}?mode=ro"
    while time.monotonic() - began < limit:
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=30)) as conn:
            pending = conn.execute("SELECT count(*) FROM lineage_events WHERE projected = 0").fetchone()[0]
            newest = conn.execute("SELECT coalesce(max(id), 0) FROM lineage_events").fetchone()[0]
            cursor = conn.execute("SELECT coalesce(max(position), 0) FROM alert_cursor").fetchone()[0]
        if not pending and cursor >= newest:
            return time.monotonic() - began
        time.sleep(step)
    raise RuntimeError(f"{db_path}: background work not caught up after {limit:.0f} s")


class Sink(BaseHTTPRequestHandler):
    received = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        Sink.received += 1
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    seconds = common.env_float("BENCH_ALERT_SECONDS", 10.0)
    reps = common.env_int("BENCH_ALERT_REPS", 3)
    threads = common.env_int("BENCH_CLIENT_THREADS", 4)
    rules = common.env_int("BENCH_ALERT_RULES", 1000)
    out = Path(tempfile.mkdtemp(prefix="ll-bench-alerts-"))
    sink = ThreadingHTTPServer((HOST, 0), Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    servers: dict[str, tuple[common.Server, str]] = {}
    try:
        for name in ("without", "with"):
            work = out / name
            work.mkdir()
            port = common.free_port()
            env = common.clean_env(LINEAGELENS_DATABASE_URL=f"sqlite:///{work}/state.db",
                                   LINEAGELENS_KEY_FILE=str(work / "key"), LINEAGELENS_LOG_LEVEL="WARNING",
                                   LINEAGELENS_SOURCE_ALLOW_NETWORKS="127.0.0.0/8")
            key = admin_key(env, work)
            server = common.Server(name, [str(Path(sys.executable).parent / "lineagelens"), "serve", "--host", HOST,
                                          "--port", str(port), "--threads", "8"],
                                   port=port, env=env, log_path=work / "server.log", cwd=work)
            server.start()
            servers[name] = (server, key)
        started = time.monotonic()
        add_rules(servers["with"][0].port, servers["with"][1], rules, f"http://{HOST}:{sink.server_address[1]}/")
        log.info("created %d rules in %.1f s", rules, time.monotonic() - started)
        rates: dict[str, list[float]] = {"without": [], "with": []}
        overall: dict[str, list[float]] = {"without": [], "with": []}
        load_before = os.getloadavg()
        for rep in range(reps):
            for name in ("without", "with"):
                server, key = servers[name]
                measure(server.port, key, 2.0, threads, rep)  # warm-up
                settle(out / name / "state.db")
                rate = measure(server.port, key, seconds, threads, rep + 1)
                catch_up = settle(out / name / "state.db")
                rates[name].append(rate)
                overall[name].append(rate * seconds / (seconds + catch_up))
                log.info("rep %d %-7s %.0f events/s (catch-up %.1f s: %.0f events/s)", rep + 1, name, rate,
                         catch_up, overall[name][-1])
        _, with_key = servers["with"]
        incidents = _request(servers["with"][0].port, "GET", "/api/v1/incidents?limit=1", None, with_key)
        without, with_rules = common.median(rates["without"]), common.median(rates["with"])
        without_all, with_all = common.median(overall["without"]), common.median(overall["with"])
        print(common.table(["receiver", "events/s (median)", "incl. catch-up (median)", "runs"],
                           [["no rules", common.fmt(without), common.fmt(without_all), reps],
                            [f"{rules} rules", common.fmt(with_rules), common.fmt(with_all), reps]]))
        print(f"ratio with/without: {with_rules / without:.2f} (incl. catch-up {with_all / without_all:.2f})  "
              f"(incidents opened: {incidents['totalCount']}, notifications received by the sink: {Sink.received})")
        print("load average before: {:.2f} {:.2f} {:.2f}, after: {:.2f} {:.2f} {:.2f}".format(
            *load_before, *os.getloadavg()))
    finally:
        for server, _ in servers.values():
            server.stop()
        sink.shutdown()


if __name__ == "__main__":
    main()
