"""The SQL graph store: nodes and edges in two tables of the state database (SQLite or PostgreSQL).

Traversals are recursive CTEs over ``graph_edges``; shortest paths are a breadth-first search, one query per
level. Writes are upserts whose conflict clauses implement the merge rules of :class:`GraphBatch`.
"""

from __future__ import annotations

import functools
import logging
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from lineagelens.receiver.graph.base import GraphStore, GraphUnavailable
from lineagelens.receiver.graph.model import (
    FLOW_RELS,
    Direction,
    Edge,
    EdgeRow,
    GraphBatch,
    Node,
    NodeKind,
    NodeRow,
    Path,
    Rel,
    RunNodeRow,
    Subgraph,
)
from lineagelens.receiver.state.db import WriteStep, chunks, insert, transaction, write_in_steps
from lineagelens.receiver.state.key_sets import KeySet
from lineagelens.receiver.state.prepared_writes import PreparedWrite, ReadyRows
from lineagelens.receiver.state.tables import graph_edges as E
from lineagelens.receiver.state.tables import graph_nodes as N

log = logging.getLogger(__name__)

# statements run per request or batch, built once (see _reached_statement)



def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None



def _props(stored: dict[str, Any] | None) -> dict[str, Any]:
    """Stored props without nulls (Neo4j cannot hold a null property; both stores answer alike)."""
    return {k: v for k, v in (stored or {}).items() if v is not None}


def _node(row: Any) -> Node:
    props = _props(row.props)
    props.update(firstSeen=_iso(row.first_seen), lastSeen=_iso(row.last_seen))
    return Node(id=row.id, kind=NodeKind(row.kind), namespace=row.namespace, name=row.name, props=props)


def _edge(row: Any) -> Edge:
    props = _props(row.props)
    props.update(firstSeen=_iso(row.first_seen), lastSeen=_iso(row.last_seen))
    if row.last_run_id is not None:
        props["lastRunId"] = row.last_run_id
    return Edge(src=row.src, dst=row.dst, rel=Rel(row.rel), props=props)


def _newer(excluded: Any, table: sa.Table) -> sa.ColumnElement[bool]:
    return excluded.last_seen > table.c.last_seen


def _not_older(excluded: Any, table: sa.Table) -> sa.ColumnElement[bool]:
    """Props come from the row seen last; on a tie the incoming row wins."""
    return excluded.last_seen >= table.c.last_seen


class SqlGraphStore(GraphStore):
    name = "sql"

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._ids = KeySet(engine, (N.c.id,), name="ids")  # node look-ups by id (every batch's run nodes too)
        self._nodes_by_id = sa.select(N).where(self._ids.clause)
        self._node_ids = sa.select(N.c.id).where(self._ids.clause)

    def _nodes(self, conn: sa.Connection, ids: Sequence[str]) -> Iterator[Any]:
        """The stored rows of the nodes among ``ids``."""
        for chunk in chunks(ids):
            yield from conn.execute(self._nodes_by_id, self._ids.params_of(chunk))

    def setup(self) -> None:
        """The tables come with the state schema (Alembic); nothing else to create."""

    def ping(self) -> None:
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.select(1))
        except OperationalError as exc:
            raise GraphUnavailable(str(exc)) from exc

    # -- writes ------------------------------------------------------------------------------------
    def apply(self, *, batch: GraphBatch) -> None:
        # SQLite has one writer, which ingest commits wait for: the batch's rows are made ready for the driver
        # before writing, so the lock is held only while SQLite writes (~5x shorter), and in short transactions
        # (write_in_steps); the stored run nodes its runs merge with are read before too (only projection
        # writes the graph, one drainer at a time, and the previous batch has committed)
        nodes = self._node_write.ready(_node_values(r) for r in batch.nodes.values())
        edges = self._edge_write.ready(_edge_values(e) for e in batch.edges.values())
        try:
            with self.engine.connect() as conn:
                run_nodes, run_edges = self._run_rows(conn, list(batch.runs.values()))
                # an alias has something to fold once it is a node (most are never stored under their name)
                stored = {n.id for n in self._nodes(conn, list(batch.merges))} if batch.merges else set()
            folds: list[WriteStep] = [functools.partial(self._fold, alias=alias, canonical=canonical)
                                      for alias, canonical in sorted(batch.merges.items())
                                      if alias in stored or alias in batch.nodes]
            # a projection batch, redone from the event log after a crash: every step merges idempotently
            write_in_steps(self.engine, [*nodes.steps(), *folds, *run_nodes.steps(), *run_edges.steps(),
                                         *edges.steps()])
        except OperationalError as exc:
            raise GraphUnavailable(str(exc)) from exc

    # The upserts are built once per store: building one (its ``excluded`` columns, CASE expressions and cache
    # key) cost SQLAlchemy more than a small projection batch takes to write, inside the writer's transaction.
    @functools.cached_property
    def _node_write(self) -> PreparedWrite:
        stmt = insert(self.engine, N)
        ex = stmt.excluded
        return PreparedWrite(self.engine, N, stmt.on_conflict_do_update(index_elements=["id"], set_={
            "first_seen": sa.case((ex.first_seen < N.c.first_seen, ex.first_seen), else_=N.c.first_seen),
            "last_seen": sa.case((_newer(ex, N), ex.last_seen), else_=N.c.last_seen),
            "props": sa.case((_not_older(ex, N), ex.props), else_=N.c.props),
        }), _NODE_COLUMNS)

    @functools.cached_property
    def _edge_write(self) -> PreparedWrite:
        stmt = insert(self.engine, E)
        ex = stmt.excluded
        # lastRunId: the strictly later row's (even null); on a tie the stored one unless it is null.
        tie_fills = sa.and_(ex.last_seen == E.c.last_seen, E.c.last_run_id.is_(None))
        upsert = stmt.on_conflict_do_update(index_elements=["src", "dst", "rel"], set_={
            "first_seen": sa.case((ex.first_seen < E.c.first_seen, ex.first_seen), else_=E.c.first_seen),
            "last_seen": sa.case((_newer(ex, E), ex.last_seen), else_=E.c.last_seen),
            "last_run_id": sa.case((_newer(ex, E), ex.last_run_id), (tie_fills, ex.last_run_id),
                                   else_=E.c.last_run_id),
            "props": sa.case((_not_older(ex, E), ex.props), else_=E.c.props),
        })
        return PreparedWrite(self.engine, E, upsert, _EDGE_COLUMNS)

    @functools.cached_property
    def _run_write(self) -> PreparedWrite:
        """Run nodes: their rows are merged in Python first (``_merge_run_props``), then replace the stored."""
        stmt = insert(self.engine, N)
        return PreparedWrite(self.engine, N, stmt.on_conflict_do_update(index_elements=["id"], set_={
            c: stmt.excluded[c] for c in ("first_seen", "last_seen", "props")}), _NODE_COLUMNS)

    def _upsert_nodes(self, conn: sa.Connection, rows: Sequence[NodeRow]) -> None:
        self._node_write.ready(_node_values(r) for r in rows).execute(conn)

    def _upsert_edges(self, conn: sa.Connection, rows: Sequence[dict[str, Any]]) -> None:
        self._edge_write.ready(rows).execute(conn)

    def _run_rows(self, conn: sa.Connection, rows: Sequence[RunNodeRow]) -> tuple[ReadyRows, ReadyRows]:
        """The run nodes of ``rows`` merged with the stored ones, and their edges to their jobs."""
        ids = [f"run:{r.run_id}" for r in rows]
        stored = {r.id: r for r in self._nodes(conn, ids)}
        nodes, edges = [], []
        for row, node_id in zip(rows, ids, strict=True):
            props = _run_props(row)
            first, last = row.first_seen, row.last_seen
            if node_id in stored:
                old = stored[node_id]
                props = _merge_run_props(old.props, props)
                first, last = min(first, old.first_seen), max(last, old.last_seen)
            nodes.append({"id": node_id, "kind": NodeKind.RUN.value, "namespace": "", "name": row.run_id,
                          "first_seen": first, "last_seen": last, "props": props})
            edges.append({"src": node_id, "dst": row.job, "rel": Rel.OF.value, "first_seen": first,
                          "last_seen": last, "last_run_id": None, "props": {}})
        return self._run_write.ready(nodes), self._edge_write.ready(edges)

    def _fold(self, conn: sa.Connection, alias: str, canonical: str) -> None:
        """Move the alias dataset's edges and fields onto the canonical node, then drop the alias."""
        old = conn.execute(sa.select(N).where(N.c.id == alias)).first()
        if old is None:
            return
        target = conn.execute(sa.select(N).where(N.c.id == canonical)).first()
        if target is not None:  # the canonical node spans the alias's first and last sighting too
            self._upsert_nodes(conn, [NodeRow(canonical, NodeKind(target.kind), target.namespace, target.name,
                                              old.first_seen, old.last_seen, target.props)])
        rest = canonical.removeprefix(f"{NodeKind.DATASET.value}:")
        renames = {alias: canonical}
        field_rows = conn.execute(sa.select(N).join(E, E.c.src == N.c.id).where(
            E.c.dst == alias, E.c.rel == Rel.IN.value)).all()
        new_fields = []
        for f in field_rows:
            name = (f.props or {}).get("field", f.name)
            new_id = f"{NodeKind.FIELD.value}:{rest}:{name}"  # = field_id(canonical ns, name, field)
            renames[f.id] = new_id
            namespace = target.namespace if target is not None else f.namespace
            props = {k: (canonical if v == alias else v) for k, v in (f.props or {}).items()}
            new_fields.append(NodeRow(new_id, NodeKind.FIELD, namespace, name, f.first_seen, f.last_seen, props))
        self._upsert_nodes(conn, new_fields)
        old_ids = list(renames)
        touching = sa.or_(E.c.src.in_(old_ids), E.c.dst.in_(old_ids))
        moved = conn.execute(sa.select(E).where(touching)).all()
        conn.execute(E.delete().where(touching))
        self._upsert_edges(conn, [
            {"src": renames.get(e.src, e.src), "dst": renames.get(e.dst, e.dst), "rel": e.rel,
             "first_seen": e.first_seen, "last_seen": e.last_seen, "last_run_id": e.last_run_id,
             "props": e.props} for e in moved])
        conn.execute(N.delete().where(N.c.id.in_(old_ids)))

    def delete_edges(self, *, keys: Sequence[tuple[str, str, Rel]]) -> None:
        if not keys:
            return
        with transaction(self.engine) as conn:
            for chunk in chunks(list(keys)):
                conn.execute(E.delete().where(sa.tuple_(E.c.src, E.c.dst, E.c.rel).in_(
                    [(src, dst, rel.value) for src, dst, rel in chunk])))

    def delete_nodes(self, *, ids: Sequence[str]) -> None:
        if not ids:
            return
        with transaction(self.engine) as conn:
            for chunk in chunks(list(ids)):
                conn.execute(E.delete().where(sa.or_(E.c.src.in_(chunk), E.c.dst.in_(chunk))))
                conn.execute(N.delete().where(N.c.id.in_(chunk)))

    def list_edges(self, *, rel: Rel) -> list[Edge]:
        with self.engine.connect() as conn:
            return [_edge(r) for r in conn.execute(sa.select(E).where(E.c.rel == rel.value)
                                                    .order_by(E.c.src, E.c.dst))]

    # -- reads -------------------------------------------------------------------------------------
    def get_nodes(self, *, ids: Sequence[str]) -> dict[str, Node]:
        found: dict[str, Node] = {}
        with self.engine.connect() as conn:
            for row in self._nodes(conn, list(dict.fromkeys(ids))):
                found[row.id] = _node(row)
        return found

    def _walk(self, conn: sa.Connection, start: Sequence[str], upstream: bool, depth: int,
              rels: Sequence[Rel], limit: int) -> dict[str, int]:
        """Node id -> smallest depth, for nodes within ``depth`` edges (at most ``limit`` + 1 rows)."""
        stmt = _reached_statement(upstream, tuple(rels))
        return {row.id: row.d for row in conn.execute(stmt, _walk_params(start, depth, limit))}

    def _traverse_joined(self, conn: sa.Connection, start: Sequence[str], upstream: bool, depth: int,
                         max_nodes: int, rels: Sequence[Rel]) -> Subgraph | None:
        """One direction in two statements: the walk joined to the nodes it reaches, then (unless the answer is
        truncated) the walk joined to the edges on both ends. No id lists travel back to the database (an
        ``IN`` list of every kept id made SQLite probe its edge key for every pair). None when truncated:
        the caller fetches the edges among the kept nodes."""
        nodes_stmt, edges_stmt = _joined_statements(upstream, tuple(rels))
        params = _walk_params(start, depth, max_nodes)
        rows = list(conn.execute(nodes_stmt, params))
        if len(rows) > max_nodes:
            return None
        edges = sorted((_edge(e) for e in conn.execute(edges_stmt, params)), key=lambda e: (e.src, e.dst, e.rel))
        return Subgraph(nodes={r.id: _node(r) for r in rows}, edges=edges, truncated=False)

    def traverse(self, *, start: Sequence[str], direction: Direction, depth: int, max_nodes: int,
                 rels: Sequence[Rel] = FLOW_RELS) -> Subgraph:
        if not start:
            return Subgraph()
        with self.engine.connect() as conn:
            existing = {r.id for r in conn.execute(self._node_ids, self._ids.params_of(start))}
            if not existing:
                return Subgraph()
            ways = _directions(direction)
            if len(ways) == 1:
                joined = self._traverse_joined(conn, sorted(existing), ways[0], depth, max_nodes, rels)
                if joined is not None:
                    return joined
            reached: dict[str, int] = {}
            for upstream in _directions(direction):
                for node_id, d in self._walk(conn, sorted(existing), upstream, depth, rels, max_nodes).items():
                    reached[node_id] = min(d, reached.get(node_id, d))
            ordered = sorted(reached, key=lambda n: (reached[n], n))
            truncated = len(ordered) > max_nodes
            keep = ordered[:max_nodes]
            rows = list(self._nodes(conn, keep))
            keep_set = set(keep)
            edges: list[Edge] = []
            for chunk in chunks(keep):
                # by the (src, dst, rel) key's prefix; filtering dst in SQL makes SQLite probe every pair
                stmt = sa.select(E).where(E.c.src.in_(chunk), E.c.rel.in_([r.value for r in rels]))
                edges.extend(_edge(e) for e in conn.execute(stmt) if e.dst in keep_set)
        edges.sort(key=lambda e: (e.src, e.dst, e.rel))
        return Subgraph(nodes={r.id: _node(r) for r in rows}, edges=edges, truncated=truncated)

    def fields_of(self, *, dataset_ids: Sequence[str]) -> dict[str, list[Node]]:
        found: dict[str, list[Node]] = {d: [] for d in dataset_ids}
        with self.engine.connect() as conn:
            for chunk in chunks(list(dataset_ids)):
                stmt = (sa.select(N, E.c.dst.label("ds")).join(E, E.c.src == N.c.id)
                        .where(E.c.dst.in_(chunk), E.c.rel == Rel.IN.value).order_by(N.c.name))
                for row in conn.execute(stmt):
                    found[row.ds].append(_node(row))
        return found

    def shortest_paths(self, *, src: str, dst: str, max_depth: int, limit: int,
                       rels: Sequence[Rel] = FLOW_RELS) -> list[Path]:
        preds: dict[str, list[Edge]] = defaultdict(list)
        seen = {src}
        frontier = [src]
        found = False
        with self.engine.connect() as conn:
            if not conn.execute(sa.select(N.c.id).where(N.c.id.in_([src, dst]))).all():
                return []
            for _ in range(max_depth):
                if not frontier or found:
                    break
                level: dict[str, list[Edge]] = defaultdict(list)
                for chunk in chunks(frontier):
                    stmt = sa.select(E).where(E.c.src.in_(chunk), E.c.rel.in_([r.value for r in rels]))
                    for row in conn.execute(stmt):
                        if row.dst not in seen:
                            level[row.dst].append(_edge(row))
                for node_id, via in level.items():
                    preds[node_id].extend(via)
                seen.update(level)
                found = dst in level
                frontier = sorted(level)
        if not found or src == dst:
            return []
        return _enumerate_paths(src, dst, preds, limit)

    def search(self, *, q: str, kinds: Sequence[NodeKind], limit: int) -> list[Node]:
        needle = q.lower()
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        name = sa.func.lower(N.c.name)
        rank = sa.case((name == needle, 0), (name.like(f"{escaped}%", escape="\\"), 1), else_=2)
        stmt = (sa.select(N).where(N.c.kind.in_([k.value for k in kinds]),
                                   sa.or_(name.like(f"%{escaped}%", escape="\\"),
                                          sa.func.lower(N.c.namespace).like(f"%{escaped}%", escape="\\")))
                .order_by(rank, sa.func.length(N.c.name), N.c.id).limit(limit))
        with self.engine.connect() as conn:
            return [_node(r) for r in conn.execute(stmt)]

    def snapshot(self) -> tuple[list[Node], list[Edge]]:
        with self.engine.connect() as conn:
            nodes = [_node(r) for r in conn.execute(sa.select(N).order_by(N.c.id))]
            edges = [_edge(r) for r in conn.execute(sa.select(E).order_by(E.c.src, E.c.dst, E.c.rel))]
        return nodes, edges

    def clear(self) -> None:
        manual = sa.and_(E.c.rel == Rel.FLOWS_TO.value, E.c.props["origin"].as_string() == "manual")
        with transaction(self.engine) as conn:
            conn.execute(E.delete().where(sa.not_(manual)))
            kept = sa.union(sa.select(E.c.src), sa.select(E.c.dst))
            conn.execute(N.delete().where(N.c.id.not_in(kept), N.c.kind != NodeKind.SOURCE.value))

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            found = {k.value: 0 for k in NodeKind}
            for kind, n in conn.execute(sa.select(N.c.kind, sa.func.count()).group_by(N.c.kind)):
                found[kind] = n
            found["edges"] = int(conn.scalar(sa.select(sa.func.count()).select_from(E)) or 0)
        return found


_NODE_COLUMNS = ("id", "kind", "namespace", "name", "first_seen", "last_seen", "props")


def _node_values(row: NodeRow) -> dict[str, Any]:
    """A node's ``graph_nodes`` values, as the node upsert binds them."""
    return {"id": row.id, "kind": row.kind.value, "namespace": row.namespace, "name": row.name,
            "first_seen": row.first_seen, "last_seen": row.last_seen, "props": row.props}


_EDGE_COLUMNS = ("src", "dst", "rel", "first_seen", "last_seen", "last_run_id", "props")


def _edge_values(row: EdgeRow) -> dict[str, Any]:
    """An edge's ``graph_edges`` values, as the edge upsert binds them."""
    return {"src": row.src, "dst": row.dst, "rel": row.rel.value, "first_seen": row.first_seen,
            "last_seen": row.last_seen, "last_run_id": row.last_run_id, "props": row.props}


def _walk_params(start: Sequence[str], depth: int, limit: int) -> dict[str, Any]:
    return {"start": list(start), "depth": depth, "limit": limit + 1}


@functools.cache
def _reached_statement(upstream: bool, rels: tuple[Rel, ...]) -> sa.Select[Any]:
    """(id, d): node id and smallest depth, for nodes within ``:depth`` edges of the ``:start`` ids (at most
    ``:limit`` rows, nearest first). Built once per direction and relation set, with bound parameters: building
    a recursive CTE costs SQLAlchemy about a millisecond, more than SQLite takes to run a small one."""
    seeds = (sa.select(N.c.id.label("id"), sa.literal(0).label("depth"))
             .where(N.c.id.in_(sa.bindparam("start", expanding=True))).cte("walk", recursive=True))
    here, there = (E.c.dst, E.c.src) if upstream else (E.c.src, E.c.dst)
    step = (sa.select(there.label("id"), (seeds.c.depth + 1).label("depth"))
            .join(E, here == seeds.c.id)
            .where(E.c.rel.in_([r.value for r in rels]), seeds.c.depth < sa.bindparam("depth")))
    walk = seeds.union(step)
    best = sa.func.min(walk.c.depth)
    return (sa.select(walk.c.id, best.label("d")).group_by(walk.c.id)
            .order_by(best, walk.c.id).limit(sa.bindparam("limit")))


@functools.cache
def _joined_statements(upstream: bool, rels: tuple[Rel, ...]) -> tuple[sa.Select[Any], sa.Select[Any]]:
    """The nodes a walk reaches (with their depth ``d``), and the edges among them; parameters as
    :func:`_reached_statement`."""
    reached = _reached_statement(upstream, rels).subquery("reached")
    nodes = sa.select(N, reached.c.d).join(reached, N.c.id == reached.c.id)
    a = _reached_statement(upstream, rels).cte("kept_a")
    b = sa.select(a.c.id).cte("kept_b")
    edges = (sa.select(E).join(a, E.c.src == a.c.id).join(b, E.c.dst == b.c.id)
             .where(E.c.rel.in_([r.value for r in rels])))
    return nodes, edges


def _directions(direction: Direction) -> tuple[bool, ...]:
    """The walks a direction needs, as ``upstream`` flags."""
    return {Direction.UPSTREAM: (True,), Direction.DOWNSTREAM: (False,),
            Direction.BOTH: (True, False)}[direction]


def _run_props(row: RunNodeRow) -> dict[str, Any]:
    return {"state": row.state, "rank": row.rank, "stateTime": _iso(row.state_time),
            "startedAt": _iso(row.started_at), "endedAt": _iso(row.ended_at)}


def _merge_run_props(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Run state moves forward only: the higher rank wins, then the later state time."""
    winner = new if (new["rank"], new["stateTime"]) > (old["rank"], old["stateTime"]) else old
    starts = [s for s in (old.get("startedAt"), new.get("startedAt")) if s]
    return {**winner, "startedAt": min(starts) if starts else None}


def _enumerate_paths(src: str, dst: str, preds: dict[str, list[Edge]], limit: int) -> list[Path]:
    """Every shortest path, from the predecessor edges a BFS recorded (deterministic order)."""
    paths: list[Path] = []

    def back(node: str, suffix: tuple[Edge, ...]) -> None:
        if len(paths) >= limit:
            return
        if node == src:
            nodes = (src, *(e.dst for e in suffix))
            paths.append(Path(nodes=nodes, edges=suffix))
            return
        for edge in sorted(preds.get(node, []), key=lambda e: (e.src, e.rel)):
            back(edge.src, (edge, *suffix))

    back(dst, ())
    return sorted(paths, key=lambda p: p.nodes)
