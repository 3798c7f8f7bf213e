"""One run in full, for the run page: its error first (the ``errorMessage`` run facet), the state timeline
from its events in the event log, what it read and wrote (with versions), its facets, its parent and child
runs, its duration against the job's p50/p95, and the orchestrator's page for it (Airflow's task log URL).
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from lineagelens.receiver import marquez
from lineagelens.receiver.errors import NotFound
from lineagelens.receiver.state.queries import Queries
from lineagelens.receiver.state.records import RunRecord

log = logging.getLogger(__name__)

# How many of the job's last completed runs the p50/p95 are taken over.
DURATION_SAMPLE = 200


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile (0..1) of ``values`` by linear interpolation between closest ranks; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    at = (len(ordered) - 1) * q
    lo, hi = math.floor(at), math.ceil(at)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (at - lo)


def error_of(facets: Mapping[str, Any]) -> dict[str, Any] | None:
    """The ``errorMessage`` run facet as ``{message, programmingLanguage, stackTrace}``, or None."""
    facet = facets.get("errorMessage")
    if not isinstance(facet, dict) or not isinstance(facet.get("message"), str):
        return None
    return {"message": facet["message"], "programmingLanguage": facet.get("programmingLanguage"),
            "stackTrace": facet.get("stackTrace") if isinstance(facet.get("stackTrace"), str) else None}


def _web_url(value: Any) -> str | None:
    """``value`` when it is an absolute http(s) URL (a link the page may show), else None."""
    if not isinstance(value, str):
        return None
    parts = urlsplit(value)
    return value if parts.scheme in ("http", "https") and parts.netloc else None


def orchestrator_link(facets: Mapping[str, Any]) -> dict[str, str] | None:
    """Where the orchestrator shows this run: Airflow's task log URL (``airflow.taskInstance.log_url``)."""
    airflow = facets.get("airflow")
    if isinstance(airflow, dict):
        task = airflow.get("taskInstance")
        url = _web_url(task.get("log_url") if isinstance(task, dict) else None)
        if url:
            return {"kind": "airflow", "label": "Airflow task log", "url": url}
    return None


def _run_ref(record: RunRecord) -> dict[str, Any]:
    body = marquez.present_run(record)
    return {"id": record.run_id, "jobNamespace": record.job_namespace, "jobName": record.job_name,
            "state": body["state"], "startedAt": body["startedAt"], "endedAt": body["endedAt"],
            "durationMs": body["durationMs"]}


def timeline(events: Sequence[tuple[str | None, Any, str]]) -> list[dict[str, Any]]:
    """``[{eventType, eventTime, producer, inputs, outputs}]`` of a run's events, in time order."""
    out = []
    for event_type, event_time, payload in events:
        try:
            raw = json.loads(payload)
        except ValueError:
            raw = {}
        out.append({"eventType": event_type or "OTHER", "eventTime": marquez.iso(event_time),
                    "producer": raw.get("producer") if isinstance(raw, dict) else None,
                    "inputs": len(raw.get("inputs") or []) if isinstance(raw, dict) else 0,
                    "outputs": len(raw.get("outputs") or []) if isinstance(raw, dict) else 0})
    return out


def _parent(queries: Queries, record: RunRecord) -> dict[str, Any] | None:
    if record.parent_run_id:
        stored = queries.run(run_id=record.parent_run_id)
        if stored is not None:
            return _run_ref(stored)
    facet = record.facets.values.get("parent")
    if isinstance(facet, dict):
        run, job = facet.get("run") or {}, facet.get("job") or {}
        run_id = run.get("runId") if isinstance(run, dict) else None
        if isinstance(run_id, str):
            return {"id": run_id, "jobNamespace": job.get("namespace"), "jobName": job.get("name"),
                    "state": None, "startedAt": None, "endedAt": None, "durationMs": None}
    return None


def run_detail(queries: Queries, run_id: str) -> dict[str, Any]:
    """The run page's data (NotFound for an unknown run id)."""
    record = queries.run(run_id=run_id)
    if record is None:
        raise NotFound(f"run {run_id!r} not found")
    body = marquez.runs_data(queries, [record])[0]
    facets = record.facets.values
    durations = queries.finished_durations(namespace=record.job_namespace, name=record.job_name,
                                           limit=DURATION_SAMPLE)
    p50, p95 = percentile(durations, 0.5), percentile(durations, 0.95)
    return {
        **body,
        "job": {"id": f"job:{record.job_namespace}:{record.job_name}", "namespace": record.job_namespace,
                "name": record.job_name},
        "error": error_of(facets),
        "timeline": timeline(queries.run_events(run_id=run_id)),
        "parent": _parent(queries, record),
        "children": [_run_ref(r) for r in queries.child_runs(run_id=run_id)],
        "jobDurations": {"count": len(durations), "p50Ms": round(p50) if p50 is not None else None,
                         "p95Ms": round(p95) if p95 is not None else None},
        "orchestrator": orchestrator_link(facets),
    }


def duration_stats(queries: Queries, jobs: Sequence[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    """p50/p95 of the completed runs of each job, by job node id (the health overlay's "late")."""
    out: dict[str, dict[str, Any]] = {}
    for (namespace, name), durations in queries.finished_durations_of(keys=jobs, limit=DURATION_SAMPLE).items():
        p50, p95 = percentile(durations, 0.5), percentile(durations, 0.95)
        out[f"job:{namespace}:{name}"] = {"count": len(durations),
                                          "p50Ms": round(p50) if p50 is not None else None,
                                          "p95Ms": round(p95) if p95 is not None else None}
    return out
