#!/usr/bin/env bash
# UI end-to-end tests (Playwright via playwright-core, driving Debian's Chromium).
# Starts a real receiver (.venv/bin/lineagelens serve) on a free port with a temporary SQLite DB
# loaded by `lineagelens replay` of the CLL + airflow scenarios. If that receiver serves the UI at "/"
# it is tested directly, otherwise ui/dist is served by `vite preview` with /api proxied to it.
# LINEAGELENS_E2E_URL=http://host:port tests an already running app instead (data must be loaded).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else
    echo "Chromium not found at ${CHROMIUM_PATH:-/usr/bin/chromium}: apt-get install -y chromium" >&2
    exit 1
  fi
fi
cd "$ROOT/ui"
[ -d node_modules ] || npm ci --no-audit --no-fund
[ -f dist/index.html ] || npm run build
LINEAGELENS_BIN="${LINEAGELENS_BIN:-$ROOT/.venv/bin/lineagelens}" npm run e2e -- "$@"
