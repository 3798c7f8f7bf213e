"""Marquez's job reads: ``/namespaces/{ns}/jobs[/{job}[/runs]]`` (dispatched by
:mod:`.namespaces`, which parses names with slashes), ``GET /jobs`` and ``GET /jobs/runs/{runId}``."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify

from lineagelens.receiver import marquez
from lineagelens.receiver.api.args import PageArgs, load_args
from lineagelens.receiver.api.namespaces import (
    JOB,
    JOBS,
    RUNS,
    Target,
    handles,
    queries,
    require_namespace,
)
from lineagelens.receiver.errors import NotFound
from lineagelens.receiver.state.queries import JobRow, Queries

log = logging.getLogger(__name__)

bp = Blueprint("jobs", __name__, url_prefix="/api/v1")


class JobListArgs(PageArgs):
    """Paging of job and run lists."""


def _job(q: Queries, target: Target) -> JobRow:
    assert target.name is not None
    row = q.job(namespace=target.namespace, name=target.name)
    if row is None:
        require_namespace(target)
        raise NotFound(f"job {target.name!r} not found in namespace {target.namespace!r}")
    return row


@handles(JOBS)
def list_jobs_in(q: Queries, target: Target) -> Response:
    require_namespace(target)
    args = load_args(JobListArgs())
    rows, total = q.jobs(namespace=target.namespace, limit=args["limit"], offset=args["offset"])
    return jsonify({"jobs": marquez.jobs_from_rows(q, rows), "totalCount": total})


@handles(JOB)
def get_job(q: Queries, target: Target) -> Response:
    return jsonify(marquez.jobs_from_rows(q, [_job(q, target)])[0])


@handles(RUNS)
def list_job_runs(q: Queries, target: Target) -> Response:
    job = _job(q, target).record
    args = load_args(JobListArgs())
    records, total = q.job_runs(namespace=job.namespace, name=job.name, limit=args["limit"],
                                offset=args["offset"])
    return jsonify({"runs": marquez.runs_data(q, records), "totalCount": total})


@bp.get("/jobs")
def list_all_jobs() -> Response:
    args = load_args(JobListArgs())
    q = queries()
    rows, total = q.jobs(namespace=None, limit=args["limit"], offset=args["offset"])
    return jsonify({"jobs": marquez.jobs_from_rows(q, rows), "totalCount": total})


@bp.get("/jobs/runs/<run_id>")
def get_run(run_id: str) -> Response:
    q = queries()
    record = q.run(run_id=run_id)
    if record is None:
        raise NotFound(f"run {run_id!r} not found")
    return jsonify(marquez.runs_data(q, [record])[0])
