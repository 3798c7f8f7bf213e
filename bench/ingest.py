"""Ingest throughput: events/s through ``POST /api/v1/lineage`` (one event per request, several client
threads with keep-alive connections) and ``POST /api/v1/lineage/batch`` (``--batch-size`` events per
request), against ``lineagelens serve`` started as a separate process, compared with a baseline measured in
the same run: a trivial Flask app under the same gunicorn runner (``bench/baseline_app.py``). Receiver and
baseline runs alternate, so both see the same background noise; figures are medians over ``--reps``.

    python -m bench.ingest [--backends sqlite,pg-neo4j] [--seconds 10] [--reps 3] [--json out.json]

``pg-neo4j`` needs PostgreSQL on 127.0.0.1:55432 (scripts/postgres.sh) and the benchmark's own Neo4j on
127.0.0.1:7688 (scripts/bench.sh starts it); its database ``lineagelens_bench`` is dropped and recreated.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import multiprocessing as mp
import random
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import common, events
from bench.common import HOST, fmt, median, percentile

log = logging.getLogger(__name__)

LINEAGE, BATCH = "/api/v1/lineage", "/api/v1/lineage/batch"
HEADERS = {"Content-Type": "application/json"}
# The receivers' master key (so no key file is written) and the ingest rate limit turned off: the benchmark
# measures the receiver, not the limiter (5000/s per key by default, above what 2 cores reach, but not by much
# for the batch endpoint's events).
SERVER_SETTINGS = {"LINEAGELENS_SECRET_KEY": "lineagelens-bench-master-key", "LINEAGELENS_INGEST_RATE_LIMIT": ""}


@dataclass
class Run:
    """One timed measurement against one server."""

    events: int = 0
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds per request

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


# -- the client (runs in --procs processes of --threads / --procs threads each) ----------------------


def _post(conn: http.client.HTTPConnection, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    conn.request("POST", path, body=body, headers=headers)
    resp = conn.getresponse()
    return resp.status, resp.read()


def _thread(port: int, kind: str, batch_size: int, seed: int, deadline: list[float], gate: threading.Barrier,
            tpls: list[events.RunTemplate], out: Run, lock: threading.Lock, headers: dict[str, str]) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection(HOST, port, timeout=300)
    mine = Run()
    gate.wait()
    while time.monotonic() < deadline[0]:
        if kind == "single":
            t, run_id = rng.choice(tpls), events.new_run_id()
            bodies = [(LINEAGE, events.fill(body, run_id), 1, 201) for body in (t.start, t.complete)]
        else:
            parts = []
            for _ in range(batch_size // 2):
                t, run_id = rng.choice(tpls), events.new_run_id()
                parts += [events.fill(t.start, run_id), events.fill(t.complete, run_id)]
            bodies = [(BATCH, b"[" + b",".join(parts) + b"]", len(parts), 200)]
        for path, body, n, expected in bodies:
            began = time.perf_counter()
            try:
                status, data = _post(conn, path, body, headers)
            except (http.client.HTTPException, OSError):  # keep-alive closed by the server: reconnect once
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=300)
                status, data = _post(conn, path, body, headers)
            mine.latencies.append(time.perf_counter() - began)
            mine.requests += 1
            ok = status == expected and (n == 1 or json.loads(data)["summary"]["successful"] == n)
            mine.events += n if ok else 0
            mine.errors += 0 if ok else 1
    conn.close()
    with lock:
        out.events += mine.events
        out.requests += mine.requests
        out.errors += mine.errors
        out.latencies += mine.latencies


def _client(port: int, kind: str, threads: int, seconds: float, batch_size: int, seed: int,
            start: Any, results: Any, headers: dict[str, str]) -> None:
    tpls = events.templates()
    out, lock = Run(), threading.Lock()
    deadline = [0.0]
    gate = threading.Barrier(threads + 1)
    workers = [threading.Thread(target=_thread, args=(port, kind, batch_size, seed * 1000 + i, deadline, gate,
                                                      tpls, out, lock, headers)) for i in range(threads)]
    for w in workers:
        w.start()
    start.wait()  # every client process is ready
    began = time.monotonic()  # CLOCK_MONOTONIC is system-wide: comparable across processes
    deadline[0] = began + seconds
    gate.wait()
    for w in workers:
        w.join()
    results.put((began, time.monotonic(), out.events, out.requests, out.errors, out.latencies))


def measure(port: int, kind: str, *, threads: int, procs: int, seconds: float, batch_size: int,
            key: str = "", prefer: str = "") -> Run:
    """``key``: an ingest API key (sent as a bearer token); ``prefer``: a ``Prefer`` header value."""
    ctx = mp.get_context("spawn")
    headers = dict(HEADERS)
    if key:
        headers["Authorization"] = f"Bearer {key}"
    if prefer:
        headers["Prefer"] = prefer
    start, results = ctx.Barrier(procs + 1), ctx.Queue()
    per = [threads // procs + (1 if i < threads % procs else 0) for i in range(procs)]
    seed = random.randrange(1 << 30)
    clients = [ctx.Process(target=_client, args=(port, kind, n, seconds, batch_size, seed + i, start, results,
                                                             headers))
               for i, n in enumerate(per)]
    for c in clients:
        c.start()
    start.wait()
    parts = [results.get(timeout=seconds + 600) for _ in clients]
    for c in clients:
        c.join()
    run = Run(seconds=max(p[1] for p in parts) - min(p[0] for p in parts))
    for _, _, n, reqs, errs, lat in parts:
        run.events, run.requests, run.errors = run.events + n, run.requests + reqs, run.errors + errs
        run.latencies += lat
    return run


def drain(port: int, timeout: float = 1800.0) -> tuple[int, float]:
    """Wait until ``/readyz`` reports an empty projection backlog: (backlog at the start, seconds)."""
    began = time.monotonic()
    first: int | None = None
    while time.monotonic() - began < timeout:
        body = common.http_json(port, "/readyz")[1] or {}
        backlog = (body.get("checks") or {}).get("projection", {}).get("backlog")
        first = backlog if first is None else first
        if backlog == 0:
            return first or 0, time.monotonic() - began
        time.sleep(0.1)
    raise RuntimeError(f"backlog did not drain in {timeout:.0f}s")


# -- scenarios --------------------------------------------------------------------------------------


def receiver_env(backend: str, mode: str, workdir: Path) -> dict[str, str]:
    if backend == "sqlite":
        db = workdir / f"receiver-{mode}.db"
        for stale in workdir.glob(f"{db.name}*"):
            stale.unlink()
        urls = {"LINEAGELENS_DATABASE_URL": f"sqlite:///{db}", "LINEAGELENS_GRAPH_URL": ""}
    elif backend == "pg-neo4j":
        common.reset_postgres()
        common.reset_neo4j()
        urls = {"LINEAGELENS_DATABASE_URL": common.PG_URL, "LINEAGELENS_GRAPH_URL": common.NEO4J_URL}
    else:
        raise SystemExit(f"unknown backend {backend!r} (sqlite, pg-neo4j)")
    return common.clean_env(LINEAGELENS_PROJECTION_MODE=mode, **SERVER_SETTINGS, **urls)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def main() -> None:
    scale = common.scale()
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--backends", default=common.os.environ.get("BENCH_BACKENDS", "sqlite,pg-neo4j"))
    p.add_argument("--modes", default=common.os.environ.get("BENCH_MODES", "background,inline"),
                   help="projection modes: background (the default, answers at the commit) and/or inline")
    p.add_argument("--kinds", default=common.os.environ.get("BENCH_KINDS", "single,batch"),
                   help="single (one event per request) and/or batch (--batch-size per request)")
    p.add_argument("--seconds", type=float, default=common.env_float("BENCH_INGEST_SECONDS", max(3.0, 10 * scale)))
    p.add_argument("--warmup", type=float, default=common.env_float("BENCH_WARMUP_SECONDS", max(2.0, 3 * scale)))
    p.add_argument("--reps", type=int, default=common.env_int("BENCH_REPS", 3))
    p.add_argument("--threads", type=int, default=common.env_int("BENCH_CLIENT_THREADS", 8))
    p.add_argument("--procs", type=int, default=common.env_int("BENCH_CLIENT_PROCS", 2))
    p.add_argument("--batch-size", type=int, default=common.env_int("BENCH_BATCH_SIZE", 100))
    p.add_argument("--server-workers", type=int, default=common.env_int("BENCH_SERVER_WORKERS", 1))
    p.add_argument("--server-threads", type=int, default=common.env_int("BENCH_SERVER_THREADS", 8))
    p.add_argument("--out", default=common.os.environ.get("BENCH_OUT") or tempfile.mkdtemp(prefix="ll-bench-"))
    p.add_argument("--json", help="write every measurement here")
    a = p.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    load = {"threads": a.threads, "procs": max(1, min(a.procs, a.threads)), "batch_size": a.batch_size}
    gunicorn = ["--workers", str(a.server_workers), "--threads", str(a.server_threads)]
    bin_dir = Path(sys.executable).parent
    rows: list[dict[str, Any]] = []
    loads: list[float] = []

    def timed(port: int, kind: str, seconds: float, key: str = "") -> Run:
        run = measure(port, kind, seconds=seconds, key=key, **load)
        if run.errors:
            log.warning("%d failed requests on port %d (see the server log in %s)", run.errors, port, out)
        return run

    base_port = common.free_port()
    baseline = common.Server("baseline", [sys.executable, "-m", "bench.baseline_app", "--host", HOST,
                                          "--port", str(base_port), *gunicorn],
                             port=base_port, env=common.clean_env(), log_path=out / "baseline.log")
    with baseline:
        for kind in _split(a.kinds):
            timed(base_port, kind, a.warmup)
        for backend in _split(a.backends):
            for mode in _split(a.modes):
                port = common.free_port()
                env = receiver_env(backend, mode, out)
                key = common.ingest_key(env, out)
                cmd = [str(bin_dir / "lineagelens"), "serve", "--host", HOST, "--port", str(port), *gunicorn]
                log.info("== %s, projection %s: starting the receiver on %d", backend, mode, port)
                with common.Server(f"receiver {backend}", cmd, port=port, env=env, cwd=out,
                                   log_path=out / f"receiver-{backend}-{mode}.log"):
                    for kind in _split(a.kinds):
                        timed(port, kind, a.warmup, key)
                        drain(port)
                        row: dict[str, Any] = {"backend": backend, "mode": mode, "kind": kind, "reps": []}
                        for rep in range(a.reps):
                            loads.append(common.os.getloadavg()[0])
                            base = timed(base_port, kind, a.seconds)
                            rec = timed(port, kind, a.seconds, key)
                            backlog, drain_s = drain(port)
                            log.info("%s %s %s rep %d: %.0f ev/s (baseline %.0f), backlog %d drained in %.1fs",
                                     backend, mode, kind, rep + 1, rec.rate, base.rate, backlog, drain_s)
                            row["reps"].append({"rate": rec.rate, "base_rate": base.rate, "errors": rec.errors,
                                                "latencies": rec.latencies, "base_latencies": base.latencies,
                                                "backlog": backlog, "drain_s": drain_s, "events": rec.events,
                                                "seconds": rec.seconds})
                        rows.append(row)
    report(rows, a, out, loads)


def report(rows: list[dict[str, Any]], a: argparse.Namespace, out: Path, loads: list[float]) -> None:
    table, dump = [], []
    for row in rows:
        reps = row["reps"]
        rate, base = median([r["rate"] for r in reps]), median([r["base_rate"] for r in reps])
        lat = [x * 1000 for r in reps for x in r["latencies"]]
        blat = [x * 1000 for r in reps for x in r["base_latencies"]]
        p50, p99, b50, b99 = (percentile(lat, 50), percentile(lat, 99), percentile(blat, 50), percentile(blat, 99))
        sustained = median([r["events"] / (r["seconds"] + r["drain_s"]) for r in reps])
        backlog, drain_s = median([r["backlog"] for r in reps]), median([r["drain_s"] for r in reps])
        # Inline mode answers after projection, or after its wait times out: a backlog there means timeouts.
        drained = (f"{backlog:,.0f} left, drained in {drain_s:.1f}s: {sustained:,.0f} ev/s sustained"
                   if row["mode"] == "background" or backlog else "")
        kind = "single" if row["kind"] == "single" else f"batch of {a.batch_size}"
        name = f"{row['backend']} {kind} {row['mode']}"
        table.append([name, fmt(rate), fmt(base), fmt(rate / base if base else float("nan"), 2),
                      f"{fmt(p50)} / {fmt(p99)}", f"{fmt(b50)} / {fmt(b99)}",
                      fmt(p99 / b99 if b99 else float("nan"), 1), sum(r["errors"] for r in reps), drained])
        dump.append({**row, "reps": [{k: v for k, v in r.items() if "latencies" not in k} for r in reps],
                     "median_rate": rate, "median_base_rate": base, "p50_ms": p50, "p95_ms": percentile(lat, 95),
                     "p99_ms": p99, "base_p50_ms": b50, "base_p95_ms": percentile(blat, 95), "base_p99_ms": b99,
                     "sustained": sustained})
    print(f"\nIngest, {a.reps} reps of {a.seconds:.0f}s, {a.threads} client threads in {a.procs} processes, "
          f"gunicorn {a.server_workers} worker(s) x {a.server_threads} threads; load average during the runs "
          f"{fmt(min(loads or [float('nan')]))}-{fmt(max(loads or [float('nan')]))}; logs in {out}\n")
    print(common.table(["scenario", "events/s", "baseline events/s", "ratio", "p50 / p99 ms",
                        "baseline p50 / p99 ms", "p99 ratio", "errors", "backlog after the run"], table))
    common.write_json(a.json, {"machine": common.machine(), "args": vars(a), "loads": loads, "rows": dump})


if __name__ == "__main__":
    main()
