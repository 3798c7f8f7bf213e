"""Lineage queries behind the HTTP API: node id resolution, graph views, column lineage and paths.

Node ids follow Marquez (``dataset:{namespace}:{name}``); namespaces contain colons, so an id is looked up
as it is first, then split at each colon and matched against the stored aliases and naming rules.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from lineagelens.receiver.errors import BadRequest, NotFound
from lineagelens.receiver.graph.base import GraphStore
from lineagelens.receiver.graph.model import (
    Direction,
    Edge,
    Node,
    NodeKind,
    Path,
    Rel,
    Subgraph,
    dataset_id,
    field_id,
    job_id,
)
from lineagelens.receiver.state.record_store import RecordStore
from lineagelens.receiver.state.records import Key

log = logging.getLogger(__name__)

_TYPES = {"dataset": NodeKind.DATASET, "job": NodeKind.JOB, "datasetfield": NodeKind.FIELD,
          "dataset_field": NodeKind.FIELD, "field": NodeKind.FIELD}


def node_id_from_parts(kind: str, namespace: str, name: str, field: str | None = None) -> str:
    """The id for the ``type``/``namespace``/``name`` query form."""
    found = _TYPES.get(kind.lower())
    if found is None:
        raise BadRequest(f"unknown node type {kind!r}", [{"path": "type", "message": "dataset, job or field"}])
    if found is NodeKind.JOB:
        return job_id(namespace, name)
    if found is NodeKind.DATASET:
        return dataset_id(namespace, name)
    if not field:
        raise BadRequest("a field node needs the field parameter", [{"path": "field", "message": "required"}])
    return field_id(namespace, name, field)


def _splits(rest: str) -> list[Key]:
    """Every ``(namespace, name)`` a ``ns:name`` string can mean, longest namespace first."""
    cuts = [i for i, ch in enumerate(rest) if ch == ":"]
    return [(rest[:i], rest[i + 1:]) for i in reversed(cuts) if rest[:i] and rest[i + 1:]]


@dataclass
class Resolver:
    graph: GraphStore
    records: RecordStore
    normalize: Callable[[str, str], Key]

    def resolve(self, node_id: str) -> Node:
        """The stored node ``node_id`` names, through aliases and naming rules; NotFound otherwise."""
        stored = self.graph.get_nodes(ids=[node_id]).get(node_id)
        if stored is not None:
            return stored
        kind, _, rest = node_id.partition(":")
        candidates: list[str] = []
        if kind == NodeKind.DATASET.value:
            candidates = [dataset_id(*k) for k in self._canonical(_splits(rest))]
        elif kind == NodeKind.FIELD.value and ":" in rest:
            dataset_part, _, field = rest.rpartition(":")
            candidates = [field_id(*k, field) for k in self._canonical(_splits(dataset_part))]
        elif kind == NodeKind.JOB.value:
            candidates = []
        elif kind not in {k.value for k in NodeKind}:
            raise BadRequest(f"malformed node id {node_id!r}", [
                {"path": "nodeId", "message": "expected dataset:{namespace}:{name}, job:..., datasetField:..."}])
        found = self.graph.get_nodes(ids=candidates) if candidates else {}
        for candidate in candidates:
            if candidate in found:
                return found[candidate]
        raise NotFound(f"no node {node_id!r}")

    def _canonical(self, keys: list[Key]) -> list[Key]:
        normalised = [self.normalize(*k) for k in keys]
        aliases = self.records.aliases_for(normalised)
        return [aliases.get(k, k) for k in normalised]


def flow_origin(start: Node) -> str:
    """Where a dataset/job view of ``start`` starts: a field starts from its dataset."""
    return str(start.props.get("dataset", start.id)) if start.kind is NodeKind.FIELD else start.id


def flow_view(graph: GraphStore, start: Node, direction: Direction, depth: int, max_nodes: int) -> Subgraph:
    """Datasets and jobs around ``start`` (a field starts from its dataset)."""
    return graph.traverse(start=[flow_origin(start)], direction=direction, depth=depth, max_nodes=max_nodes)


def flow_from(graph: GraphStore, resolver: Resolver, node_id: str, direction: Direction, depth: int,
              max_nodes: int) -> tuple[Node, Subgraph]:
    """The node ``node_id`` names and :func:`flow_view` of it. A dataset or job named by its stored id is
    walked straight away and found in its own view (one graph round trip); any other id (an alias, a name
    needing the naming rules, a field) is resolved first. NotFound for an unknown node."""
    if node_id.partition(":")[0] in (NodeKind.DATASET.value, NodeKind.JOB.value):
        view = graph.traverse(start=[node_id], direction=direction, depth=depth, max_nodes=max_nodes)
        start = view.nodes.get(node_id)
        if start is not None and start.kind in (NodeKind.DATASET, NodeKind.JOB):
            return start, view
    start = resolver.resolve(node_id)
    return start, flow_view(graph, start, direction, depth, max_nodes)


def column_view(graph: GraphStore, start: Node, depth: int, with_downstream: bool,
                max_nodes: int) -> tuple[Subgraph, list[str]]:
    """Fields connected to ``start`` (a field, or every field of a dataset) by DERIVES edges, and the
    field ids the walk started from."""
    if start.kind is NodeKind.DATASET:
        seeds = [f.id for f in graph.fields_of(dataset_ids=[start.id])[start.id]]
    elif start.kind is NodeKind.FIELD:
        seeds = [start.id]
    else:
        raise BadRequest("column lineage starts from a dataset or a dataset field",
                         [{"path": "nodeId", "message": f"{start.kind.value} given"}])
    direction = Direction.BOTH if with_downstream else Direction.UPSTREAM
    return graph.traverse(start=seeds, direction=direction, depth=depth, max_nodes=max_nodes,
                          rels=(Rel.DERIVES,)), seeds


def edges_by_node(edges: Sequence[Edge]) -> tuple[dict[str, list[Edge]], dict[str, list[Edge]]]:
    incoming: dict[str, list[Edge]] = {}
    outgoing: dict[str, list[Edge]] = {}
    for edge in edges:
        incoming.setdefault(edge.dst, []).append(edge)
        outgoing.setdefault(edge.src, []).append(edge)
    return incoming, outgoing


def marquez_edge(edge: Edge) -> dict[str, Any]:
    body: dict[str, Any] = {"origin": edge.src, "destination": edge.dst}
    if edge.rel is Rel.FLOWS_TO:
        body["manual"] = True
    return body


def path_hops(path: Path) -> list[tuple[str, str | None, str]]:
    """``(from, via job, to)`` for each dataset-to-dataset hop of a path (via is None for a manual edge
    straight between two datasets)."""
    hops: list[tuple[str, str | None, str]] = []
    nodes = path.nodes
    i = 0
    while i < len(nodes) - 1:
        nxt = nodes[i + 1]
        if nxt.startswith("job:") and i + 2 < len(nodes):
            hops.append((nodes[i], nxt, nodes[i + 2]))
            i += 2
        else:
            hops.append((nodes[i], None, nxt))
            i += 1
    return hops
