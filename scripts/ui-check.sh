#!/usr/bin/env bash
# UI static checks and unit tests: tsc --noEmit (TypeScript 7), ESLint, Vitest.
set -euo pipefail
cd "$(dirname "$0")/../ui"
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run typecheck
npm run lint
npm test
