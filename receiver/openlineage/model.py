"""The parsed form of an OpenLineage event: what projection and storage work from.

The raw JSON stays the source of truth (it is what the event log keeps); this model only names the parts
LineageLens reads, with the standard facets that broke their schema already left out.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Facets = dict[str, Any]


class EventKind(enum.StrEnum):
    RUN = "run"
    DATASET = "dataset"
    JOB = "job"


class RunState(enum.StrEnum):
    """Run states in the order a run moves through them; the three terminal states rank equal."""

    OTHER = "OTHER"
    START = "START"
    RUNNING = "RUNNING"
    COMPLETE = "COMPLETE"
    FAIL = "FAIL"
    ABORT = "ABORT"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def terminal(self) -> bool:
        return self.rank == 3


_RANK = {
    RunState.OTHER: 0,
    RunState.START: 1,
    RunState.RUNNING: 2,
    RunState.COMPLETE: 3,
    RunState.FAIL: 3,
    RunState.ABORT: 3,
}


@dataclass(frozen=True)
class DatasetRef:
    """A dataset as an event names it, with its facets (dataset, input and output facets kept apart)."""

    namespace: str
    name: str
    facets: Facets = field(default_factory=dict)
    input_facets: Facets = field(default_factory=dict)
    output_facets: Facets = field(default_factory=dict)


@dataclass(frozen=True)
class EventWarning:
    """Something accepted with a warning: a standard facet that broke its schema (``facet`` names it; left
    out of the projection) or a leniency rule applied to the event's core (``code`` names the rule, see
    docs/api.md "Leniency"). Strict mode refuses the event instead."""

    path: str
    message: str
    code: str = "invalid_facet"
    facet: str | None = None

    def as_dict(self) -> dict[str, str]:
        found = {"path": self.path, "code": self.code, "message": self.message}
        if self.facet is not None:
            found["facet"] = self.facet
        return found


@dataclass(frozen=True)
class ParsedEvent:
    kind: EventKind
    event_time: datetime
    producer: str
    schema_url: str
    event_type: RunState | None = None
    run_id: str | None = None
    run_facets: Facets = field(default_factory=dict)
    job_namespace: str | None = None
    job_name: str | None = None
    job_facets: Facets = field(default_factory=dict)
    inputs: tuple[DatasetRef, ...] = ()
    outputs: tuple[DatasetRef, ...] = ()
    dataset: DatasetRef | None = None
    warnings: tuple[EventWarning, ...] = ()

    @property
    def has_job(self) -> bool:
        return self.job_namespace is not None and self.job_name is not None
