"""Live monitoring under load: N WebSocket clients subscribed to ``/ws/events`` while events are posted;
reports event-POST -> client latency (p50/p99/max) and delivery completeness, and the RSS of every server
process before and after.

    flock /tmp/lineagelens-bench.lock .venv/bin/python -m bench.live --clients 1000 --events 300 --rate 10

Starts its own receiver (``lineagelens serve --workers W``) on the benchmark PostgreSQL database
(``BENCH_PG_URL``; reset first) or, with ``--sqlite``, on a SQLite file. The clients run on one asyncio loop
(the ``websockets`` library) in one process, or spread over ``--procs`` processes (so the measuring side is
not the bottleneck). Every posted event is a START of a new run in namespace ``bench``; a client has it when
it has received that run's ``run.state``. "built" is POST -> the message's ``ts`` (projected, read by the
listener); the rest of the latency is the fan-out and the client.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import HOST, PG_URL, Server, clean_env, fmt, free_port, percentile, reset_postgres, table

log = logging.getLogger(__name__)

LINEAGELENS = str(Path(sys.executable).parent / "lineagelens")


def make_key(env: dict[str, str], cwd: Path, scope: str) -> str:
    done = subprocess.run([LINEAGELENS, "apikey", "create", "--name", f"bench-live-{scope}", "--scope", scope],
                          cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1].strip()


def rss_mb(pid: int) -> dict[int, float]:
    """RSS in MB of ``pid`` and its children (the gunicorn master and workers)."""
    import psutil

    root = psutil.Process(pid)
    return {p.pid: p.memory_info().rss / 2**20 for p in [root, *root.children(recursive=True)]}


def event(run_id: str, job: str) -> bytes:
    return json.dumps({
        "eventType": "START", "eventTime": datetime.now(UTC).isoformat(), "producer": "bench.live",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/definitions/RunEvent",
        "run": {"runId": run_id}, "job": {"namespace": "bench", "name": job},
        "inputs": [{"namespace": "bench", "name": "source_table"}],
        "outputs": [{"namespace": "bench", "name": f"{job}_out"}]}).encode()


class Recorder:
    def __init__(self) -> None:
        self.posted: dict[str, float] = {}  # run id -> wall-clock time the POST started
        # run id -> [(arrival at a client, the message's ts)], and (client, seq) pairs seen more than once
        self.received: dict[str, list[tuple[float, float]]] = {}
        self.duplicates = 0
        self.closed: list[str] = []


def _ts(raw: str) -> float:
    start = raw.index('"ts":"') + 6
    return datetime.fromisoformat(raw[start:raw.index('"', start)].replace("Z", "+00:00")).timestamp()


async def client(url: str, key: str, rec: Recorder, connected: list[int]) -> None:
    from websockets.asyncio.client import connect

    seen: set[int] = set()
    async with connect(url, additional_headers={"Authorization": f"Bearer {key}"}, open_timeout=120,
                       max_queue=None, compression=None) as ws:
        await ws.recv()  # the snapshot
        await ws.send(json.dumps({"type": "subscribe", "namespaces": ["bench"]}))
        await ws.recv()  # the subscribe's snapshot
        connected[0] += 1
        try:
            async for raw in ws:  # until the benchmark cancels this task
                now = time.time()
                if not isinstance(raw, str) or not raw.startswith('{"type":"run.state"'):
                    continue
                # fields without a full parse: the client process must not be what is measured
                seq = int(raw[raw.index('"seq":') + 6:raw.index(',"ts"')])
                if seq in seen:
                    rec.duplicates += 1
                    continue
                seen.add(seq)
                start = raw.index('"runId":"') + 9
                rec.received.setdefault(raw[start:raw.index('"', start)], []).append((now, _ts(raw)))
        finally:
            if ws.close_code is not None and ws.close_code != 1000:
                rec.closed.append(str(ws.close_code))


def client_process(url: str, key: str, count: int, connected: Any, stop: Any, out: Any) -> None:
    """``count`` clients on one asyncio loop in this process; results go to ``out`` when ``stop`` is set."""
    async def main() -> None:
        rec, done = Recorder(), [0]
        tasks = []
        for i in range(count):
            tasks.append(asyncio.create_task(client(url, key, rec, done)))
            if i % 50 == 49:
                await asyncio.sleep(0.05)
        reported = 0
        while not stop.is_set():
            failed = [t for t in tasks if t.done() and t.exception()]
            if failed:
                raise RuntimeError(f"{len(failed)} clients failed: {failed[0].exception()!r}")
            if done[0] > reported:
                with connected.get_lock():
                    connected.value += done[0] - reported
                reported = done[0]
            await asyncio.sleep(0.1)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        out.put((rec.received, rec.duplicates, rec.closed))

    asyncio.run(main())


def post_events(port: int, key: str, rec: Recorder, count: int, rate: float) -> None:
    def one(i: int) -> None:
        run_id = str(uuid.uuid4())
        request = urllib.request.Request(f"http://{HOST}:{port}/api/v1/lineage", data=event(run_id, f"job_{i % 50}"),
                                         method="POST", headers={"Authorization": f"Bearer {key}",
                                                                 "Content-Type": "application/json"})
        rec.posted[run_id] = time.time()
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 201

    start = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        for i in range(count):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, i)


def run(args: argparse.Namespace) -> dict[str, Any]:
    import multiprocessing

    workdir = Path(tempfile.mkdtemp(prefix="bench-live-"))
    if args.sqlite:
        url = f"sqlite:///{workdir}/state.db"
    else:
        reset_postgres()
        url = PG_URL
    env = clean_env(LINEAGELENS_DATABASE_URL=url, LINEAGELENS_KEY_FILE=str(workdir / "key"),
                    LINEAGELENS_LOG_LEVEL="WARNING", LINEAGELENS_INGEST_RATE_LIMIT="")
    ingest, read = make_key(env, workdir, "ingest"), make_key(env, workdir, "read")
    port = free_port()
    cmd = [LINEAGELENS, "serve", "--host", HOST, "--port", str(port), "--workers", str(args.workers)]
    ctx = multiprocessing.get_context("spawn")
    connected, stop, out = ctx.Value("i", 0), ctx.Event(), ctx.Queue()
    rec = Recorder()
    with Server("receiver", cmd, port=port, env=env, log_path=workdir / "receiver.log", cwd=workdir) as server:
        assert server.proc is not None
        rss_before = rss_mb(server.proc.pid)
        t0 = time.monotonic()
        shares = [args.clients // args.procs + (i < args.clients % args.procs) for i in range(args.procs)]
        procs = [ctx.Process(target=client_process, args=(f"ws://{HOST}:{port}/ws/events", read, n, connected,
                                                          stop, out)) for n in shares]
        for proc in procs:
            proc.start()
        while connected.value < args.clients:
            if any(not p.is_alive() for p in procs):
                raise RuntimeError("a client process died while connecting")
            time.sleep(0.1)
        connect_s = time.monotonic() - t0
        rss_connected = rss_mb(server.proc.pid)
        post_events(port, ingest, rec, args.events, args.rate)
        time.sleep(args.settle)
        stop.set()
        for _ in procs:
            received, duplicates, closed = out.get(timeout=120)
            for run_id, times in received.items():
                rec.received.setdefault(run_id, []).extend(times)
            rec.duplicates += duplicates
            rec.closed.extend(closed)
        for proc in procs:
            proc.join(30)
        rss_after = rss_mb(server.proc.pid)
    pairs = [(now - rec.posted[r], ts - rec.posted[r]) for r, times in rec.received.items() if r in rec.posted
             for now, ts in times]
    latencies = [p[0] * 1000 for p in pairs]
    built = [p[1] * 1000 for p in pairs]  # POST -> the message was built (projected, read by the listener)
    got = sum(len(v) for v in rec.received.values())
    expected = args.clients * args.events
    return {"clients": args.clients, "client_processes": args.procs, "events": args.events, "rate": args.rate,
            "workers": args.workers, "database": "sqlite" if args.sqlite else "postgresql",
            "connect_seconds": round(connect_s, 2), "delivered": got, "expected": expected,
            "duplicates": rec.duplicates, "completeness": got / expected if expected else 1.0,
            "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99),
            "max_ms": max(latencies, default=float("nan")),
            "built_p50_ms": percentile(built, 50), "built_p99_ms": percentile(built, 99),
            "closed": rec.closed[:5],
            "rss_mb_before": rss_before, "rss_mb_connected": rss_connected, "rss_mb_after": rss_after}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--rate", type=float, default=10.0, help="events posted per second")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--settle", type=float, default=15.0, help="seconds to wait after the last POST")
    parser.add_argument("--procs", type=int, default=1, help="client processes (each one asyncio loop)")
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of the bench PostgreSQL")
    parser.add_argument("--json", help="write the result here too")
    args = parser.parse_args()
    result = run(args)
    print(table(["clients", "client procs", "workers", "db", "events", "rate/s", "connect s", "p50 ms", "p99 ms",
                 "max ms", "built p50/p99 ms", "complete", "dup"],
                [[result["clients"], result["client_processes"], result["workers"], result["database"],
                  result["events"], result["rate"], result["connect_seconds"], fmt(result["p50_ms"]),
                  fmt(result["p99_ms"]), fmt(result["max_ms"]),
                  f"{fmt(result['built_p50_ms'])}/{fmt(result['built_p99_ms'])}",
                  f"{result['delivered']}/{result['expected']}", result["duplicates"]]]))
    print("RSS MB (pid: before / connected / after):")
    for pid, before in result["rss_mb_before"].items():
        print(f"  {pid}: {before:.0f} / {result['rss_mb_connected'].get(pid, 0):.0f} / "
              f"{result['rss_mb_after'].get(pid, 0):.0f}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
