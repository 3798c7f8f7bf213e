"""Impact analysis: every node upstream or downstream of one node, with how far it is (degree: edges from
the start, as ``depth`` counts them — from a dataset, its jobs are at 1 and the datasets they write at 2),
its type, namespace, name, the state of its last run, its owners and its last update.

A dataset or job walks the flow edges (the same traversal as ``/lineage/upstream|downstream``, so the two
agree on which nodes are reached); a column (``datasetField:`` id) walks ``DERIVES`` edges, answering which
columns derive from it (downstream) or which it derives from (upstream), with its dataset's facts.
"""

from __future__ import annotations

import csv
import io
import logging
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from lineagelens.receiver.catalog import Facts, facts_for
from lineagelens.receiver.graph.base import GraphStore
from lineagelens.receiver.graph.model import Direction, Edge, Node, NodeKind, Rel, Subgraph
from lineagelens.receiver.lineage import flow_view
from lineagelens.receiver.marquez import iso
from lineagelens.receiver.state.queries import Queries

log = logging.getLogger(__name__)

_KINDS = {NodeKind.DATASET: "DATASET", NodeKind.JOB: "JOB", NodeKind.FIELD: "DATASET_FIELD",
          NodeKind.SOURCE: "SOURCE"}

CSV_COLUMNS = ("degree", "type", "kind", "namespace", "name", "field", "lastRunState", "lastRunId", "owners",
               "updatedAt", "id")


@dataclass(frozen=True)
class ImpactRow:
    node: Node
    degree: int
    facts: Facts | None
    field: str | None = None
    dataset_name: str | None = None

    def body(self) -> dict[str, Any]:
        f = self.facts
        kind = _KINDS.get(self.node.kind, self.node.kind.value.upper())
        name = self.dataset_name if self.field is not None and self.dataset_name else self.node.name
        return {
            "id": self.node.id, "degree": self.degree, "kind": kind,
            "type": f.type if f else kind, "namespace": self.node.namespace, "name": name,
            "field": self.field, "datasetId": self.node.props.get("dataset") if self.field else None,
            "lastRunState": f.last_run_state if f else None, "lastRunId": f.last_run_id if f else None,
            "owners": list(f.owners) if f else [], "updatedAt": iso(f.updated_at) if f else None,
        }


@dataclass(frozen=True)
class Impact:
    start: Node
    direction: Direction
    depth: int
    rows: list[ImpactRow]
    truncated: bool

    def body(self) -> dict[str, Any]:
        return {"nodeId": self.start.id, "direction": self.direction.value, "depth": self.depth,
                "truncated": self.truncated, "totalCount": len(self.rows), "rows": [r.body() for r in self.rows]}


def degrees(start: str, edges: Sequence[Edge], direction: Direction) -> dict[str, int]:
    """Edges from ``start`` to each node along ``edges`` in ``direction`` (breadth first: the fewest)."""
    nxt: dict[str, list[str]] = {}
    for e in edges:
        a, b = (e.src, e.dst) if direction is Direction.DOWNSTREAM else (e.dst, e.src)
        nxt.setdefault(a, []).append(b)
    seen = {start: 0}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        for there in nxt.get(here, []):
            if there not in seen:
                seen[there] = seen[here] + 1
                queue.append(there)
    seen.pop(start)
    return seen


def impact(graph: GraphStore, queries: Queries, start: Node, direction: Direction, depth: int,
           max_nodes: int, current: Callable[[Subgraph, list[str]], Subgraph] | None = None) -> Impact:
    """The impact rows of ``start`` (a dataset, job or dataset field), nearest first, then by name.
    ``current(view, start ids)`` keeps only the edges current now (lineage through time), as the lineage
    views do."""
    if start.kind is NodeKind.FIELD:
        view = graph.traverse(start=[start.id], direction=direction, depth=depth, max_nodes=max_nodes,
                              rels=(Rel.DERIVES,))
        origin = start.id
    else:
        view = flow_view(graph, start, direction, depth, max_nodes)
        origin = start.id
    if current is not None:
        view = current(view, [origin])
    hops = degrees(origin, view.edges, direction)
    nodes = [view.nodes[i] for i in hops if i in view.nodes]
    if start.kind is NodeKind.FIELD:
        nodes = [n for n in nodes if n.kind is NodeKind.FIELD]
        tables = graph.get_nodes(ids=sorted({str(n.props.get("dataset")) for n in nodes}))
        facts = facts_for(queries, datasets=[(d.namespace, d.name) for d in tables.values()])
        rows = []
        for n in nodes:
            table = tables.get(str(n.props.get("dataset")))
            rows.append(ImpactRow(node=n, degree=hops[n.id], facts=facts.get(str(n.props.get("dataset"))),
                                  field=str(n.props.get("field") or n.name),
                                  dataset_name=table.name if table else None))
    else:
        # Like /lineage/upstream|downstream: datasets and jobs (sources are drawn, not analysed).
        nodes = [n for n in nodes if n.kind in (NodeKind.DATASET, NodeKind.JOB)]
        facts = facts_for(queries, datasets=[(n.namespace, n.name) for n in nodes if n.kind is NodeKind.DATASET],
                          jobs=[(n.namespace, n.name) for n in nodes if n.kind is NodeKind.JOB])
        rows = [ImpactRow(node=n, degree=hops[n.id], facts=facts.get(n.id)) for n in nodes]
    rows.sort(key=lambda r: (r.degree, r.node.namespace, r.node.name, r.field or ""))
    return Impact(start=start, direction=direction, depth=depth, rows=rows, truncated=view.truncated)


def _cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run as a formula (names come from producers)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "@", "\t", "\r") else text


def to_csv(result: Impact) -> str:
    """The rows as CSV (header first; owners joined with ``; ``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in result.rows:
        body = row.body()
        writer.writerow([_cell(v) for v in (
            body["degree"], body["type"], body["kind"], body["namespace"], body["name"], body["field"],
            body["lastRunState"], body["lastRunId"], "; ".join(body["owners"]), body["updatedAt"], body["id"])])
    return out.getvalue()
