"""Memory soak: ``lineagelens serve`` (gunicorn master and workers, the CLI defaults) fed single Spark-shaped
events at a steady rate with ``GET /api/v1/lineage`` reads mixed in, for ``--minutes``; the RSS of every
process of the server's session is sampled every ``--sample-seconds`` and written to JSON, and a summary
(start / end / max per process, slope over the last half) is printed.

    python -m bench.soak --minutes 10 [--rate 15] [--read-every 10] [--json /tmp/soak.json]
    python -m bench.soak --minutes 10 --in-process --tracemalloc 25   # where the growth is allocated

The receiver runs on the embedded default (a fresh SQLite file, SQL graph store) unless ``--database-url`` /
``--graph-url`` say otherwise; auth and rate limits stay at their defaults (keys made with
``lineagelens apikey create`` before it starts). ``--in-process`` serves the same app from this process
(werkzeug, threaded) instead, so ``tracemalloc`` snapshots can be diffed: at the end the ``--tracemalloc`` N
allocation sites that grew most between the first sample after warm-up and the last are printed.
Everything talks to 127.0.0.1 only. Run it under ``flock /tmp/lineagelens-bench.lock``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import common, events
from bench.common import HOST, fmt, percentile

log = logging.getLogger(__name__)

PAGE = os.sysconf("SC_PAGE_SIZE")


# -- processes and their memory -----------------------------------------------------------------------


def session_processes(sid: int) -> dict[int, int]:
    """pid -> parent pid of every live process in session ``sid`` (the server and its gunicorn workers)."""
    found: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) ": state ppid pgrp session ...
        if int(fields[3]) == sid:
            found[int(entry)] = int(fields[1])
    return found


def rss_mib(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * PAGE / (1 << 20)
    except OSError:
        return None


@dataclass
class Sampler:
    """RSS of every process of a session (or of this process), every ``every`` seconds."""

    sid: int | None
    every: float
    began: float = field(default_factory=time.monotonic)
    samples: list[dict[str, Any]] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)
    progress: dict[str, int] = field(default_factory=dict)  # the client's counters at each sample

    def name(self, pid: int, ppid: int) -> str:
        if pid not in self.names:
            role = "master" if pid == self.sid or self.sid is None else "worker"
            count = sum(1 for n in self.names.values() if n.startswith(role))
            self.names[pid] = role if role == "master" else f"worker {count + 1}"
        return self.names[pid]

    def sample(self) -> dict[str, Any]:
        procs = session_processes(self.sid) if self.sid is not None else {os.getpid(): os.getppid()}
        rss = {}
        for pid, ppid in sorted(procs.items()):
            value = rss_mib(pid)
            if value is not None:
                rss[f"{self.name(pid, ppid)} ({pid})"] = round(value, 1)
        row = {"t": round(time.monotonic() - self.began, 1), "rss_mib": rss, **self.progress}
        self.samples.append(row)
        return row


# -- the client ---------------------------------------------------------------------------------------


@dataclass
class Client:
    port: int
    ingest_key: str
    read_key: str
    rate: float
    read_every: int
    counters: dict[str, int] = field(default_factory=lambda: {"events": 0, "reads": 0, "errors": 0})
    read_ms: list[float] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    last_error: str = ""

    def _request(self, conn: http.client.HTTPConnection, method: str, path: str, key: str,
                 body: bytes | None = None) -> tuple[http.client.HTTPConnection, int, bytes]:
        headers = {"Authorization": f"Bearer {key}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            try:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                return conn, resp.status, resp.read()
            except (http.client.HTTPException, OSError):  # keep-alive closed by the server: reconnect once
                conn.close()
                conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def run(self) -> None:
        """Post events at ``rate`` per second (a START and a COMPLETE per run), and one lineage read (depth 10,
        a random dataset already sent) after every ``read_every`` events."""
        rng = random.Random(11)
        tpls = events.templates()
        seen: list[str] = []
        conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
        began, sent = time.monotonic(), 0
        while not self.stop.is_set():
            t, run_id = rng.choice(tpls), events.new_run_id()
            for body in (t.start, t.complete):
                due = began + sent / self.rate
                if (pause := due - time.monotonic()) > 0 and self.stop.wait(pause):
                    break
                conn, status, data = self._request(conn, "POST", "/api/v1/lineage", self.ingest_key,
                                                   events.fill(body, run_id))
                sent += 1
                if status == 201:
                    self.counters["events"] += 1
                else:
                    self.counters["errors"] += 1
                    self.last_error = f"POST {status}: {data[:300]!r}"
                if sent % self.read_every == 0:
                    conn = self._read(conn, rng, seen)
            out = json.loads(t.start)["outputs"][0]
            seen.append(f"dataset:{out['namespace']}:{out['name']}")
        conn.close()

    def _read(self, conn: http.client.HTTPConnection, rng: random.Random,
              seen: list[str]) -> http.client.HTTPConnection:
        if not seen:
            return conn
        query = urllib.parse.urlencode({"nodeId": rng.choice(seen), "depth": 10})
        began = time.perf_counter()
        conn, status, data = self._request(conn, "GET", f"/api/v1/lineage?{query}", self.read_key)
        self.read_ms.append((time.perf_counter() - began) * 1000)
        # 404: the node's events are committed but not projected yet (background projection)
        if status in (200, 404):
            self.counters["reads"] += 1
        else:
            self.counters["errors"] += 1
            self.last_error = f"GET {status}: {data[:300]!r}"
        return conn


# -- the receiver ---------------------------------------------------------------------------------------


def receiver_env(workdir: Path, database_url: str | None, graph_url: str | None) -> dict[str, str]:
    env = common.clean_env(LINEAGELENS_DATABASE_URL=database_url or f"sqlite:///{workdir}/soak.db",
                           LINEAGELENS_KEY_FILE=str(workdir / "lineagelens.key"),
                           LINEAGELENS_LOG_LEVEL="WARNING")
    if graph_url is not None:
        env["LINEAGELENS_GRAPH_URL"] = graph_url
    return env


def create_key(env: dict[str, str], scope: str) -> str:
    cmd = [str(Path(sys.executable).with_name("lineagelens")), "apikey", "create", "--name", f"soak-{scope}",
           "--scope", scope]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise SystemExit(f"lineagelens apikey create failed: {done.stderr[-2000:]}")
    return done.stdout.strip().splitlines()[-1]


def serve_in_process(env: dict[str, str], port: int) -> Any:
    """The app, served from this process by werkzeug's threaded server (for tracemalloc)."""
    from werkzeug.serving import make_server

    from lineagelens.receiver import create_app

    os.environ.update({k: v for k, v in env.items() if k.startswith("LINEAGELENS_")})
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log
    server = make_server(HOST, port, create_app(), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# -- the run ----------------------------------------------------------------------------------------------


def slope_per_hour(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MiB), in MiB per hour."""
    if len(points) < 2:
        return float("nan")
    n = len(points)
    mx, my = sum(p[0] for p in points) / n, sum(p[1] for p in points) / n
    var = sum((p[0] - mx) ** 2 for p in points)
    return float("nan") if not var else sum((p[0] - mx) * (p[1] - my) for p in points) / var * 3600


def summary(samples: list[dict[str, Any]]) -> list[list[Any]]:
    names = sorted({n for s in samples for n in s["rss_mib"]})
    total = [{"t": s["t"], "rss_mib": {"total": sum(s["rss_mib"].values())}} for s in samples]
    rows = []
    for name, series in [*((n, samples) for n in names), ("total", total)]:
        points = [(s["t"], s["rss_mib"][name]) for s in series if name in s["rss_mib"]]
        if not points:
            continue
        half = [p for p in points if p[0] >= points[-1][0] / 2]
        rows.append([name, fmt(points[0][1]), fmt(points[-1][1]), fmt(max(p[1] for p in points)),
                     fmt(slope_per_hour(half))])
    return rows


def curve(samples: list[dict[str, Any]], every_minutes: float) -> tuple[list[str], list[list[Any]]]:
    """The samples nearest to every ``every_minutes``, one column per process (MiB) and the events sent."""
    names = sorted({n for s in samples for n in s["rss_mib"]})
    picked, next_t = [], 0.0
    for sample in samples:
        if sample["t"] >= next_t:
            picked.append(sample)
            next_t = sample["t"] + every_minutes * 60 - 1
    if samples and picked[-1] is not samples[-1]:
        picked.append(samples[-1])
    rows = [[f"{s['t'] / 60:.1f}", f"{s.get('events', 0):,}", *[fmt(s["rss_mib"].get(n, float("nan"))) for n in names],
             fmt(sum(s["rss_mib"].values()))] for s in picked]
    return ["minute", "events", *[f"{n} MiB" for n in names], "total MiB"], rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--minutes", type=float, default=10.0)
    p.add_argument("--rate", type=float, default=15.0, help="events per second (single-event POSTs)")
    p.add_argument("--read-every", type=int, default=10, help="one depth-10 lineage read after this many events")
    p.add_argument("--sample-seconds", type=float, default=15.0)
    p.add_argument("--curve-minutes", type=float, default=5.0, help="the printed curve's step")
    p.add_argument("--database-url", help="default: a fresh SQLite file (the embedded default)")
    p.add_argument("--graph-url", help="default: the receiver's default (the SQL graph store)")
    p.add_argument("--in-process", action="store_true", help="serve from this process (werkzeug), not gunicorn")
    p.add_argument("--tracemalloc", type=int, default=0, metavar="N",
                   help="with --in-process: print the N allocation sites that grew most")
    p.add_argument("--frames", type=int, default=1, help="tracemalloc frames per allocation (deeper is slower)")
    p.add_argument("--warmup-minutes", type=float, default=1.0, help="tracemalloc's first snapshot after this")
    p.add_argument("--out", default=os.environ.get("BENCH_OUT") or tempfile.mkdtemp(prefix="ll-soak-"))
    p.add_argument("--json", help="write every sample here")
    a = p.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s")
    log.setLevel(logging.INFO)
    if a.tracemalloc and not a.in_process:
        raise SystemExit("--tracemalloc needs --in-process")
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    env = receiver_env(out, a.database_url, a.graph_url)
    ingest_key, read_key = create_key(env, "ingest"), create_key(env, "read")
    port = common.free_port()
    server: Any = None
    if a.in_process:
        if a.tracemalloc:
            import tracemalloc

            tracemalloc.start(a.frames)
        server = serve_in_process(env, port)
        sampler = Sampler(sid=None, every=a.sample_seconds)
    else:
        cmd = [str(Path(sys.executable).with_name("lineagelens")), "serve", "--host", HOST, "--port", str(port)]
        server = common.Server("receiver", cmd, port=port, env=env, cwd=out, log_path=out / "receiver.log")
        server.start()
        assert server.proc is not None
        sampler = Sampler(sid=server.proc.pid, every=a.sample_seconds)
    client = Client(port, ingest_key, read_key, a.rate, a.read_every)
    sampler.progress = client.counters
    worker = threading.Thread(target=client.run, daemon=True)
    first_snapshot: Any = None
    try:
        log.info("soak: %.0f min at %.0f events/s, a lineage read every %d events; receiver on %d, files in %s",
                 a.minutes, a.rate, a.read_every, port, out)
        sampler.sample()
        worker.start()
        end = time.monotonic() + a.minutes * 60
        while (now := time.monotonic()) < end:
            time.sleep(min(a.sample_seconds, end - now))
            row = sampler.sample()
            log.info("t=%5.0fs events %d reads %d errors %d  rss %s", row["t"], row["events"], row["reads"],
                     row["errors"], ", ".join(f"{k} {v:.0f}" for k, v in row["rss_mib"].items()))
            if a.tracemalloc and first_snapshot is None and row["t"] >= a.warmup_minutes * 60:
                import tracemalloc

                first_snapshot = tracemalloc.take_snapshot()
            if client.last_error:
                log.warning("last error: %s", client.last_error)
                client.last_error = ""
        client.stop.set()
        worker.join(timeout=60)
        sampler.sample()
        growth = top_growth(first_snapshot, a.tracemalloc) if first_snapshot is not None else []
    finally:
        client.stop.set()
        if a.in_process:
            server.shutdown()
        else:
            server.stop()
    reads = client.read_ms
    print(f"\nSoak: {a.minutes:g} min, {client.counters['events']:,} events at {a.rate:g}/s, "
          f"{client.counters['reads']:,} depth-10 lineage reads (p50 {fmt(percentile(reads, 50))} ms, "
          f"p95 {fmt(percentile(reads, 95))} ms), {client.counters['errors']} errors; RSS sampled every "
          f"{a.sample_seconds:g} s ({'in-process' if a.in_process else 'lineagelens serve'}); files in {out}\n")
    print(common.table(["process", "start MiB", "end MiB", "max MiB", "slope over the last half, MiB/h"],
                       summary(sampler.samples)))
    print(f"\nRSS every {a.curve_minutes:g} min:\n")
    print(common.table(*curve(sampler.samples, a.curve_minutes)))
    if growth:
        print("\nLargest growth between the first snapshot after warm-up and the end (tracemalloc):\n")
        print(common.table(["KiB", "blocks", "allocated at"], growth))
    common.write_json(a.json, {"machine": common.machine(), "args": vars(a), "counters": client.counters,
                               "read_ms": {"p50": percentile(reads, 50), "p95": percentile(reads, 95)},
                               "samples": sampler.samples, "growth": growth})


def top_growth(first: Any, limit: int) -> list[list[Any]]:
    import tracemalloc

    ignore = [tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, __file__),
              tracemalloc.Filter(False, "<frozen importlib._bootstrap*>")]
    last = tracemalloc.take_snapshot().filter_traces(ignore)
    stats = last.compare_to(first.filter_traces(ignore), "traceback")
    rows = []
    for stat in stats[:limit]:
        frames = [f"{Path(f.filename).name}:{f.lineno}" for f in stat.traceback if "/bench/" not in f.filename]
        rows.append([fmt(stat.size_diff / 1024), stat.count_diff, " < ".join(frames[-1:-6:-1])])
    return rows


if __name__ == "__main__":
    main()
