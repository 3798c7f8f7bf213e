#!/usr/bin/env bash
# The whole test suite against every backend: starts PostgreSQL, Neo4j and Kafka on localhost (unless already
# running), runs lint, the UI checks and browser tests, and pytest (receiver, producers, UI build), and stops
# what it started. A backend that cannot start fails the run. Expects `make ui` to have built the UI.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
export PYTHON

started=()
cleanup() {
  for svc in "${started[@]}"; do scripts/"$svc".sh stop || true; done
}
trap cleanup EXIT

for svc in postgres neo4j kafka; do
  if ! scripts/"$svc".sh status >/dev/null 2>&1; then
    started+=("$svc")
  fi
done
export LINEAGELENS_TEST_POSTGRES_URL="$(scripts/postgres.sh start | tail -n 1)"
export LINEAGELENS_TEST_NEO4J_URL="$(scripts/neo4j.sh start | tail -n 1)"
export LINEAGELENS_TEST_KAFKA_BOOTSTRAP="$(scripts/kafka.sh start | tail -n 1)"
echo "PostgreSQL: $LINEAGELENS_TEST_POSTGRES_URL"
echo "Neo4j:      $LINEAGELENS_TEST_NEO4J_URL"
echo "Kafka:      $LINEAGELENS_TEST_KAFKA_BOOTSTRAP"

.venv/bin/ruff check .
scripts/typecheck.sh
scripts/chart-check.sh                 # Helm chart: lint, template matrix, kubeconform, helm-unittest
scripts/ui-check.sh                    # tsc, ESLint, Vitest
scripts/ui-e2e.sh                      # Playwright + Chromium against a real receiver serving the UI
"$PYTHON" -m pytest -p no:cacheprovider ${PYTEST_ARGS:-}
