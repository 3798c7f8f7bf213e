#!/usr/bin/env bash
# The Airflow producer for the end-to-end tests, in its own virtualenv so Airflow's dependencies never meet the
# receiver's .venv.
#
#   scripts/e2e-airflow.sh venv   create (once, cached) / refresh the venv; prints its python as the last line
#   scripts/e2e-airflow.sh test   the Airflow tests (tests/integrations/test_airflow_*.py), pytest args after
#
# The venv lives under ~/.cache/lineagelens/venvs/ keyed by the pinned versions, and holds Airflow, the
# OpenLineage provider and this checkout (editable, so its `airflow.plugins` entry point is what Airflow
# loads). Concurrent runs share it under a lock. Any failure exits non-zero: the tests fail, never skip.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

AIRFLOW_VERSION="${AIRFLOW_VERSION:-3.3.2}"
OPENLINEAGE_PROVIDER_VERSION="${OPENLINEAGE_PROVIDER_VERSION:-2.20.3}"
HOST_PYTHON="${HOST_PYTHON:-python3}"
SOURCE="${LINEAGELENS_SOURCE:-$PWD}"   # the checkout installed into the venv
VENVS="${LINEAGELENS_VENVS:-$HOME/.cache/lineagelens/venvs}"
PYVER="$("$HOST_PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" \
  || { echo "HOST_PYTHON=$HOST_PYTHON is not a usable Python" >&2; exit 1; }
VENV="$VENVS/airflow-$AIRFLOW_VERSION-ol$OPENLINEAGE_PROVIDER_VERSION-py$PYVER"
export PIP_DISABLE_PIP_VERSION_CHECK=1

quiet() {  # run a command with its output in a log, shown only if it fails
  local log="$VENV.log"
  "$@" >"$log" 2>&1 || { cat "$log" >&2; echo "failed: $*" >&2; exit 1; }
}

venv() {
  mkdir -p "$VENVS"
  exec 9>"$VENV.lock"
  flock 9
  if [[ ! -f "$VENV/.complete" ]]; then
    echo "creating $VENV (Airflow $AIRFLOW_VERSION, OpenLineage provider $OPENLINEAGE_PROVIDER_VERSION)" >&2
    rm -rf "$VENV"
    quiet "$HOST_PYTHON" -m venv "$VENV"
    quiet "$VENV/bin/pip" install --quiet --upgrade pip
    # Airflow's constraints URL is not reachable here; plain pip resolves these pins.
    quiet "$VENV/bin/pip" install --quiet "apache-airflow==$AIRFLOW_VERSION" \
      "apache-airflow-providers-openlineage==$OPENLINEAGE_PROVIDER_VERSION"
    touch "$VENV/.complete"
  fi
  # This checkout, editable, with its dependencies (as `pip install lineagelens[airflow]` would bring them).
  quiet "$VENV/bin/pip" install --quiet -e "$SOURCE[airflow]"
  flock -u 9
  echo "$VENV/bin/python"
}

case "${1:-venv}" in
  venv) venv ;;
  test)
    shift || true
    PYTHON="${PYTHON:-.venv/bin/python}"
    exec "$PYTHON" -m pytest -p no:cacheprovider tests/integrations/test_airflow_e2e.py \
      tests/integrations/test_airflow_plugin.py tests/integrations/test_airflow_pages.py "$@" ;;
  *) echo "usage: $0 [venv|test [pytest args]]" >&2; exit 2 ;;
esac
