"""Marquez-shaped JSON (camelCase) for namespaces, datasets, dataset versions, jobs and runs.

The ``present_*`` functions are pure: records in, dicts out. ``datasets_data`` / ``jobs_data`` /
``runs_data`` / ``jobs_from_rows`` fetch what many items need in a constant number of queries and present
them, for the list endpoints and the lineage graph.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from lineagelens.receiver.openlineage.model import RunState
from lineagelens.receiver.state.queries import DatasetRow, JobIO, JobRow, Key, NamespaceRow, Queries
from lineagelens.receiver.state.records import (
    DatasetRecord,
    JobRecord,
    RunDataset,
    RunRecord,
    VersionRecord,
)

log = logging.getLogger(__name__)

RUN_STATES: dict[RunState, str] = {
    RunState.START: "RUNNING",
    RunState.RUNNING: "RUNNING",
    RunState.COMPLETE: "COMPLETED",
    RunState.FAIL: "FAILED",
    RunState.ABORT: "ABORTED",
    RunState.OTHER: "NEW",
}


def iso(value: datetime | None) -> str | None:
    """ISO-8601 in UTC with a ``Z`` (microseconds kept), or None."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def iso_text(value: str | None) -> str | None:
    """An ISO timestamp kept as text by the producer (nominal times), normalised to UTC ``Z`` if it parses."""
    if not value:
        return None
    try:
        return iso(datetime.fromisoformat(value))
    except ValueError:
        return value


def _facet(facets: Mapping[str, Any], name: str, key: str) -> Any:
    facet = facets.get(name)
    return facet.get(key) if isinstance(facet, dict) else None


def _ids(keys: Iterable[Key]) -> list[dict[str, str]]:
    return [{"namespace": ns, "name": name} for ns, name in keys]


# -- namespaces ------------------------------------------------------------------------------------
def present_namespace(row: NamespaceRow) -> dict[str, Any]:
    return {"name": row.name, "createdAt": iso(row.created_at), "updatedAt": iso(row.updated_at),
            "ownerName": "", "description": None, "isHidden": False}


# -- datasets --------------------------------------------------------------------------------------
def present_fields(fields: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{"name": f.get("name"), "type": f.get("type"), "tags": [], "description": f.get("description")}
            for f in fields]


def _dataset_common(record: DatasetRecord, facets: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": {"namespace": record.namespace, "name": record.name},
        "type": "DB_TABLE",
        "name": record.name,
        "physicalName": record.name,
        "createdAt": iso(record.first_seen),
        "namespace": record.namespace,
        "sourceName": _facet(facets, "dataSource", "name") or record.namespace,
    }


def present_dataset(record: DatasetRecord, *, fields: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """A Marquez ``Dataset``; ``fields`` are the current version's columns."""
    facets = record.facets.values
    return {
        **_dataset_common(record, facets),
        "updatedAt": iso(record.last_seen),
        "fields": present_fields(fields),
        "tags": [],
        "lastModifiedAt": iso(record.last_seen),
        "lastLifecycleState": _facet(facets, "lifecycleStateChange", "lifecycleStateChange") or "",
        "description": _facet(facets, "documentation", "description"),
        "currentVersion": record.current_version,
        "facets": dict(facets),
        "deleted": False,
    }


def present_dataset_row(row: DatasetRow) -> dict[str, Any]:
    return present_dataset(row.record, fields=row.fields)


def present_dataset_version(record: DatasetRecord, version: VersionRecord, *,
                            created_by_run: dict[str, Any] | None = None) -> dict[str, Any]:
    """A Marquez ``DatasetVersion``. Facets are kept for the dataset, not per version: the current
    version carries them, older versions carry none."""
    current = version.version == record.current_version
    facets = record.facets.values if current else {}
    return {
        **_dataset_common(record, record.facets.values),
        "createdAt": iso(version.created_at),
        "version": version.version,
        "fields": present_fields(version.fields),
        "tags": [],
        "lifecycleState": _facet(facets, "lifecycleStateChange", "lifecycleStateChange") or "",
        "description": _facet(record.facets.values, "documentation", "description"),
        "createdByRun": created_by_run,
        "facets": dict(facets),
    }


# -- runs ------------------------------------------------------------------------------------------
def _dataset_versions(items: Iterable[RunDataset], direction: str) -> list[dict[str, Any]]:
    return [{"datasetVersionId": {"namespace": d.namespace, "name": d.name, "version": d.version},
             "facets": {}} for d in items if d.direction == direction]


def present_run(record: RunRecord, *, datasets: Sequence[RunDataset] = ()) -> dict[str, Any]:
    """A Marquez ``Run``; ``datasets`` are what the run read and wrote."""
    duration = None
    if record.started_at is not None and record.ended_at is not None:
        duration = int((record.ended_at - record.started_at).total_seconds() * 1000)
    return {
        "id": record.run_id,
        "createdAt": iso(record.first_seen),
        "updatedAt": iso(record.last_seen),
        "nominalStartTime": iso_text(record.nominal_start),
        "nominalEndTime": iso_text(record.nominal_end),
        "state": RUN_STATES[record.state],
        "startedAt": iso(record.started_at),
        "endedAt": iso(record.ended_at),
        "durationMs": duration,
        "args": {},
        "jobVersion": {"namespace": record.job_namespace, "name": record.job_name, "version": None},
        "inputDatasetVersions": _dataset_versions(datasets, "input"),
        "outputDatasetVersions": _dataset_versions(datasets, "output"),
        "context": {},
        "facets": dict(record.facets.values),
    }


# -- jobs ------------------------------------------------------------------------------------------
def job_type(facets: Mapping[str, Any]) -> str:
    processing = str(_facet(facets, "jobType", "processingType") or "").upper()
    return "STREAM" if processing in {"STREAMING", "STREAM"} else "BATCH"


def present_job(record: JobRecord, *, inputs: Iterable[Key] = (), outputs: Iterable[Key] = (),
                latest_run: dict[str, Any] | None = None) -> dict[str, Any]:
    """A Marquez ``Job``; ``inputs``/``outputs`` accumulate over all its runs."""
    facets = record.facets.values
    return {
        "id": {"namespace": record.namespace, "name": record.name},
        "type": job_type(facets),
        "name": record.name,
        "simpleName": record.name.rsplit(".", 1)[-1],
        "parentJobName": record.parent_name,
        "createdAt": iso(record.first_seen),
        "updatedAt": iso(record.last_seen),
        "namespace": record.namespace,
        "inputs": _ids(inputs),
        "outputs": _ids(outputs),
        "location": _facet(facets, "sourceCodeLocation", "url"),
        "description": _facet(facets, "documentation", "description"),
        "latestRun": latest_run,
        "tags": [],
        "facets": dict(facets),
        "currentVersion": None,
    }


def present_job_row(row: JobRow, io: JobIO | None = None) -> dict[str, Any]:
    io = io or JobIO()
    latest = present_run(row.latest_run, datasets=io.latest) if row.latest_run is not None else None
    return present_job(row.record, inputs=io.inputs, outputs=io.outputs, latest_run=latest)


# -- bulk ------------------------------------------------------------------------------------------
def jobs_from_rows(queries: Queries, rows: Sequence[JobRow]) -> list[dict[str, Any]]:
    """Present job rows with their inputs, outputs and latest run's datasets (one more query)."""
    io = queries.job_io(keys=[(r.record.namespace, r.record.name) for r in rows]) if rows else {}
    return [present_job_row(r, io.get((r.record.namespace, r.record.name))) for r in rows]


def runs_data(queries: Queries, records: Sequence[RunRecord]) -> list[dict[str, Any]]:
    """Present runs with the datasets each read and wrote (one more query)."""
    found = queries.run_datasets(run_ids=[r.run_id for r in records]) if records else {}
    return [present_run(r, datasets=found.get(r.run_id, [])) for r in records]


def datasets_data(queries: Queries, keys: list[Key]) -> dict[Key, dict[str, Any]]:
    """Marquez datasets for ``keys`` (those that exist), in one query per chunk of keys."""
    if not keys:
        return {}
    return {key: present_dataset_row(row) for key, row in queries.datasets_by_keys(keys=keys).items()}


def jobs_data(queries: Queries, keys: list[Key]) -> dict[Key, dict[str, Any]]:
    """Marquez jobs for ``keys`` (those that exist), with inputs, outputs and latest run: two queries."""
    if not keys:
        return {}
    rows = queries.jobs_by_keys(keys=keys)
    io = queries.job_io(keys=list(rows))
    return {key: present_job_row(row, io.get(key)) for key, row in rows.items()}
