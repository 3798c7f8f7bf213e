"""OpenLineage events for the identity console tests."""

from __future__ import annotations

import uuid
from typing import Any

PRODUCER = "https://example.com/identity-tests"
RUN_SCHEMA = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"


def dataset(namespace: str, name: str, columns: dict[str, str] | None = None,
            symlinks: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    facets: dict[str, Any] = {}
    if columns:
        facets["schema"] = {"_producer": PRODUCER, "_schemaURL": "https://openlineage.io/spec/facets/1-1-1/"
                            "SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet",
                            "fields": [{"name": n, "type": t} for n, t in columns.items()]}
    if symlinks:
        facets["symlinks"] = {"_producer": PRODUCER, "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/"
                              "SymlinksDatasetFacet.json#/$defs/SymlinksDatasetFacet",
                              "identifiers": [{"namespace": ns, "name": n, "type": "TABLE"} for ns, n in symlinks]}
    return {"namespace": namespace, "name": name, "facets": facets}


def run(job: str, *, inputs: tuple[dict[str, Any], ...] = (), outputs: tuple[dict[str, Any], ...] = (),
        minute: int = 0, event_type: str = "COMPLETE", run_id: str | None = None) -> dict[str, Any]:
    return {"eventType": event_type, "eventTime": f"2026-11-01T10:{minute:02d}:00Z",
            "run": {"runId": run_id or str(uuid.uuid5(uuid.NAMESPACE_URL, f"{job}/{minute}"))},
            "job": {"namespace": "identity-tests", "name": job}, "inputs": list(inputs), "outputs": list(outputs),
            "producer": PRODUCER, "schemaURL": RUN_SCHEMA}
