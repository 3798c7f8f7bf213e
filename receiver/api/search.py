"""``GET /api/v1/search?q=&filter=dataset|job|field&limit=``: datasets, jobs and columns by name."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, jsonify
from marshmallow import Schema, fields, validate

from lineagelens.receiver import services
from lineagelens.receiver.api.args import load_args
from lineagelens.receiver.api.openapi import documented
from lineagelens.receiver.graph.model import Node, NodeKind

log = logging.getLogger(__name__)

bp = Blueprint("search", __name__, url_prefix="/api/v1")

_FILTERS = {"dataset": (NodeKind.DATASET,), "job": (NodeKind.JOB,), "field": (NodeKind.FIELD,),
            "datasetfield": (NodeKind.FIELD,), "dataset_field": (NodeKind.FIELD,)}
_TYPES = {NodeKind.DATASET: "DATASET", NodeKind.JOB: "JOB", NodeKind.FIELD: "DATASET_FIELD"}


class SearchArgs(Schema):
    q = fields.String(required=True, validate=validate.Length(min=1, max=200))
    filter = fields.String(validate=validate.OneOf([*_FILTERS, *(k.upper() for k in _FILTERS)]))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


def _result(node: Node) -> dict[str, Any]:
    body = {"type": _TYPES[node.kind], "id": node.id, "nodeId": node.id, "namespace": node.namespace,
            "name": node.name, "updatedAt": node.props.get("lastSeen")}
    if node.kind is NodeKind.FIELD:
        body["datasetId"] = node.props.get("dataset")
    return body


@bp.get("/search")
@documented(query=SearchArgs)
def search() -> Response:
    """Datasets, jobs and dataset fields whose name or namespace contains q; exact and prefix matches first."""
    args = load_args(SearchArgs())
    kinds = _FILTERS.get(args.get("filter", "").lower(), tuple(_TYPES))
    found = services.get().graph.search(q=args["q"], kinds=kinds, limit=args["limit"])
    return jsonify({"totalCount": len(found), "results": [_result(n) for n in found]})
