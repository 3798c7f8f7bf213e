"""Benchmarks: programs, never tests (see docs/benchmarks.md). Run from the repository root:
``python -m bench.ingest`` and ``python -m bench.query``; ``scripts/bench.sh`` runs both."""
