"""Marquez's dataset reads: ``/namespaces/{ns}/datasets[/{ds}[/versions[/{version}]]]``, dispatched by
:mod:`.namespaces` (which parses names with slashes and resolves alias names to the canonical dataset)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Response, jsonify

from lineagelens.receiver import marquez
from lineagelens.receiver.api.args import PageArgs, load_args
from lineagelens.receiver.api.namespaces import (
    DATASET,
    DATASETS,
    VERSION,
    VERSIONS,
    Target,
    handles,
    require_namespace,
)
from lineagelens.receiver.errors import NotFound
from lineagelens.receiver.state.queries import DatasetRow, Queries
from lineagelens.receiver.state.records import VersionRecord

log = logging.getLogger(__name__)

class DatasetListArgs(PageArgs):
    """Paging of dataset and version lists."""


def _dataset(q: Queries, target: Target) -> DatasetRow:
    assert target.name is not None
    row = q.dataset(namespace=target.namespace, name=target.name)
    if row is None:
        require_namespace(target)
        raise NotFound(f"dataset {target.name!r} not found in namespace {target.namespace!r}")
    return row


def _versions(q: Queries, row: DatasetRow, versions: list[VersionRecord]) -> list[dict[str, Any]]:
    run_ids = [v.run_id for v in versions if v.run_id]
    runs = q.runs_by_ids(run_ids=run_ids) if run_ids else {}
    by_id = {r["id"]: r for r in marquez.runs_data(q, list(runs.values()))}
    return [marquez.present_dataset_version(row.record, v, created_by_run=by_id.get(v.run_id or ""))
            for v in versions]


@handles(DATASETS)
def list_datasets_in(q: Queries, target: Target) -> Response:
    require_namespace(target)
    args = load_args(DatasetListArgs())
    rows, total = q.datasets(namespace=target.namespace, limit=args["limit"], offset=args["offset"])
    return jsonify({"datasets": [marquez.present_dataset_row(r) for r in rows], "totalCount": total})


@handles(DATASET)
def get_dataset(q: Queries, target: Target) -> Response:
    return jsonify(marquez.present_dataset_row(_dataset(q, target)))


@handles(VERSIONS)
def list_dataset_versions(q: Queries, target: Target) -> Response:
    row = _dataset(q, target)
    args = load_args(DatasetListArgs())
    versions, total = q.dataset_versions(namespace=row.record.namespace, name=row.record.name,
                                         limit=args["limit"], offset=args["offset"])
    return jsonify({"versions": _versions(q, row, versions), "totalCount": total})


@handles(VERSION)
def get_dataset_version(q: Queries, target: Target) -> Response:
    row = _dataset(q, target)
    assert target.version is not None
    version = q.dataset_version(namespace=row.record.namespace, name=row.record.name,
                                version=target.version)
    if version is None:
        raise NotFound(f"version {target.version!r} of dataset {row.record.name!r} not found")
    return jsonify(_versions(q, row, [version])[0])
