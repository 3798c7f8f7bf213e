"""The Neo4j graph store: the :class:`GraphStore` interface answered with Cypher (see :mod:`.cypher`).

Writes: one write transaction per :class:`GraphBatch` with one ``UNWIND $rows ... MERGE`` statement per
node label / relationship type. Traversals: one statement (a breadth-first search on the server, then the
edges among the nodes it reached) unless ``max_nodes`` cuts the answer; see :meth:`Neo4jGraphStore.traverse`.

Datetimes are stored as ISO-8601 strings in UTC (``datetime.isoformat()``), which compare chronologically
as strings and need no temporal hydration in the driver (several times cheaper to read than ``DateTime``).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any, ParamSpec, TypeVar

import neo4j
import neo4j.exceptions
import neo4j.time

from lineagelens.receiver.graph import cypher
from lineagelens.receiver.graph.base import GraphStore, GraphUnavailable
from lineagelens.receiver.graph.model import (
    FLOW_RELS,
    Direction,
    Edge,
    GraphBatch,
    Node,
    NodeKind,
    NodeRow,
    Path,
    Rel,
    Subgraph,
    field_id,
    kind_of,
)

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

# Driver errors meaning "the graph cannot be reached right now" (retrying later may succeed).
_OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    neo4j.exceptions.ServiceUnavailable,  # includes IncompleteCommit: batches are idempotent, so retry
    neo4j.exceptions.SessionExpired,
    neo4j.exceptions.ConnectionPoolError,
    neo4j.exceptions.TransientError,  # still failing after the driver's retries
    neo4j.exceptions.AuthError,
    neo4j.exceptions.Forbidden,
    OSError,
)

# Properties every node carries; the rest of a node's properties are its ``props``.
_IDENTITY = frozenset({"id", "kind", "namespace", "name"})


def _guarded(fn: Callable[P, T]) -> Callable[P, T]:
    """Translate connectivity failures into :class:`GraphUnavailable`."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return fn(*args, **kwargs)
        except _OUTAGE_ERRORS as exc:
            log.warning("neo4j unavailable in %s: %s", fn.__name__, exc)
            raise GraphUnavailable(f"neo4j unavailable: {exc}") from exc

    return wrapper


def _ts(value: datetime) -> str:
    """A datetime as stored: ISO-8601 of the aware UTC value (naive values are taken to be UTC). These
    strings order chronologically: fixed width up to the seconds, then ``+00:00`` sorts before ``.ffffff``."""
    return (value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)).isoformat()


def _ts_or_none(value: datetime | None) -> str | None:
    return None if value is None else _ts(value)


def _param(value: Any) -> Any:
    if isinstance(value, datetime):
        return _ts(value)
    if isinstance(value, list | tuple):
        return [_param(v) for v in value]
    return value


def _clean(props: Mapping[str, Any]) -> dict[str, Any]:
    """Props ready to store: datetimes as ISO strings, ``None`` dropped (Neo4j cannot store null)."""
    return {key: _param(value) for key, value in props.items() if value is not None}


def _node_props(row: NodeRow, ts: Callable[[datetime], str] = _ts) -> dict[str, Any]:
    """Every property a node row stores."""
    return _clean(row.props) | {
        "id": row.id, "kind": row.kind.value, "namespace": row.namespace, "name": row.name,
        "firstSeen": ts(row.first_seen), "lastSeen": ts(row.last_seen),
    }


def batch_statements(batch: GraphBatch) -> list[tuple[str, list[dict[str, Any]]]]:
    """The ``UNWIND`` statements that write ``batch`` (its alias merges aside), with their rows: nodes per label,
    then runs, then edges per (type, endpoint labels), whose endpoints are found by one index seek each."""
    stamps: dict[datetime, str] = {}  # a batch's rows share few distinct times: each is formatted once

    def ts(value: datetime) -> str:
        found = stamps.get(value)
        if found is None:
            found = stamps[value] = _ts(value)
        return found

    statements: list[tuple[str, list[dict[str, Any]]]] = []
    by_kind: dict[NodeKind, list[dict[str, Any]]] = {}
    for row in batch.nodes.values():
        by_kind.setdefault(row.kind, []).append({"id": row.id, "inc": _node_props(row, ts)})
    statements += [(cypher.MERGE_NODES[kind], rows) for kind, rows in by_kind.items()]
    if batch.runs:
        statements.append((cypher.MERGE_RUNS, [
            {"id": f"run:{run.run_id}", "runId": run.run_id, "job": run.job, "state": run.state, "rank": run.rank,
             "stateTime": ts(run.state_time), "startedAt": _ts_or_none(run.started_at),
             "endedAt": _ts_or_none(run.ended_at), "firstSeen": ts(run.first_seen), "lastSeen": ts(run.last_seen)}
            for run in batch.runs.values()]))
    kinds: dict[str, NodeKind | None] = {}  # an endpoint is in many edges: its id's prefix is read once

    def kind(node_id: str) -> NodeKind | None:
        if node_id not in kinds:
            kinds[node_id] = kind_of(node_id)
        return kinds[node_id]

    by_rel: dict[str, list[dict[str, Any]]] = {}
    for edge in batch.edges.values():
        inc = _clean(edge.props) if edge.props else {}
        inc |= {"firstSeen": ts(edge.first_seen), "lastSeen": ts(edge.last_seen), "lastRunId": edge.last_run_id}
        src, dst = kind(edge.src), kind(edge.dst)
        statement = (cypher.MERGE_EDGES_BETWEEN[(edge.rel, src, dst)] if src and dst
                     else cypher.MERGE_EDGES[edge.rel])
        by_rel.setdefault(statement, []).append({"src": edge.src, "dst": edge.dst, "inc": inc})
    statements += list(by_rel.items())
    return statements


def _plain(value: Any) -> Any:
    """A stored value as the interface returns it (a Neo4j temporal value, should one have been written by
    other means, as an ISO-8601 string in UTC)."""
    if isinstance(value, neo4j.time.DateTime):
        return _ts(value.to_native())
    return value


def _node(props: Mapping[str, Any]) -> Node:
    return Node(
        id=props["id"],
        kind=NodeKind(props["kind"]),
        namespace=props.get("namespace", ""),
        name=props.get("name", ""),
        props={key: _plain(value) for key, value in props.items() if key not in _IDENTITY},
    )


def _edge(src: str, dst: str, rel: str, props: Mapping[str, Any]) -> Edge:
    return Edge(src=src, dst=dst, rel=Rel(rel), props={key: _plain(value) for key, value in props.items()})


_KINDS = {kind.value: kind for kind in NodeKind}
_RELS = {rel.value: rel for rel in Rel}


def _plain_props(props: dict[str, Any]) -> dict[str, Any]:
    """``props`` as the interface returns them: the same dict unless it holds a temporal value."""
    for value in props.values():
        if isinstance(value, neo4j.time.DateTime):
            return {key: _plain(value) for key, value in props.items()}
    return props


def _node_of(props: dict[str, Any]) -> Node:
    """A node from a ``properties(n)`` map the driver just decoded (consumed: the identity keys are popped)."""
    node_id, kind = props.pop("id"), props.pop("kind")
    namespace, name = props.pop("namespace", ""), props.pop("name", "")
    return Node(id=node_id, kind=_KINDS[kind], namespace=namespace, name=name, props=_plain_props(props))


def _edge_key(edge: Edge) -> tuple[str, str, str]:
    return (edge.src, edge.dst, edge.rel.value)


def _canonical(merges: Mapping[str, str], alias: str) -> str:
    """Follow alias chains (a -> b -> c) to the final canonical id."""
    seen = {alias}
    target = merges[alias]
    while target in merges and target not in seen:
        seen.add(target)
        target = merges[target]
    return target


class Neo4jGraphStore(GraphStore):
    name = "neo4j"

    def __init__(self, *, url: str, user: str = "neo4j", password: str = "", database: str = "") -> None:
        auth = (user, password) if password else None
        self._driver = neo4j.GraphDatabase.driver(
            url,
            auth=auth,
            connection_timeout=5.0,
            connection_acquisition_timeout=5.0,
            max_transaction_retry_time=5.0,
            # The server would warn about relationship types no edge uses yet (a fresh database).
            notifications_min_severity=neo4j.NotificationMinimumSeverity.OFF,
        )
        self._database = database or None

    def _session(self) -> neo4j.Session:
        return self._driver.session(database=self._database)

    # -- lifecycle --------------------------------------------------------------------------------

    @_guarded
    def setup(self) -> None:
        with self._session() as session:
            for statement in cypher.SETUP:
                session.run(statement).consume()

    @_guarded
    def ping(self) -> None:
        with self._session() as session:
            session.run(cypher.PING).consume()

    def close(self) -> None:
        self._driver.close()

    # -- writes -----------------------------------------------------------------------------------

    @_guarded
    def apply(self, *, batch: GraphBatch) -> None:
        if not batch:
            return
        with self._session() as session:
            session.execute_write(self._apply_tx, batch)

    def _apply_tx(self, tx: neo4j.ManagedTransaction, batch: GraphBatch) -> None:
        if batch.merges:
            self._merge_aliases(tx, batch)
        for statement, rows in batch_statements(batch):
            tx.run(statement, rows=rows).consume()

    @_guarded
    def delete_edges(self, *, keys: Sequence[tuple[str, str, Rel]]) -> None:
        by_rel: dict[Rel, list[dict[str, str]]] = {}
        for src, dst, rel in keys:
            by_rel.setdefault(rel, []).append({"src": src, "dst": dst})

        def work(tx: neo4j.ManagedTransaction) -> None:
            for rel, rows in by_rel.items():
                tx.run(cypher.DELETE_EDGES[rel], rows=rows).consume()

        if by_rel:
            with self._session() as session:
                session.execute_write(work)

    @_guarded
    def delete_nodes(self, *, ids: Sequence[str]) -> None:
        if ids:
            with self._session() as session:
                session.execute_write(lambda tx: tx.run(cypher.DELETE_NODES_BY_ID, ids=list(ids)).consume())

    @_guarded
    def list_edges(self, *, rel: Rel) -> list[Edge]:
        def work(tx: neo4j.ManagedTransaction) -> list[Edge]:
            return [_edge(r["src"], r["dst"], rel.value, r["props"]) for r in tx.run(cypher.LIST_EDGES[rel])]

        with self._session() as session:
            return session.execute_read(work)

    def _merge_aliases(self, tx: neo4j.ManagedTransaction, batch: GraphBatch) -> None:
        """Fold each existing alias dataset into its canonical dataset: node, edges and fields."""
        merges = {alias: _canonical(batch.merges, alias) for alias in batch.merges}
        merges = {alias: target for alias, target in merges.items() if alias != target}
        aliases = {
            props["id"]: (eid, props)
            for eid, props in _eid_props(tx.run(cypher.NODES_BY_ID, ids=list(merges)))
            if props.get("kind") == NodeKind.DATASET.value
        }
        if not aliases:
            return
        homes: dict[str, tuple[str, str, str]] = {}  # alias id -> (canonical id, namespace, name)
        stored = {props["id"]: props for _, props in _eid_props(
            tx.run(cypher.NODES_BY_ID, ids=sorted({merges[a] for a in aliases})))}
        # The canonical node keeps its own properties and spans the alias's first and last sighting.
        dataset_rows: list[dict[str, Any]] = []
        for alias, (_, alias_props) in aliases.items():
            target = merges[alias]
            if target in stored:
                base = stored[target]
            elif target in batch.nodes:
                base = _node_props(batch.nodes[target])
            else:
                log.warning("cannot merge %s into unknown dataset %s", alias, target)
                continue
            inc = base | {"firstSeen": alias_props["firstSeen"], "lastSeen": alias_props["lastSeen"]}
            dataset_rows.append({"id": target, "inc": inc})
            homes[alias] = (target, base["namespace"], base["name"])
        if not homes:
            return
        tx.run(cypher.MERGE_NODES[NodeKind.DATASET], rows=dataset_rows).consume()

        # Fields move to the same-named field of the canonical dataset.
        alias_by_eid = {aliases[alias][0]: alias for alias in homes}
        field_rows: list[dict[str, Any]] = []
        field_moves: list[tuple[str, str]] = []  # (old field eid, new field id)
        for rec in tx.run(cypher.FIELDS_OF_ELEMENTS, eids=list(alias_by_eid)):
            alias = alias_by_eid[rec["dataset"]]
            alias_props = aliases[alias][1]
            target, namespace, name = homes[alias]
            field: dict[str, Any] = dict(rec["props"])
            prefix = field_id(alias_props["namespace"], alias_props["name"], "")
            column = field["id"][len(prefix):] if field["id"].startswith(prefix) else field["name"]
            new_id = field_id(namespace, name, column)
            # The field keeps its properties; any that named the alias dataset now name the canonical one.
            inc = {key: target if value == alias else value for key, value in field.items()}
            inc |= {"id": new_id, "namespace": namespace}
            field_rows.append({"id": new_id, "inc": inc})
            field_moves.append((rec["eid"], new_id))
        if field_rows:
            tx.run(cypher.MERGE_NODES[NodeKind.FIELD], rows=field_rows).consume()

        targets = self._element_ids(tx, [t for t, _, _ in homes.values()] + [f for _, f in field_moves])
        self._move_edges(tx, [{"old": aliases[a][0], "new": targets[t]} for a, (t, _, _) in homes.items()])
        self._move_edges(tx, [{"old": old, "new": targets[new]} for old, new in field_moves])
        old = [old for old, _ in field_moves] + [aliases[alias][0] for alias in homes]
        tx.run(cypher.DELETE_NODES, eids=old).consume()

    @staticmethod
    def _element_ids(tx: neo4j.ManagedTransaction, ids: Iterable[str]) -> dict[str, str]:
        return {props["id"]: eid for eid, props in _eid_props(tx.run(cypher.NODES_BY_ID, ids=list(set(ids))))}

    @staticmethod
    def _move_edges(tx: neo4j.ManagedTransaction, pairs: list[dict[str, str]]) -> None:
        if not pairs:
            return
        for rel in Rel:
            tx.run(cypher.MOVE_EDGES_OUT[rel], pairs=pairs).consume()
            tx.run(cypher.MOVE_EDGES_IN[rel], pairs=pairs).consume()

    @_guarded
    def clear(self) -> None:
        with self._session() as session:
            session.run(cypher.CLEAR_EDGES).consume()
            session.run(cypher.CLEAR_NODES).consume()

    # -- reads ------------------------------------------------------------------------------------

    def _read(self, fn: Callable[..., T], *args: Any) -> T:
        with self._session() as session:
            return session.execute_read(fn, *args)

    @_guarded
    def get_nodes(self, *, ids: Sequence[str]) -> dict[str, Node]:
        def work(tx: neo4j.ManagedTransaction) -> dict[str, Node]:
            records = tx.run(cypher.NODES_BY_ID, ids=list(dict.fromkeys(ids)))
            return {props["id"]: _node(props) for _, props in _eid_props(records)}

        return self._read(work) if ids else {}

    @_guarded
    def fields_of(self, *, dataset_ids: Sequence[str]) -> dict[str, list[Node]]:
        def work(tx: neo4j.ManagedTransaction) -> dict[str, list[Node]]:
            out: dict[str, list[Node]] = {dataset: [] for dataset in dataset_ids}
            for rec in tx.run(cypher.FIELDS_OF, ids=list(dict.fromkeys(dataset_ids))):
                if "id" in rec["props"]:
                    out[rec["dataset"]].append(_node(rec["props"]))
            for fields in out.values():
                fields.sort(key=lambda node: (node.name, node.id))
            return out

        return self._read(work)

    @_guarded
    def traverse(self, *, start: Sequence[str], direction: Direction, depth: int, max_nodes: int,
                 rels: Sequence[Rel] = FLOW_RELS) -> Subgraph:
        ids = list(dict.fromkeys(start))
        types = frozenset(Rel(rel) for rel in rels)
        if not types:  # nothing to walk: the start nodes, nearest (by id) first
            found = self.get_nodes(ids=ids)
            return Subgraph(nodes={node_id: found[node_id] for node_id in sorted(found)[:max(max_nodes, 0)]},
                            truncated=len(found) > max_nodes)
        if depth > cypher.MAX_TRAVERSE_DEPTH:
            log.info("traversal depth %d capped at %d", depth, cypher.MAX_TRAVERSE_DEPTH)
        depth = min(max(depth, 0), cypher.MAX_TRAVERSE_DEPTH)
        return self._read(self._traverse_tx, ids, Direction(direction), depth, max(max_nodes, 0), types)

    @staticmethod
    def _traverse_tx(tx: neo4j.ManagedTransaction, ids: list[str], direction: Direction, depth: int, keep: int,
                     rels: frozenset[Rel]) -> Subgraph:
        """One statement when at most ``keep`` nodes are within ``depth`` (the common case). Otherwise the
        ``keep`` nearest (by depth, then id) are every node within the largest depth ``fits`` that holds at most
        ``keep`` nodes (-1: none), found by bisection on node counts, then those first reached at ``fits + 1``,
        by id. (The server's breadth-first search does not give depths; a search that does, ``ANY SHORTEST``,
        is ~10x slower and took 10 s for the 17,000 nodes within depth 20 of a benchmark dataset.)"""
        record = tx.run(cypher.traverse_reach(direction, depth, rels), ids=ids, keep=keep).single(strict=True)
        if record["truncated"]:
            fits, low, high = -1, 0, depth - 1  # more than keep nodes are within depth
            while low <= high:
                mid = (low + high) // 2
                count = tx.run(cypher.traverse_count(direction, mid, rels), ids=ids, keep=keep).single(strict=True)
                if count["reached"] <= keep:
                    fits, low = mid, mid + 1
                else:
                    high = mid - 1
            record = tx.run(cypher.traverse_nearest(direction, fits + 1, rels), ids=ids, keep=keep).single(
                strict=True)
        nodes = sorted((props for props in record["nodes"] if props.get("id") is not None), key=itemgetter("id"))
        edges = sorted((row for row in record["edges"] if row[0] is not None and row[1] is not None),
                       key=itemgetter(0, 1, 2))
        return Subgraph(nodes={props["id"]: _node_of(props) for props in nodes},
                        edges=[Edge(src=src, dst=dst, rel=_RELS[rel], props=_plain_props(props))
                               for src, dst, rel, props in edges],
                        truncated=record["truncated"])

    @_guarded
    def shortest_paths(self, *, src: str, dst: str, max_depth: int, limit: int,
                       rels: Sequence[Rel] = FLOW_RELS) -> list[Path]:
        if limit <= 0 or max_depth < 0:
            return []
        if src == dst:
            return []  # a path has at least one edge
        if max_depth > cypher.SHORTEST_PATH_CAP:
            log.info("shortest path depth %d capped at %d", max_depth, cypher.SHORTEST_PATH_CAP)

        def work(tx: neo4j.ManagedTransaction) -> list[Path]:
            records = tx.run(cypher.SHORTEST_PATHS, src=src, dst=dst, rels=[Rel(r).value for r in rels],
                             maxDepth=max_depth, limit=limit)
            return [
                Path(nodes=tuple(rec["ids"]),
                     edges=tuple(_edge(e["src"], e["dst"], e["rel"], e["props"]) for e in rec["edges"]))
                for rec in records
            ]

        return sorted(self._read(work), key=lambda path: path.nodes)

    @_guarded
    def search(self, *, q: str, kinds: Sequence[NodeKind], limit: int) -> list[Node]:
        if not kinds or limit <= 0:
            return []

        def work(tx: neo4j.ManagedTransaction) -> list[Node]:
            records = tx.run(cypher.SEARCH, q=q.lower(), kinds=[NodeKind(k).value for k in kinds],
                             limit=limit)
            return [_node(rec["props"]) for rec in records if "id" in rec["props"]]

        return self._read(work)

    @_guarded
    def snapshot(self) -> tuple[list[Node], list[Edge]]:
        def work(tx: neo4j.ManagedTransaction) -> tuple[list[Node], list[Edge]]:
            nodes = [_node(rec["props"]) for rec in tx.run(cypher.ALL_NODES) if "id" in rec["props"]]
            edges = [_edge(rec["src"], rec["dst"], rec["rel"], rec["props"])
                     for rec in tx.run(cypher.ALL_EDGES)]
            return sorted(nodes, key=lambda node: node.id), sorted(edges, key=_edge_key)

        return self._read(work)

    @_guarded
    def counts(self) -> dict[str, int]:
        def work(tx: neo4j.ManagedTransaction) -> dict[str, int]:
            record = tx.run(cypher.COUNTS).single(strict=True)
            return {key: int(record[key]) for key in ("dataset", "job", "datasetField", "run", "source", "edges")}

        return self._read(work)


def _eid_props(records: Iterable[neo4j.Record]) -> list[tuple[str, dict[str, Any]]]:
    # A node deleted by a concurrent transaction can surface with no properties: skip it.
    return [(rec["eid"], dict(rec["props"])) for rec in records if "id" in rec["props"]]
