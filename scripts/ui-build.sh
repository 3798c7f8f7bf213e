#!/usr/bin/env bash
# Build the web UI into ui/dist (what the receiver serves at "/"). Needs Node >= 20.19 and npm.
set -euo pipefail
cd "$(dirname "$0")/../ui"
npm ci --no-audit --no-fund
npm run build
