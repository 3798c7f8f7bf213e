#!/usr/bin/env bash
# Big-graph UI benchmark (5,000 nodes / 10,000 edges in headless Chromium); figures in docs/ui.md.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT/ui"
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build
node "$ROOT/bench/ui/run.mjs" "$@"
