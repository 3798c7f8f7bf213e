"""Synthetic OpenLineage events for tests that need many of them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

PRODUCER = "https://github.com/lineagelens/lineagelens/tests"
SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"


def _dataset(namespace: str, name: str, columns: list[str]) -> dict[str, Any]:
    return {"namespace": namespace, "name": name, "facets": {"schema": {
        "_producer": PRODUCER, "_schemaURL": "https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json",
        "fields": [{"name": c, "type": "string"} for c in columns]}}}


def chain_events(runs: int, *, jobs: int = 50, namespace: str = "postgres://db:5432") -> list[dict[str, Any]]:
    """``runs`` runs (a START and a COMPLETE each) of ``jobs`` jobs in a chain: job i reads table i and
    writes table i+1."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    events = []
    for n in range(runs):
        i = n % jobs
        run_id = str(uuid.UUID(int=n + 1))
        for offset, kind in ((0, "START"), (1, "COMPLETE")):
            events.append({
                "eventType": kind,
                "eventTime": (start + timedelta(minutes=2 * n + offset)).isoformat(),
                "producer": PRODUCER,
                "schemaURL": SCHEMA_URL,
                "run": {"runId": run_id},
                "job": {"namespace": "etl", "name": f"load_{i}"},
                "inputs": [_dataset(namespace, f"public.t{i}", ["id", "v"])],
                "outputs": [_dataset(namespace, f"public.t{i + 1}", ["id", "v"])],
            })
    return events
