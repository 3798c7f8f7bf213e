"""Builders of small OpenLineage events for the read-API tests (the ``app``/``client`` fixtures and
``post_events`` come from tests/conftest.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

import pytest

PRODUCER = "https://github.com/example/lineagelens-tests"
RUN_EVENT_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
FACETS = "https://openlineage.io/spec/facets"


def enc(value: str) -> str:
    """A path segment encoded as marquez-python encodes it (``gs://b`` -> ``gs%3A%2F%2Fb``)."""
    return quote(value, safe="")


def facet(schema: str, **body: Any) -> dict[str, Any]:
    return {"_producer": PRODUCER, "_schemaURL": f"{FACETS}/{schema}", **body}


def schema_facet(*columns: tuple[str, str]) -> dict[str, Any]:
    return facet("1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet",
                 fields=[{"name": n, "type": t} for n, t in columns])


def dataset(namespace: str, name: str, columns: Sequence[tuple[str, str]] = (),
            **facets: Any) -> dict[str, Any]:
    found = dict(facets)
    if columns:
        found["schema"] = schema_facet(*columns)
    return {"namespace": namespace, "name": name, "facets": found}


RunEventFactory = Callable[..., dict[str, Any]]


def make_run_event(*, job: tuple[str, str] = ("etl", "load"), run_id: str | None = None,
                   event_type: str = "COMPLETE", time: str = "2024-05-01T10:00:00Z",
                   inputs: Sequence[dict[str, Any]] = (), outputs: Sequence[dict[str, Any]] = (),
                   run_facets: dict[str, Any] | None = None,
                   job_facets: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "eventType": event_type,
        "eventTime": time,
        "run": {"runId": run_id or str(uuid.uuid4()), "facets": run_facets or {}},
        "job": {"namespace": job[0], "name": job[1], "facets": job_facets or {}},
        "inputs": list(inputs),
        "outputs": list(outputs),
        "producer": PRODUCER,
        "schemaURL": RUN_EVENT_URL,
    }


@pytest.fixture
def run_event() -> RunEventFactory:
    """``run_event(job=(ns, name), run_id=..., event_type=..., time=..., inputs=[...], outputs=[...])``."""
    return make_run_event
