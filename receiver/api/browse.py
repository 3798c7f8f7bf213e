"""``GET /api/v1/browse/datasets`` and ``/api/v1/browse/jobs``: catalog lists with facets (namespace, type,
owner, state, tag — each repeatable, values of one facet OR-ed, facets AND-ed), a name query ``q``, sorting
and paging, and the count of every facet value. The Marquez-compatible lists stay as they are."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify
from marshmallow import EXCLUDE, Schema, fields, validate

from lineagelens.receiver import services
from lineagelens.receiver.api.args import MAX_INT, load_args
from lineagelens.receiver.api.openapi import documented
from lineagelens.receiver.browse import FACETS, SORTS, BrowseQuery, browse
from lineagelens.receiver.state.queries import Queries

log = logging.getLogger(__name__)

bp = Blueprint("browse", __name__, url_prefix="/api/v1")

class BrowseArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    q = fields.String(load_default="", validate=validate.Length(max=200))
    namespace = fields.List(fields.String(validate=validate.Length(min=1, max=2000)), load_default=list)
    type = fields.List(fields.String(validate=validate.Length(min=1, max=200)), load_default=list)
    owner = fields.List(fields.String(validate=validate.Length(min=1, max=500)), load_default=list)
    state = fields.List(fields.String(validate=validate.Length(min=1, max=50)), load_default=list)
    tag = fields.List(fields.String(validate=validate.Length(min=1, max=500)), load_default=list)
    sort = fields.String(load_default="name", validate=validate.OneOf(SORTS))
    order = fields.String(load_default="asc", validate=validate.OneOf(["asc", "desc"]))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=0, max=1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_INT))


def _page(kind: str) -> Response:
    args = load_args(BrowseArgs())
    query = BrowseQuery(kind=kind, filters={f: args[f] for f in FACETS}, q=args["q"], sort=args["sort"],
                        descending=args["order"] == "desc", limit=args["limit"], offset=args["offset"])
    return jsonify(browse(Queries(services.get().engine), query).body(kind))


@bp.get("/browse/datasets")
@documented(query=BrowseArgs)
def browse_datasets() -> Response:
    """Datasets filtered by namespace, type, owner, state (of the last run that wrote it) and tag, sorted
    and paged, with the count of each facet value (``(none)`` counts those without one)."""
    return _page("datasets")


@bp.get("/browse/jobs")
@documented(query=BrowseArgs)
def browse_jobs() -> Response:
    """Jobs filtered by namespace, type, owner, state (of the latest run) and tag, sorted and paged, with
    the count of each facet value (``(none)`` counts those without one)."""
    return _page("jobs")
