#!/usr/bin/env bash
# mypy over the lineagelens.* namespace: link the top-level folders where mypy can import them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p .typecheck/lineagelens
for pkg in receiver plugins integrations; do
  ln -sfn "../../$pkg" ".typecheck/lineagelens/$pkg"
done
exec "${MYPY:-.venv/bin/mypy}" "$@"
