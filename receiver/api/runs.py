"""Runs: ``GET /api/v1/runs/{runId}`` (the run page: error, state timeline, inputs and outputs with versions,
facets, parent and child runs, duration against the job's p50/p95, orchestrator link) and
``GET /api/v1/runs/durations?jobId=`` (p50/p95 of jobs' completed runs, for the explorer's health overlay)."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify
from marshmallow import EXCLUDE, Schema, fields, validate

from lineagelens.receiver import services
from lineagelens.receiver.api.args import load_args
from lineagelens.receiver.api.openapi import documented
from lineagelens.receiver.graph.model import NodeKind
from lineagelens.receiver.runs import duration_stats, run_detail
from lineagelens.receiver.state.queries import Queries

log = logging.getLogger(__name__)

bp = Blueprint("runs", __name__, url_prefix="/api/v1")


class DurationArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    jobId = fields.List(fields.String(validate=validate.Length(min=1, max=2000)), required=True,
                        validate=validate.Length(min=1, max=500))


@bp.get("/runs/durations")
@documented(query=DurationArgs)
def get_durations() -> Response:
    """p50/p95 duration (ms) of each job's last 200 completed runs, by job id (repeat ``jobId``); unknown
    ids are left out."""
    args = load_args(DurationArgs())
    s = services.get()
    found = s.graph.get_nodes(ids=list(dict.fromkeys(args["jobId"])))
    jobs = [(n.namespace, n.name) for n in found.values() if n.kind is NodeKind.JOB]
    return jsonify({"jobs": duration_stats(Queries(s.engine), jobs)})


@bp.get("/runs/<run_id>")
@documented(responses={200: "The run with its error, timeline, datasets, facets, parent and children",
                       404: "No such run"})
def get_run(run_id: str) -> Response:
    """One run in full: the error first (``errorMessage`` facet), the state timeline from its events,
    inputs and outputs with versions, facets, parent and child runs, the job's p50/p95 duration and the
    orchestrator's page for it (Airflow task log URL)."""
    return jsonify(run_detail(Queries(services.get().engine), run_id))
