"""What the catalog pages and the impact table say about a dataset or a job, read from its facets and runs:
owners (the ``ownership`` facet), tags (the ``tags`` facet), a type, and the state of the last run (a job's
latest run; for a dataset, the latest run that wrote it).

Pure functions over records, plus :func:`dataset_runs` / :func:`job_runs` that fetch the runs in bulk.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lineagelens.receiver.marquez import RUN_STATES, iso
from lineagelens.receiver.state.queries import Queries
from lineagelens.receiver.state.records import DatasetRecord, JobRecord, Key, RunRecord

log = logging.getLogger(__name__)


def owners_of(facets: Mapping[str, Any]) -> list[str]:
    """Owner names of an ``ownership`` facet (``{"owners": [{"name": ..., "type": ...}]}``), in order."""
    ownership = facets.get("ownership")
    found = ownership.get("owners") if isinstance(ownership, dict) else None
    names = [o.get("name") for o in found or [] if isinstance(o, dict)]
    return list(dict.fromkeys(n for n in names if isinstance(n, str) and n))


def tags_of(facets: Mapping[str, Any]) -> list[str]:
    """Tags of a ``tags`` facet (``{"tags": [{"key": ..., "value": ...}]}``): ``key``, or ``key:value``
    when the value says more than ``true``."""
    facet = facets.get("tags")
    found = facet.get("tags") if isinstance(facet, dict) else None
    out: list[str] = []
    for tag in found or []:
        if not isinstance(tag, dict) or not isinstance(tag.get("key"), str):
            continue
        value = tag.get("value")
        text = tag["key"] if value in (None, "", True, "true", "True") else f"{tag['key']}:{value}"
        out.append(text)
    return list(dict.fromkeys(out))


def dataset_type(facets: Mapping[str, Any]) -> str:
    """The ``datasetType`` facet's type (TABLE, VIEW, TOPIC, FILE …), or ``DATASET`` when not said."""
    facet = facets.get("datasetType")
    value = facet.get("datasetType") if isinstance(facet, dict) else None
    return value.upper() if isinstance(value, str) and value else "DATASET"


def job_type(facets: Mapping[str, Any]) -> str:
    """The ``jobType`` facet's type (DAG, TASK, QUERY, JOB …), or ``JOB`` when not said."""
    facet = facets.get("jobType")
    value = facet.get("jobType") if isinstance(facet, dict) else None
    return value.upper() if isinstance(value, str) and value else "JOB"


def run_state(run: RunRecord | None) -> str | None:
    """Marquez's name of a run's state (COMPLETED, FAILED, RUNNING …), None without a run."""
    return RUN_STATES[run.state] if run is not None else None


def _duration_ms(run: RunRecord | None) -> int | None:
    if run is None or run.started_at is None or run.ended_at is None:
        return None
    return int((run.ended_at - run.started_at).total_seconds() * 1000)


@dataclass(frozen=True)
class Facts:
    """One dataset or job as the browse pages and the impact table show it."""

    node_id: str
    kind: str  # "DATASET" | "JOB"
    namespace: str
    name: str
    type: str
    owners: tuple[str, ...]
    tags: tuple[str, ...]
    last_run_id: str | None
    last_run_state: str | None
    last_run_duration_ms: int | None
    updated_at: datetime | None

    def body(self) -> dict[str, Any]:
        return {"id": self.node_id, "kind": self.kind, "namespace": self.namespace, "name": self.name,
                "type": self.type, "owners": list(self.owners), "tags": list(self.tags),
                "lastRunId": self.last_run_id, "lastRunState": self.last_run_state,
                "lastRunDurationMs": self.last_run_duration_ms, "updatedAt": iso(self.updated_at)}


def _latest(*times: datetime | None) -> datetime | None:
    present = [t for t in times if t is not None]
    return max(present) if present else None


def dataset_facts(record: DatasetRecord, producer: RunRecord | None) -> Facts:
    facets = record.facets.values
    return Facts(node_id=f"dataset:{record.namespace}:{record.name}", kind="DATASET",
                 namespace=record.namespace, name=record.name, type=dataset_type(facets),
                 owners=tuple(owners_of(facets)), tags=tuple(tags_of(facets)),
                 last_run_id=producer.run_id if producer else None, last_run_state=run_state(producer),
                 last_run_duration_ms=_duration_ms(producer), updated_at=record.last_seen)


def job_facts(record: JobRecord, latest: RunRecord | None) -> Facts:
    facets = record.facets.values
    updated = _latest(record.last_seen, latest.ended_at if latest else None)
    return Facts(node_id=f"job:{record.namespace}:{record.name}", kind="JOB", namespace=record.namespace,
                 name=record.name, type=job_type(facets), owners=tuple(owners_of(facets)),
                 tags=tuple(tags_of(facets)), last_run_id=latest.run_id if latest else None,
                 last_run_state=run_state(latest), last_run_duration_ms=_duration_ms(latest),
                 updated_at=updated)


def facts_for(queries: Queries, *, datasets: Iterable[Key] = (), jobs: Iterable[Key] = ()) -> dict[str, Facts]:
    """Facts of the given datasets and jobs that exist, by node id: four queries whatever the count."""
    dataset_keys, job_keys = list(dict.fromkeys(datasets)), list(dict.fromkeys(jobs))
    out: dict[str, Facts] = {}
    if dataset_keys:
        rows = queries.datasets_by_keys(keys=dataset_keys)
        producers = queries.producing_runs(keys=list(rows))
        for key, row in rows.items():
            f = dataset_facts(row.record, producers.get(key))
            out[f.node_id] = f
    if job_keys:
        for job_row in queries.jobs_by_keys(keys=job_keys).values():
            f = job_facts(job_row.record, job_row.latest_run)
            out[f.node_id] = f
    return out
