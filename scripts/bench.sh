#!/usr/bin/env bash
# Run the LineageLens benchmarks end to end (programs, not tests; see docs/benchmarks.md).
#
#   scripts/bench.sh            # every benchmark, full size (about 30-40 minutes on 2 cores)
#   BENCH_SCALE=0.1 scripts/bench.sh   # a quick run
#
# Starts its OWN Neo4j (bolt 127.0.0.1:7688, http 7475, cache ~/.cache/lineagelens-bench) and stops it at
# the end; expects the PostgreSQL test cluster from `scripts/postgres.sh start` on 127.0.0.1:55432 and uses
# (drops and recreates) only the database lineagelens_bench. Never touches the shared Neo4j on 7687.
#
# Run it under `flock /tmp/lineagelens-bench.lock scripts/bench.sh` when others may benchmark on the machine.
#
# Env: PYTHON (.venv/bin/python), BENCH_SCALE (1.0), BENCH_ONLY (ingest,projection,query),
#      BENCH_BACKENDS (ingest: sqlite,pg-neo4j), BENCH_MODES (background,inline), BENCH_KINDS (single,batch),
#      BENCH_PROJECTION_EVENTS (10000 x scale, min 2000), BENCH_PROJECTION_BATCH (500),
#      BENCH_PROJECTION_RECEIVERS (1,2), BENCH_QUERY_BACKENDS (sqlite,postgres,neo4j),
#      BENCH_REPS (3), BENCH_INGEST_SECONDS (10 x scale, min 3), BENCH_CLIENT_THREADS (8),
#      BENCH_CLIENT_PROCS (2), BENCH_SERVER_WORKERS (1), BENCH_SERVER_THREADS (8), BENCH_BATCH_SIZE (100),
#      BENCH_QUERIES (200), BENCH_LOAD_BATCH (10000), BENCH_OUT (results dir), BENCH_KEEP_NEO4J (unset: stop it).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
ONLY="${BENCH_ONLY:-ingest,projection,query}"
export BENCH_OUT="${BENCH_OUT:-${TMPDIR:-/tmp}/lineagelens-bench-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$BENCH_OUT"

# The benchmark's private Neo4j: other people's tests wipe the shared one on 7687 at any time.
export NEO4J_BOLT_PORT="${BENCH_NEO4J_BOLT_PORT:-7688}" NEO4J_HTTP_PORT="${BENCH_NEO4J_HTTP_PORT:-7475}"
export NEO4J_HEAP="${BENCH_NEO4J_HEAP:-1g}" NEO4J_PAGECACHE="${BENCH_NEO4J_PAGECACHE:-1g}"
export LINEAGELENS_CACHE="${BENCH_CACHE:-$HOME/.cache/lineagelens-bench}" PYTHON
export BENCH_NEO4J_URL="bolt://127.0.0.1:$NEO4J_BOLT_PORT"
unset NEO4J_PASSWORD

log() { echo "bench.sh: $*" >&2; }

needs_neo4j=0
[[ "$ONLY" == *ingest* && "${BENCH_BACKENDS:-pg-neo4j}" == *neo4j* ]] && needs_neo4j=1
[[ "$ONLY" == *projection* ]] && needs_neo4j=1
[[ "$ONLY" == *query* && "${BENCH_QUERY_BACKENDS:-neo4j}" == *neo4j* ]] && needs_neo4j=1

stop_neo4j() {
  if [[ -z "${BENCH_KEEP_NEO4J:-}" ]]; then
    scripts/neo4j.sh stop || true
  fi
}

if ((needs_neo4j)); then
  scripts/neo4j.sh start >/dev/null
  trap stop_neo4j EXIT
fi

if ! /usr/lib/postgresql/15/bin/pg_isready -q -h 127.0.0.1 -p 55432 2>/dev/null; then
  log "PostgreSQL is not running on 127.0.0.1:55432 (run scripts/postgres.sh start)"
  exit 1
fi

log "results and server logs in $BENCH_OUT (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
if [[ "$ONLY" == *ingest* ]]; then
  "$PYTHON" -m bench.ingest --json "$BENCH_OUT/ingest.json" | tee "$BENCH_OUT/ingest.md"
fi
if [[ "$ONLY" == *projection* ]]; then
  "$PYTHON" -m bench.projection --json "$BENCH_OUT/projection.json" | tee "$BENCH_OUT/projection.md"
fi
if [[ "$ONLY" == *query* ]]; then
  "$PYTHON" -m bench.query --json "$BENCH_OUT/query.json" | tee "$BENCH_OUT/query.md"
fi
log "done: tables in $BENCH_OUT/*.md, raw figures in $BENCH_OUT/*.json"
