#!/usr/bin/env bash
# The Spark producer for the end-to-end tests, in its own virtualenv so pyspark never meets the receiver's .venv.
#
#   scripts/e2e-spark.sh venv   create (once, cached) / refresh the venv; prints its python as the last line
#   scripts/e2e-spark.sh test   the Spark end-to-end tests (tests/integrations/test_spark_e2e.py), pytest args after
#
# The venv lives under ~/.cache/lineagelens/venvs/ keyed by the pyspark version and holds pyspark and this
# checkout (editable, without dependencies: `lineagelens.integrations.spark.configure` needs only the standard
# library). Spark resolves the openlineage-spark jar from Maven Central into ~/.ivy2 on first use; `java` must
# be Java 17 (pyspark 3.5). Any failure exits non-zero: the tests fail, never skip.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYSPARK_VERSION="${PYSPARK_VERSION:-3.5.9}"
HOST_PYTHON="${HOST_PYTHON:-python3}"
SOURCE="${LINEAGELENS_SOURCE:-$PWD}"
VENVS="${LINEAGELENS_VENVS:-$HOME/.cache/lineagelens/venvs}"
PYVER="$("$HOST_PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" \
  || { echo "HOST_PYTHON=$HOST_PYTHON is not a usable Python" >&2; exit 1; }
VENV="$VENVS/pyspark-$PYSPARK_VERSION-py$PYVER"
export PIP_DISABLE_PIP_VERSION_CHECK=1

quiet() {  # run a command with its output in a log, shown only if it fails
  local log="$VENV.log"
  "$@" >"$log" 2>&1 || { cat "$log" >&2; echo "failed: $*" >&2; exit 1; }
}

venv() {
  command -v java >/dev/null || { echo "java not found: pyspark needs a JDK (17)" >&2; exit 1; }
  mkdir -p "$VENVS"
  exec 9>"$VENV.lock"
  flock 9
  if [[ ! -f "$VENV/.complete" ]]; then
    echo "creating $VENV (pyspark $PYSPARK_VERSION)" >&2
    rm -rf "$VENV"
    quiet "$HOST_PYTHON" -m venv "$VENV"
    quiet "$VENV/bin/pip" install --quiet --upgrade pip
    quiet "$VENV/bin/pip" install --quiet "pyspark==$PYSPARK_VERSION"
    touch "$VENV/.complete"
  fi
  quiet "$VENV/bin/pip" install --quiet --no-deps -e "$SOURCE"
  flock -u 9
  echo "$VENV/bin/python"
}

case "${1:-venv}" in
  venv) venv ;;
  test)
    shift || true
    PYTHON="${PYTHON:-.venv/bin/python}"
    exec "$PYTHON" -m pytest -p no:cacheprovider tests/integrations/test_spark_e2e.py "$@" ;;
  *) echo "usage: $0 [venv|test [pytest args]]" >&2; exit 2 ;;
esac
