"""Side by side with Marquez: the same Spark-shaped events, sent by the same client in the same run, to
Marquez (the OpenLineage reference backend, on its own database of the same PostgreSQL) and to LineageLens
(PostgreSQL + the benchmark's Neo4j); then ``GET /api/v1/lineage?nodeId=…&depth=10`` (Marquez's endpoint, which
LineageLens also serves) on the same graph, on both.

    python -m bench.marquez [--events 3000] [--rounds 3] [--threads 8] [--queries 60] [--json out.json]

Ingest: single-event POSTs from ``--threads`` client threads (each sends a run's START then its COMPLETE),
pre-serialised so the client costs the same for both. The events are sent in a warm-up round (not counted;
a JVM needs warming) and ``--rounds`` measured rounds, Marquez and LineageLens alternating (the order flips
every round), each round on the graph the previous rounds built. Marquez writes synchronously: its rate is
events / time until the last answer. LineageLens answers at the durable commit and projects in the background:
*acknowledged* is events / time until the last answer, *projected* is events / time until ``/readyz`` reports
an empty backlog (the graph holds every event).

Queries: datasets written by jobs in the middle of the bench's chained pipelines, each asked of both servers
in turn (the order alternating), depth 10, after warm-up queries; the answer sizes (nodes in ``graph``) are
reported for both, since the two servers model lineage differently.

Needs: PostgreSQL on 127.0.0.1:55432 (scripts/postgres.sh), the benchmark Neo4j on 127.0.0.1:7688 (started
here with scripts/neo4j.sh when not up, and stopped again), ``java`` 17 and ``mvn`` (Marquez is built once with
../shared/marquez/build.sh into ~/.cache/lineagelens-bench/marquez). Drops and recreates the databases
``marquez`` (role ``marquez``) and ``lineagelens_bench_marquez``, and wipes the bench Neo4j. Run it under
``flock /tmp/lineagelens-bench.lock``. Everything talks to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import functools
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
from bench.common import HOST, fmt, median, percentile

log = logging.getLogger(__name__)

MARQUEZ_SRC = Path(os.environ.get("BENCH_MARQUEZ_SRC", common.ROOT.parent / "shared" / "marquez"))
CACHE = Path(os.environ.get("BENCH_CACHE", Path.home() / ".cache" / "lineagelens-bench"))
MARQUEZ_DIR = CACHE / "marquez"
LL_DB = "lineagelens_bench_marquez"
MARQUEZ_DB = MARQUEZ_ROLE = "marquez"
LINEAGE = "/api/v1/lineage"

MARQUEZ_YML = """\
server:
  applicationConnectors: [{{type: http, port: {port}, bindHost: 127.0.0.1}}]
  adminConnectors: [{{type: http, port: {admin}, bindHost: 127.0.0.1}}]
  requestLog: {{appenders: []}}
db:
  driverClass: org.postgresql.Driver
  url: jdbc:postgresql://127.0.0.1:{pg_port}/{db}
  user: {role}
  password: {role}
migrateOnStartup: true
graphql: {{enabled: false}}
search: {{enabled: false}}
logging: {{level: WARN}}
"""


# -- the two servers -----------------------------------------------------------------------------------


def build_marquez() -> None:
    """Build Marquez into the cache (a no-op when it is already there)."""
    done = subprocess.run([str(MARQUEZ_SRC / "build.sh"), str(MARQUEZ_DIR)], capture_output=True, text=True,
                          check=False)
    log.info("%s", (done.stdout.strip().splitlines() or ["marquez build: no output"])[-1])
    if done.returncode != 0 or not (MARQUEZ_DIR / ".ready").exists():
        raise SystemExit(f"building Marquez failed: {done.stdout[-2000:]}{done.stderr[-2000:]}")


def reset_databases() -> None:
    """A login role and a fresh database for Marquez; a fresh database for LineageLens (never shared ones)."""
    import psycopg

    with psycopg.connect(common.PG_ADMIN_URL, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (MARQUEZ_ROLE,)).fetchone():
            conn.execute(f"CREATE ROLE {MARQUEZ_ROLE} LOGIN PASSWORD '{MARQUEZ_ROLE}'")
        for name, owner in ((MARQUEZ_DB, MARQUEZ_ROLE), (LL_DB, None)):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"' + (f" OWNER {owner}" if owner else ""))


def pg_port() -> int:
    return urllib.parse.urlsplit(common.PG_ADMIN_URL).port or 5432


def ll_database_url() -> str:
    parts = urllib.parse.urlsplit(common.PG_ADMIN_URL)
    return f"postgresql+psycopg://{parts.netloc}/{LL_DB}"


def neo4j_up() -> bool:
    port = urllib.parse.urlsplit(common.NEO4J_URL).port or 7687
    import socket

    with socket.socket() as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((HOST, port)) == 0


def neo4j_script(action: str) -> None:
    """scripts/neo4j.sh with the benchmark instance's settings (as scripts/bench.sh runs it)."""
    port = str(urllib.parse.urlsplit(common.NEO4J_URL).port or 7688)
    env = dict(os.environ, NEO4J_BOLT_PORT=port, NEO4J_HTTP_PORT=os.environ.get("BENCH_NEO4J_HTTP_PORT", "7475"),
               NEO4J_HEAP="1g", NEO4J_PAGECACHE="1g", LINEAGELENS_CACHE=str(CACHE), PYTHON=sys.executable)
    env.pop("NEO4J_PASSWORD", None)
    subprocess.run([str(common.ROOT / "scripts" / "neo4j.sh"), action], env=env, check=True,
                   stdout=subprocess.DEVNULL)


class MarquezServer(common.Server):
    """Marquez's readiness is its admin connector's healthcheck, not ``/healthz``."""

    def __init__(self, out: Path) -> None:
        port, self.admin = common.free_port(), common.free_port()
        config = out / "marquez.yml"
        config.write_text(MARQUEZ_YML.format(port=port, admin=self.admin, pg_port=pg_port(), db=MARQUEZ_DB,
                                             role=MARQUEZ_ROLE), encoding="utf-8")
        cp = f"{MARQUEZ_DIR}/classes:{MARQUEZ_DIR}/lib/*"
        super().__init__("marquez", ["java", "-Xmx2g", "-cp", cp, "marquez.MarquezApp", "server", str(config)],
                         port=port, env=dict(os.environ), log_path=out / "marquez.log", cwd=out,
                         ready=(self.admin, "/healthcheck"), start_timeout=300.0)


def lineagelens_server(out: Path) -> tuple[common.Server, dict[str, str]]:
    """``lineagelens serve`` (CLI defaults) on PostgreSQL + the bench Neo4j, with ingest and read API keys."""
    env = common.clean_env(LINEAGELENS_DATABASE_URL=ll_database_url(), LINEAGELENS_GRAPH_URL=common.NEO4J_URL,
                           LINEAGELENS_KEY_FILE=str(out / "lineagelens.key"), LINEAGELENS_INGEST_RATE_LIMIT="",
                           LINEAGELENS_LOG_LEVEL="WARNING")
    exe = str(Path(sys.executable).with_name("lineagelens"))
    keys = {}
    for scope in ("ingest", "read"):
        done = subprocess.run([exe, "apikey", "create", "--name", f"bench-{scope}", "--scope", scope], env=env,
                              capture_output=True, text=True, timeout=180, check=False)
        if done.returncode != 0:
            raise SystemExit(f"lineagelens apikey create failed: {done.stderr[-2000:]}")
        keys[scope] = done.stdout.strip().splitlines()[-1]
    port = common.free_port()
    server = common.Server("lineagelens", [exe, "serve", "--host", HOST, "--port", str(port)], port=port, env=env,
                           log_path=out / "lineagelens.log", cwd=out)
    return server, keys


# -- the client ------------------------------------------------------------------------------------------


@dataclass
class Target:
    name: str
    port: int
    ingest_headers: dict[str, str]
    read_headers: dict[str, str]


@dataclass
class Sent:
    seconds: float = 0.0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    first_error: str = ""


def request(conn: http.client.HTTPConnection, method: str, path: str, headers: dict[str, str],
            body: bytes | None = None) -> tuple[http.client.HTTPConnection, int, bytes]:
    for attempt in (1, 2):
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            return conn, resp.status, resp.read()
        except (http.client.HTTPException, OSError):  # keep-alive closed by the server: reconnect once
            host, port = conn.host, conn.port
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=conn.timeout)
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def send(target: Target, runs: list[tuple[bytes, bytes]], threads: int) -> Sent:
    """Post every run's START then COMPLETE, the runs shared among ``threads`` keep-alive connections."""
    result, lock = Sent(), threading.Lock()
    todo = list(runs)
    headers = {"Content-Type": "application/json", **target.ingest_headers}

    def work() -> None:
        conn = http.client.HTTPConnection(HOST, target.port, timeout=300)
        mine: list[float] = []
        errors, first = 0, ""
        while True:
            with lock:
                if not todo:
                    break
                run = todo.pop()
            for body in run:
                began = time.perf_counter()
                conn, status, data = request(conn, "POST", LINEAGE, headers, body)
                mine.append(time.perf_counter() - began)
                if status not in (200, 201):
                    errors += 1
                    first = first or f"{status}: {data[:300]!r}"
        conn.close()
        with lock:
            result.latencies += mine
            result.errors += errors
            result.first_error = result.first_error or first

    workers = [threading.Thread(target=work) for _ in range(threads)]
    began = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    result.seconds = time.monotonic() - began
    return result


def wait_projected(port: int, timeout: float = 1800.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = common.http_json(port, "/readyz")[1] or {}
        if (body.get("checks") or {}).get("projection", {}).get("backlog") == 0:
            return
        time.sleep(0.05)
    raise RuntimeError(f"LineageLens did not project its backlog in {timeout:.0f}s")


@functools.cache
def chained_templates() -> list[events.RunTemplate]:
    """The bench's templates with every dataset in one namespace. ``bench/events.py`` spreads a job's
    datasets over four cluster namespaces (by job) and chains the jobs through their Hive ``symlinks``:
    LineageLens follows those to one dataset, Marquez does not, so its graph would be 200 disconnected jobs.
    In one namespace the chain (job j reads tables j..j+2 and writes j+3) is in the names themselves and both
    servers hold the same connected graph."""
    one = b"hdfs://cluster-0.example:8020"
    found = []
    for tpl in events.templates():
        start, complete = tpl.start, tpl.complete
        for n in range(1, 4):
            other = f"hdfs://cluster-{n}.example:8020".encode()
            start, complete = start.replace(other, one), complete.replace(other, one)
        found.append(events.RunTemplate(start, complete))
    return found


def make_runs(count: int, seed: int, sent_jobs: set[int]) -> list[tuple[bytes, bytes]]:
    """``count`` runs of the bench's jobs, each a (START, COMPLETE) pair of finished bytes; the jobs' indexes
    are added to ``sent_jobs``."""
    rng = random.Random(seed)
    tpls = chained_templates()
    runs = []
    for _ in range(count):
        job = rng.randrange(len(tpls))
        t, run_id = tpls[job], events.new_run_id()
        runs.append((events.fill(t.start, run_id), events.fill(t.complete, run_id)))
        sent_jobs.add(job)
    return runs


def query_nodes(count: int, sent_jobs: set[int]) -> list[str]:
    """Datasets written by jobs in the middle of the chain (job index 60-140 of 200) that were sent."""
    picked = []
    for job, tpl in enumerate(chained_templates()):
        if 60 <= job < 140 and job in sent_jobs:
            out = json.loads(tpl.start)["outputs"][0]
            picked.append(f"dataset:{out['namespace']}:{out['name']}")
    return random.Random(3).sample(picked, k=min(count, len(picked))) if count < len(picked) else picked


def lineage(target: Target, conn: http.client.HTTPConnection, node: str,
            depth: int) -> tuple[http.client.HTTPConnection, float, int]:
    path = f"{LINEAGE}?{urllib.parse.urlencode({'nodeId': node, 'depth': depth})}"
    began = time.perf_counter()
    conn, status, data = request(conn, "GET", path, target.read_headers)
    elapsed = time.perf_counter() - began
    if status != 200:
        raise RuntimeError(f"{target.name} GET {path}: {status} {data[:300]!r}")
    return conn, elapsed, len(json.loads(data)["graph"])


# -- the run -----------------------------------------------------------------------------------------------


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--events", type=int, default=common.env_int("BENCH_MARQUEZ_EVENTS", 3000),
                   help="measured events (runs x 2), split over --rounds")
    p.add_argument("--warmup-events", type=int, default=200)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--threads", type=int, default=common.env_int("BENCH_CLIENT_THREADS", 8))
    p.add_argument("--queries", type=int, default=common.env_int("BENCH_MARQUEZ_QUERIES", 60))
    p.add_argument("--depth", type=int, default=10)
    p.add_argument("--out", default=os.environ.get("BENCH_OUT") or tempfile.mkdtemp(prefix="ll-marquez-"))
    p.add_argument("--json", help="write every measurement here")
    a = p.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    build_marquez()
    started_neo4j = not neo4j_up()
    if started_neo4j:
        log.info("starting the bench Neo4j (%s)", common.NEO4J_URL)
        neo4j_script("start")
    try:
        reset_databases()
        common.reset_neo4j()
        marquez = MarquezServer(out)
        ll, keys = lineagelens_server(out)
        with marquez, ll:
            targets = [Target("Marquez", marquez.port, {}, {}),
                       Target("LineageLens", ll.port, {"Authorization": f"Bearer {keys['ingest']}"},
                              {"Authorization": f"Bearer {keys['read']}"})]
            result = run(a, targets)
    finally:
        if started_neo4j:
            neo4j_script("stop")
    report(a, result, out)


def run(a: argparse.Namespace, targets: list[Target]) -> dict[str, Any]:
    ll = targets[1]
    per_round = a.events // 2 // a.rounds
    rounds: list[dict[str, Any]] = []
    lat: dict[str, list[float]] = {"Marquez": [], "LineageLens": []}
    sent_jobs: set[int] = set()
    for index in range(a.rounds + 1):
        warmup = index == 0
        runs = make_runs(a.warmup_events // 2 if warmup else per_round, seed=index, sent_jobs=sent_jobs)
        order = targets if index % 2 == 0 else targets[::-1]
        row: dict[str, Any] = {"round": "warm-up" if warmup else index, "events": 2 * len(runs)}
        for target in order:
            began = time.monotonic()
            sent = send(target, runs, a.threads)
            if sent.errors:
                raise RuntimeError(f"{target.name}: {sent.errors} failed POSTs, first {sent.first_error}")
            row[target.name] = row["events"] / sent.seconds
            if target is ll:  # until the graph holds every event of the round
                wait_projected(ll.port)
                row["LineageLens projected"] = row["events"] / (time.monotonic() - began)
            if not warmup:
                lat[target.name] += sent.latencies
        rounds.append(row)
        log.info("round %s: %s", row["round"], row)
    return {"rounds": rounds, "latencies": lat, "queries": queries(a, targets, sent_jobs)}


def queries(a: argparse.Namespace, targets: list[Target], sent_jobs: set[int]) -> dict[str, Any]:
    nodes = query_nodes(a.queries, sent_jobs)
    conns = {t.name: http.client.HTTPConnection(HOST, t.port, timeout=600) for t in targets}
    times: dict[str, list[float]] = {t.name: [] for t in targets}
    sizes: dict[str, list[int]] = {t.name: [] for t in targets}
    for i, node in enumerate(nodes[:5] + nodes):  # the first five are warm-up
        for target in (targets if i % 2 == 0 else targets[::-1]):
            conns[target.name], elapsed, size = lineage(target, conns[target.name], node, a.depth)
            if i >= 5:
                times[target.name].append(elapsed)
                sizes[target.name].append(size)
    return {"nodes": nodes, "seconds": times, "sizes": sizes}


def report(a: argparse.Namespace, result: dict[str, Any], out: Path) -> None:
    measured = [r for r in result["rounds"] if r["round"] != "warm-up"]
    mz, ack, proj = (median([r[k] for r in measured]) for k in ("Marquez", "LineageLens", "LineageLens projected"))
    lat = {k: [x * 1000 for x in v] for k, v in result["latencies"].items()}
    q = {k: [x * 1000 for x in v] for k, v in result["queries"]["seconds"].items()}
    sizes = result["queries"]["sizes"]
    qp = {k: (percentile(v, 50), percentile(v, 95)) for k, v in q.items()}
    ratio_q = qp["Marquez"][1] / qp["LineageLens"][1]
    rows = [
        ["ingest, events/s (LineageLens: acknowledged)", fmt(mz), fmt(ack), f"{ack / mz:.1f}x", ">= 5x",
         "yes" if ack / mz >= 5 else "no"],
        ["ingest, events/s (LineageLens: projected, in the graph)", fmt(mz), fmt(proj), f"{proj / mz:.1f}x",
         ">= 5x", "yes" if proj / mz >= 5 else "no"],
        ["POST latency p50 / p95 ms", f"{fmt(percentile(lat['Marquez'], 50))} / {fmt(percentile(lat['Marquez'], 95))}",
         f"{fmt(percentile(lat['LineageLens'], 50))} / {fmt(percentile(lat['LineageLens'], 95))}", "", "", ""],
        [f"lineage depth {a.depth}, p50 ms", fmt(qp["Marquez"][0]), fmt(qp["LineageLens"][0]),
         f"{qp['Marquez'][0] / qp['LineageLens'][0]:.1f}x lower", "", ""],
        [f"lineage depth {a.depth}, p95 ms", fmt(qp["Marquez"][1]), fmt(qp["LineageLens"][1]),
         f"{ratio_q:.1f}x lower", ">= 20x lower", "yes" if ratio_q >= 20 else "no"],
        ["answer size, nodes in graph (median, min-max)",
         f"{median(sizes['Marquez']):.0f} ({min(sizes['Marquez'])}-{max(sizes['Marquez'])})",
         f"{median(sizes['LineageLens']):.0f} ({min(sizes['LineageLens'])}-{max(sizes['LineageLens'])})",
         "", "", ""],
    ]
    total = sum(r["events"] for r in result["rounds"])
    print(f"\nSide by side with Marquez: {total:,} events ({a.warmup_events} warm-up + {a.rounds} rounds), "
          f"{a.threads} client threads, single-event POSTs; {len(q['Marquez'])} lineage queries each; "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}; logs in {out}\n")
    print(common.table(["measure", "Marquez", "LineageLens", "ratio", "aim", "met"], rows))
    print("\nPer round, events/s:\n")
    print(common.table(["round", "events", "Marquez", "LineageLens acknowledged", "LineageLens projected"],
                       [[r["round"], r["events"], fmt(r["Marquez"]), fmt(r["LineageLens"]),
                         fmt(r["LineageLens projected"])] for r in result["rounds"]]))
    common.write_json(a.json, {"machine": common.machine(), "args": vars(a), "rounds": result["rounds"],
                               "post_ms": {k: {"p50": percentile(v, 50), "p95": percentile(v, 95)}
                                           for k, v in lat.items()},
                               "query_ms": {k: {"p50": v[0], "p95": v[1]} for k, v in qp.items()},
                               "queries": result["queries"]})


if __name__ == "__main__":
    main()
