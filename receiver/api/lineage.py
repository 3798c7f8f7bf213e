"""Lineage reads: Marquez's ``GET /lineage`` and ``/column-lineage``, plus ``/lineage/upstream``,
``/lineage/downstream``, ``/lineage/path`` and ``/lineage/impact``."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, jsonify
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from lineagelens.receiver import marquez, services
from lineagelens.receiver.api.args import load_args
from lineagelens.receiver.api.openapi import documented
from lineagelens.receiver.errors import BadRequest
from lineagelens.receiver.graph.model import Direction, Edge, Node, NodeKind, Subgraph
from lineagelens.receiver.impact import impact, to_csv
from lineagelens.receiver.lineage import (
    Resolver,
    column_view,
    edges_by_node,
    flow_from,
    flow_origin,
    marquez_edge,
    node_id_from_parts,
    path_hops,
)
from lineagelens.receiver.lineage_time import (
    Clock,
    diff,
    restrict,
    run_window,
    schema_changes,
    schema_version,
    timed_paths,
)
from lineagelens.receiver.state.queries import Queries

log = logging.getLogger(__name__)

bp = Blueprint("lineage", __name__, url_prefix="/api/v1")


class NodeArgs(Schema):
    """A node as ``nodeId`` or as ``type`` + ``namespace`` + ``name`` (+ ``field``)."""

    nodeId = fields.String(validate=validate.Length(min=1))
    type = fields.String()
    namespace = fields.String()
    name = fields.String()
    field = fields.String()
    depth = fields.Integer(validate=validate.Range(min=0))

    @validates_schema
    def _one_form(self, data: dict[str, Any], **_: Any) -> None:
        if "nodeId" not in data and not all(k in data for k in ("type", "namespace", "name")):
            raise ValidationError("give nodeId, or type, namespace and name", "nodeId")


class AsOfArgs(Schema):
    asOf = fields.AwareDateTime(default_timezone=UTC, metadata={
        "description": "the graph as it was at this instant (RFC 3339); default now"})


class TimeArgs(AsOfArgs):
    includeStale = fields.Boolean(load_default=False, metadata={
        "description": "also show edges no longer current, marked stale, with firstSeen and lastSeen"})


class FlowArgs(NodeArgs, TimeArgs):
    pass


class ColumnArgs(FlowArgs):
    withDownstream = fields.Boolean(load_default=False)


class DiffArgs(NodeArgs):
    from_ = fields.AwareDateTime(data_key="from", default_timezone=UTC,
                                 metadata={"description": "the earlier instant (RFC 3339)"})
    to = fields.AwareDateTime(default_timezone=UTC, metadata={"description": "the later instant (RFC 3339)"})
    fromRun = fields.String(validate=validate.Length(min=1, max=64), metadata={
        "description": "instead of from/to: the earlier run of a job (its end, or last event, is the instant)"})
    toRun = fields.String(validate=validate.Length(min=1, max=64), metadata={
        "description": "the later run of the same job; nodeId defaults to that job"})

    @validates_schema
    def _one_form(self, data: dict[str, Any], **_: Any) -> None:
        runs = [k for k in ("fromRun", "toRun") if k in data]
        instants = [k for k in ("from_", "to") if k in data]
        if runs and instants:
            raise ValidationError("give from and to, or fromRun and toRun, not both", "fromRun")
        if runs:
            if len(runs) != 2:
                raise ValidationError("give both fromRun and toRun", "toRun" if "fromRun" in data else "fromRun")
        elif len(instants) != 2:
            raise ValidationError("give from and to (or fromRun and toRun)", "to" if "from_" in data else "from")
        if not runs or ("nodeId" not in data and any(k in data for k in ("type", "namespace", "name"))):
            super()._one_form(data)


class SchemaDiffArgs(NodeArgs):
    from_ = fields.AwareDateTime(data_key="from", default_timezone=UTC, metadata={
        "description": "the earlier side: the version in force at this instant (RFC 3339)"})
    to = fields.AwareDateTime(default_timezone=UTC, metadata={
        "description": "the later side: the version in force at this instant (default now)"})
    fromVersion = fields.String(validate=validate.Length(min=1, max=64),
                                metadata={"description": "the earlier side: this version"})
    toVersion = fields.String(validate=validate.Length(min=1, max=64),
                              metadata={"description": "the later side: this version"})

    @validates_schema
    def _sides(self, data: dict[str, Any], **_: Any) -> None:
        for instant, version in (("from_", "fromVersion"), ("to", "toVersion")):
            if instant in data and version in data:
                raise ValidationError("give an instant or a version for each side, not both", version)
        if "from_" not in data and "fromVersion" not in data:
            raise ValidationError("give from or fromVersion", "from")


class ImpactArgs(NodeArgs):
    direction = fields.String(load_default="downstream", validate=validate.OneOf(["downstream", "upstream"]))
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))


class PathArgs(AsOfArgs):
    from_ = fields.String(required=True, data_key="from")
    to = fields.String(required=True)
    maxDepth = fields.Integer(validate=validate.Range(min=1))
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=100))


def _resolver() -> Resolver:
    s = services.get()
    return Resolver(graph=s.graph, records=s.records, normalize=s.projector.normalize)


def _start(args: dict[str, Any]) -> Node:
    node_id = args.get("nodeId") or node_id_from_parts(args["type"], args["namespace"], args["name"],
                                                       args.get("field"))
    return _resolver().resolve(node_id)


def _depth(args: dict[str, Any], default: int) -> int:
    limit = int(services.get().settings["MAX_DEPTH"])
    depth = args.get("depth", min(default, limit))
    if depth > limit:
        raise BadRequest(f"depth must be at most {limit}", [{"path": "depth", "message": "too deep"}])
    return int(depth)


def _clock(args: dict[str, Any]) -> Clock:
    s = services.get()
    return Clock(engine=s.engine, records=s.records, at=args.get("asOf") or datetime.now(UTC))


def _edge_body(edge: Edge, timed: bool) -> dict[str, Any]:
    body = marquez_edge(edge)
    if timed:
        body.update(firstSeen=edge.props.get("firstSeen"), lastSeen=edge.props.get("lastSeen"),
                    stale=bool(edge.props.get("stale")))
    return body


def _graph_body(view: Subgraph, timed: bool, queries: Queries) -> dict[str, Any]:
    """Marquez's lineage graph: ``{"graph": [{id, type, data, inEdges, outEdges}]}``."""
    nodes = [n for n in view.nodes.values() if n.kind in (NodeKind.DATASET, NodeKind.JOB)]
    datasets = marquez.datasets_data(queries, [(n.namespace, n.name) for n in nodes
                                               if n.kind is NodeKind.DATASET])
    jobs = marquez.jobs_data(queries, [(n.namespace, n.name) for n in nodes if n.kind is NodeKind.JOB])
    incoming, outgoing = edges_by_node(view.edges)
    graph = []
    for node in sorted(nodes, key=lambda n: n.id):
        table = datasets if node.kind is NodeKind.DATASET else jobs
        graph.append({
            "id": node.id,
            "type": "DATASET" if node.kind is NodeKind.DATASET else "JOB",
            "data": table.get((node.namespace, node.name)) or {"namespace": node.namespace, "name": node.name},
            "inEdges": [_edge_body(e, timed) for e in incoming.get(node.id, [])],
            "outEdges": [_edge_body(e, timed) for e in outgoing.get(node.id, [])],
        })
    return {"graph": graph, "truncated": view.truncated}


def _flow(direction: Direction, default_depth: int) -> Response:
    args = load_args(FlowArgs())
    s = services.get()
    node_id = args.get("nodeId") or node_id_from_parts(args["type"], args["namespace"], args["name"],
                                                       args.get("field"))
    try:
        depth = _depth(args, default_depth)
    except BadRequest:
        _resolver().resolve(node_id)  # an unknown node is reported before a bad depth
        raise
    start, view = flow_from(s.graph, _resolver(), node_id, direction, depth, int(s.settings["MAX_NODES"]))
    with s.engine.connect() as conn:  # the state reads of the answer: one checkout, one transaction
        clock = Clock(engine=s.engine, records=s.records, at=args.get("asOf") or datetime.now(UTC), conn=conn)
        view = restrict(view, clock, [flow_origin(start)], direction, depth, args["includeStale"], s.graph)
        body = _graph_body(view, args["includeStale"], Queries(s.engine, conn=conn))
    return jsonify(body)


@bp.get("/lineage")
@documented(query=FlowArgs)
def get_lineage() -> Response:
    """Upstream and downstream of a node (Marquez-compatible)."""
    return _flow(Direction.BOTH, 20)


@bp.get("/lineage/upstream")
@documented(query=FlowArgs)
def get_upstream() -> Response:
    """Everything a node comes from, within depth edges (Marquez graph shape)."""
    return _flow(Direction.UPSTREAM, 20)


@bp.get("/lineage/downstream")
@documented(query=FlowArgs)
def get_downstream() -> Response:
    """Everything fed by a node, within depth edges (Marquez graph shape)."""
    return _flow(Direction.DOWNSTREAM, 20)


@bp.get("/column-lineage")
@documented(query=ColumnArgs)
def get_column_lineage() -> Response:
    """Field-level lineage (Marquez-compatible): DATASET_FIELD nodes with their input fields."""
    args = load_args(ColumnArgs())
    s = services.get()
    depth = _depth(args, 20)
    view, seeds = column_view(s.graph, _start(args), depth, args["withDownstream"], int(s.settings["MAX_NODES"]))
    view = restrict(view, _clock(args), seeds, Direction.BOTH if args["withDownstream"] else Direction.UPSTREAM,
                    depth, args["includeStale"], s.graph)
    timed = args["includeStale"]
    incoming, outgoing = edges_by_node(view.edges)
    datasets = s.graph.get_nodes(ids=sorted({str(n.props.get("dataset")) for n in view.nodes.values()}))

    def dataset_name(field_node: Node) -> str | None:
        found = datasets.get(str(field_node.props.get("dataset")))
        return found.name if found else None

    graph = []
    for node in sorted(view.nodes.values(), key=lambda n: n.id):
        inputs = []
        for edge in incoming.get(node.id, []):
            src = view.nodes.get(edge.src)
            if src is None:
                continue
            inputs.append({"namespace": src.namespace, "dataset": dataset_name(src),
                           "datasetId": src.props.get("dataset"), "field": src.props.get("field"),
                           "transformationType": edge.props.get("type"),
                           "transformationSubtype": edge.props.get("subtype"),
                           "transformationDescription": edge.props.get("description"),
                           "transformations": edge.props.get("subtypes", [])})
        graph.append({
            "id": node.id,
            "type": "DATASET_FIELD",
            "data": {"namespace": node.namespace, "dataset": dataset_name(node),
                     "datasetId": node.props.get("dataset"), "field": node.props.get("field"),
                     "inputFields": inputs},
            "inEdges": [_edge_body(e, timed) for e in incoming.get(node.id, [])],
            "outEdges": [_edge_body(e, timed) for e in outgoing.get(node.id, [])],
        })
    return jsonify({"graph": graph, "truncated": view.truncated})


@bp.get("/lineage/path")
@documented(query=PathArgs)
def get_path() -> Response:
    """Shortest directed paths from one node to another; per hop, the job, its last run and its SQL."""
    args = load_args(PathArgs())
    s = services.get()
    resolver = _resolver()
    src, dst = resolver.resolve(args["from_"]), resolver.resolve(args["to"])
    max_depth = min(args.get("maxDepth", s.settings["MAX_DEPTH"]), int(s.settings["MAX_DEPTH"]))
    paths = timed_paths(s.graph, _clock(args), src.id, dst.id, max_depth, args["limit"],
                        int(s.settings["MAX_NODES"]))
    job_ids = {n for p in paths for n in p.nodes if n.startswith("job:")}
    job_nodes = s.graph.get_nodes(ids=sorted(job_ids))
    jobs = marquez.jobs_data(Queries(s.engine), [(n.namespace, n.name) for n in job_nodes.values()])
    body = []
    for path in paths:
        hops = []
        for origin, via, target in path_hops(path):
            job = job_nodes.get(via) if via else None
            data = jobs.get((job.namespace, job.name), {}) if job else {}
            sql = ((data.get("facets") or {}).get("sql") or {}).get("query")
            hops.append({"from": origin, "to": target, "manual": via is None,
                         "job": {"id": via, "namespace": job.namespace, "name": job.name,
                                 "latestRun": data.get("latestRun"), "sql": sql} if job else None})
        body.append({"length": len(path.edges), "nodes": list(path.nodes),
                     "edges": [{"origin": e.src, "destination": e.dst, "type": e.rel.value}
                               for e in path.edges],
                     "hops": hops})
    return jsonify({"from": src.id, "to": dst.id, "paths": body})


@bp.get("/lineage/diff")
@documented(query=DiffArgs, responses={
    200: "nodes and edges added and removed, and schema changes", 404: "unknown node or run",
    422: "fromRun and toRun are runs of different jobs"})
def get_diff() -> Response:
    """What changed around a node between two instants, or between two runs of a job (each run's end, or
    last event, is the instant): nodes and edges added and removed in its cone (upstream and downstream
    within depth), and columns added, removed and retyped of its datasets."""
    args = load_args(DiffArgs())
    s = services.get()
    window = None
    if "fromRun" in args:
        window = run_window(Queries(s.engine), args["fromRun"], args["toRun"])
        before, after = window.before, window.after
        if "nodeId" not in args and "type" not in args:
            args["nodeId"] = f"job:{window.job[0]}:{window.job[1]}"
    else:
        before, after = args["from_"], args["to"]
    if after < before:
        field = "toRun" if window else "to"
        raise BadRequest(f"{field} must not be before {'fromRun' if window else 'from'}",
                         [{"path": field, "message": "before the other side"}])
    start = _start(args)
    body = diff(s.graph, s.engine, s.records, flow_origin(start), _depth(args, 20),
                int(s.settings["MAX_NODES"]), before, after)
    if window:
        body.update(fromRun=window.from_run, toRun=window.to_run,
                    job={"namespace": window.job[0], "name": window.job[1]})
    return jsonify(body)


@bp.get("/lineage/schema-diff")
@documented(query=SchemaDiffArgs, responses={
    200: "the two schema versions and the columns added, removed and retyped",
    400: "not a dataset, or no side given", 404: "unknown dataset or version"})
def get_schema_diff() -> Response:
    """A dataset's schema between two versions, or the versions in force at two instants (``to`` defaults
    to now): columns added, removed and retyped."""
    args = load_args(SchemaDiffArgs())
    s = services.get()
    node = _start(args)
    if node.kind is not NodeKind.DATASET:
        raise BadRequest("schema diffs are of datasets", [{"path": "nodeId", "message": "not a dataset"}])
    key = (node.namespace, node.name)
    before = schema_version(s.engine, key, version=args.get("fromVersion"), at=args.get("from_"))
    after = schema_version(s.engine, key, version=args.get("toVersion"),
                           at=args.get("to") or (None if "toVersion" in args else datetime.now(UTC)))
    return jsonify({"nodeId": node.id, "namespace": node.namespace, "name": node.name,
                    "from": before.body(), "to": after.body(), **schema_changes(before.columns, after.columns)})


@bp.get("/lineage/impact")
@documented(query=ImpactArgs, responses={200: "Impact rows as JSON, or text/csv with format=csv"})
def get_impact() -> Response:
    """Everything downstream (or upstream) of a dataset, job or column, one row per node: degree (edges
    from the start), type, namespace, name (and field), last run state and id, owners, last update."""
    args = load_args(ImpactArgs())
    s = services.get()
    start = _start(args)
    direction = Direction.DOWNSTREAM if args["direction"] == "downstream" else Direction.UPSTREAM
    depth, clock = _depth(args, 20), _clock({})

    def current(view: Subgraph, origin: list[str]) -> Subgraph:
        return restrict(view, clock, origin, direction, depth, False, s.graph)

    result = impact(s.graph, Queries(s.engine), start, direction, depth, int(s.settings["MAX_NODES"]), current)
    if args["format"] == "csv":
        name = start.name.rsplit("/", 1)[-1] or "node"
        safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name)[:80]
        return Response(to_csv(result), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="impact-{args["direction"]}-{safe}.csv"'})
    return jsonify(result.body())
