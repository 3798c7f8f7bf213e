"""Lineage through time: which graph edges are *current* at an instant, views restricted to them, and the
diff of a node's cone between two instants.

An edge is current at ``t`` when:

- ``INPUT_TO``/``OUTPUTS`` of a job that has a COMPLETE run ended at or before ``t``: the dataset is among
  the inputs/outputs (``run_datasets``) of the latest such run. An edge a later completed run no longer has
  stops being current. Edges last seen in a job event (no ``lastRunId``: static lineage) are current
  from their ``firstSeen``.
- the job has no COMPLETE run at or before ``t`` (a first run still going, or only failed runs): every
  edge of the job first seen at or before ``t``.
- ``FLOWS_TO`` (manual lineage): from its ``firstSeen`` (taking an edge back deletes it).
- ``DERIVES`` (column lineage): from its ``firstSeen``, while some writer of the derived field's dataset
  has, at ``t``, the source field's dataset among its current inputs and the derived one among its current
  outputs (or no writer has completed a run yet at ``t``).

The graph stores are not asked to know this: a view walks every edge as before, then the walk is
repeated in memory over the current edges only (a subset, so nothing within ``depth`` is missed). The
state store answers two indexed queries per view, for the jobs the walk met.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa

from lineagelens.receiver.errors import ApiError, NotFound
from lineagelens.receiver.graph.base import GraphStore
from lineagelens.receiver.graph.model import Direction, Edge, Node, NodeKind, Path, Rel, Subgraph, dataset_id
from lineagelens.receiver.state.db import chunks
from lineagelens.receiver.state.key_sets import shared_key_set
from lineagelens.receiver.state.queries import Queries
from lineagelens.receiver.state.record_store import RecordStore
from lineagelens.receiver.state.records import Key, RunRecord
from lineagelens.receiver.state.tables import dataset_versions, run_datasets, runs

log = logging.getLogger(__name__)

EdgeKey = tuple[str, str, Rel]


def _key(edge: Edge) -> EdgeKey:
    return (edge.src, edge.dst, edge.rel)


def _seen_by(edge_or_node_props: dict[str, object], at: datetime) -> bool:
    first = edge_or_node_props.get("firstSeen")
    if first is None:
        return True
    moment = datetime.fromisoformat(str(first))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)) <= at


@dataclass
class JobSnapshot:
    """A job's lineage at an instant: the dataset ids its latest completed run read and wrote."""

    inputs: set[str] = field(default_factory=set)
    outputs: set[str] = field(default_factory=set)


@dataclass
class Clock:
    """Answers "is this edge current at ``at``?" from the state store."""

    engine: sa.Engine
    records: RecordStore
    at: datetime
    conn: sa.Connection | None = None  # an open connection to read on (the request's), else one per call

    def _connect(self) -> AbstractContextManager[sa.Connection]:
        return nullcontext(self.conn) if self.conn is not None else self.engine.connect()

    def snapshots(self, jobs: Iterable[Key]) -> dict[Key, JobSnapshot]:
        """The lineage of each job's latest COMPLETE run ended at or before ``at``; jobs without one are
        absent."""
        wanted = sorted(set(jobs))
        if not wanted:
            return {}
        ended = sa.func.coalesce(runs.c.ended_at, runs.c.state_time)
        rank = sa.func.row_number().over(partition_by=(runs.c.job_namespace, runs.c.job_name),
                                         order_by=(ended.desc(), runs.c.run_id.desc()))
        job_keys = shared_key_set(self.engine, (runs.c.job_namespace, runs.c.job_name))
        # one row per job (its latest completed run), joined to that run's datasets; first_seen bounds the walk
        # of the (job, first_seen) index: a run ended by ``at`` was first seen by then
        latest = (sa.select(runs.c.job_namespace, runs.c.job_name, runs.c.run_id, rank.label("rn"))
                  .where(job_keys.clause, runs.c.first_seen <= self.at, runs.c.state == "COMPLETE", ended <= self.at)
                  .subquery("latest"))
        stmt = (sa.select(latest.c.job_namespace, latest.c.job_name, run_datasets.c.namespace,
                          run_datasets.c.name, run_datasets.c.direction)
                .select_from(latest.outerjoin(run_datasets, run_datasets.c.run_id == latest.c.run_id))
                .where(latest.c.rn == 1))
        found: dict[Key, JobSnapshot] = {}
        members: list[tuple[Key, Key, str]] = []
        with self._connect() as conn:
            for chunk in chunks(wanted):
                for r in conn.execute(stmt, job_keys.params(chunk)):
                    job = (r.job_namespace, r.job_name)
                    found.setdefault(job, JobSnapshot())
                    if r.namespace is not None:
                        members.append((job, (r.namespace, r.name), r.direction))
        aliases = self.records.aliases_for({k for _, k, _ in members})
        for job, key, direction in members:
            target = found[job]
            (target.outputs if direction == "output" else target.inputs).add(dataset_id(*aliases.get(key, key)))
        return found

    def writers(self, datasets: Iterable[Key]) -> dict[str, set[Key]]:
        """Dataset id -> the jobs that ever wrote it in a run."""
        wanted = sorted(set(datasets))
        dataset_keys = shared_key_set(self.engine, (run_datasets.c.namespace, run_datasets.c.name))
        stmt = (sa.select(run_datasets.c.namespace, run_datasets.c.name, runs.c.job_namespace, runs.c.job_name)
                .distinct()
                .join(runs, runs.c.run_id == run_datasets.c.run_id)
                .where(run_datasets.c.direction == "output", dataset_keys.clause))
        found: dict[str, set[Key]] = {}
        with self._connect() as conn:
            for chunk in chunks(wanted):
                for r in conn.execute(stmt, dataset_keys.params(chunk)):
                    found.setdefault(dataset_id(r.namespace, r.name), set()).add((r.job_namespace, r.job_name))
        return found

    def current(self, edges: Sequence[Edge], jobs: dict[str, Key],
                fields: dict[str, tuple[str, Key]] | None = None) -> set[EdgeKey]:
        """The keys of ``edges`` current at ``at``. ``jobs`` maps job node ids to (namespace, name);
        ``fields`` maps field node ids to (dataset id, dataset key), needed for DERIVES edges."""
        snaps = self.snapshots(jobs.values())
        keep: set[EdgeKey] = set()
        derives: list[Edge] = []
        for edge in edges:
            if not _seen_by(edge.props, self.at):
                continue
            if edge.rel is Rel.DERIVES:
                derives.append(edge)
                continue
            if edge.rel in (Rel.INPUT_TO, Rel.OUTPUTS) and edge.props.get("lastRunId") is not None:
                job = jobs.get(edge.dst if edge.rel is Rel.INPUT_TO else edge.src)
                snap = snaps.get(job) if job else None
                if snap is not None:
                    members = snap.inputs if edge.rel is Rel.INPUT_TO else snap.outputs
                    if (edge.src if edge.rel is Rel.INPUT_TO else edge.dst) not in members:
                        continue
            keep.add(_key(edge))
        if derives:
            keep |= self._current_derives(derives, fields or {})
        return keep

    def _current_derives(self, edges: Sequence[Edge], fields: dict[str, tuple[str, Key]]) -> set[EdgeKey]:
        targets = {fields[e.dst][1] for e in edges if e.dst in fields}
        writers = self.writers(targets)
        snaps = self.snapshots({j for js in writers.values() for j in js})
        keep: set[EdgeKey] = set()
        for edge in edges:
            src, dst = fields.get(edge.src), fields.get(edge.dst)
            if src is None or dst is None or src[0] == dst[0]:
                keep.add(_key(edge))
                continue
            done = [snaps[j] for j in writers.get(dst[0], set()) if j in snaps]
            if not done or any(src[0] in s.inputs and dst[0] in s.outputs for s in done):
                keep.add(_key(edge))
        return keep


def _rewalk(view: Subgraph, start: Sequence[str], direction: Direction, depth: int,
            allowed: set[EdgeKey]) -> set[str]:
    """Nodes reachable from ``start`` within ``depth`` over ``allowed`` edges, walking each direction."""
    ups: dict[str, list[str]] = {}
    downs: dict[str, list[str]] = {}
    for edge in view.edges:
        if _key(edge) in allowed:
            downs.setdefault(edge.src, []).append(edge.dst)
            ups.setdefault(edge.dst, []).append(edge.src)
    ways = {Direction.UPSTREAM: (ups,), Direction.DOWNSTREAM: (downs,), Direction.BOTH: (ups, downs)}[direction]
    reached = {s for s in start if s in view.nodes}
    for step in ways:
        seen = {s: 0 for s in start if s in view.nodes}
        queue = deque(seen)
        while queue:
            here = queue.popleft()
            if seen[here] >= depth:
                continue
            for there in step.get(here, []):
                if there not in seen:
                    seen[there] = seen[here] + 1
                    queue.append(there)
        reached |= set(seen)
    return reached


def _mark(edge: Edge) -> Edge:
    return Edge(edge.src, edge.dst, edge.rel, {**edge.props, "stale": True})


def restrict(view: Subgraph, clock: Clock, start: Sequence[str], direction: Direction, depth: int,
             include_stale: bool, graph: GraphStore) -> Subgraph:
    """``view`` as it was at ``clock.at``: the current edges and the nodes they reach from ``start`` within
    ``depth`` (with ``include_stale``, the walk follows every edge already seen at that instant, and the
    edges no longer current are marked ``stale``). Nodes first seen after the instant are left out."""
    jobs = {n.id: (n.namespace, n.name) for n in view.nodes.values() if n.kind is NodeKind.JOB}
    field_nodes = [n for n in view.nodes.values() if n.kind is NodeKind.FIELD]
    owners = graph.get_nodes(ids=sorted({str(n.props.get("dataset")) for n in field_nodes})) if field_nodes else {}
    fields = {n.id: (str(n.props.get("dataset")), (owners[d].namespace, owners[d].name))
              for n in field_nodes if (d := str(n.props.get("dataset"))) in owners}
    allowed = clock.current(view.edges, jobs, fields)
    walkable = {_key(e) for e in view.edges if _seen_by(e.props, clock.at)} if include_stale else allowed
    kept = {i for i in _rewalk(view, start, direction, depth, walkable) if _seen_by(view.nodes[i].props, clock.at)}
    edges = [e if _key(e) in allowed else _mark(e) for e in view.edges
             if _key(e) in walkable and e.src in kept and e.dst in kept]
    return Subgraph(nodes={i: n for i, n in view.nodes.items() if i in kept}, edges=edges, truncated=view.truncated)


def timed_paths(graph: GraphStore, clock: Clock, src: str, dst: str, max_depth: int, limit: int,
                max_nodes: int) -> list[Path]:
    """All shortest directed paths from ``src`` to ``dst`` over the edges current at ``clock.at``. The
    store's shortest paths answer when they are all current (no current path can be shorter); otherwise the
    downstream cone of ``src`` is walked and searched again over its current edges."""
    paths = graph.shortest_paths(src=src, dst=dst, max_depth=max_depth, limit=limit)
    if not paths:
        return []
    edges = [e for p in paths for e in p.edges]
    jobs = {n.id: (n.namespace, n.name) for n in graph.get_nodes(ids=sorted(
        {e.src for e in edges} | {e.dst for e in edges})).values() if n.kind is NodeKind.JOB}
    allowed = clock.current(edges, jobs)
    if all(_key(e) in allowed for e in edges):
        return paths
    view = graph.traverse(start=[src], direction=Direction.DOWNSTREAM, depth=max_depth, max_nodes=max_nodes)
    jobs = {n.id: (n.namespace, n.name) for n in view.nodes.values() if n.kind is NodeKind.JOB}
    return shortest_in(view, src, dst, clock.current(view.edges, jobs), limit)


def shortest_in(view: Subgraph, src: str, dst: str, allowed: set[EdgeKey], limit: int) -> list[Path]:
    """All shortest directed paths from ``src`` to ``dst`` over the ``allowed`` edges of ``view``."""
    out: dict[str, list[Edge]] = {}
    for edge in view.edges:
        if _key(edge) in allowed:
            out.setdefault(edge.src, []).append(edge)
    preds: dict[str, list[Edge]] = {}
    seen, frontier = {src}, [src]
    while frontier and dst not in preds:
        level: dict[str, list[Edge]] = {}
        for here in frontier:
            for edge in out.get(here, []):
                if edge.dst not in seen:
                    level.setdefault(edge.dst, []).append(edge)
        for node_id, via in level.items():
            preds.setdefault(node_id, []).extend(via)
        seen.update(level)
        frontier = sorted(level)
    if dst not in preds or src == dst:
        return []
    found: list[Path] = []

    def back(node: str, suffix: tuple[Edge, ...]) -> None:
        if len(found) >= limit:
            return
        if node == src:
            found.append(Path(nodes=(src, *(e.dst for e in suffix)), edges=suffix))
            return
        for edge in sorted(preds.get(node, []), key=lambda e: (e.src, e.rel)):
            back(edge.src, (edge, *suffix))

    back(dst, ())
    return found


def schema_at(engine: sa.Engine, datasets: Iterable[Key], at: datetime) -> dict[Key, dict[str, str | None]]:
    """Each dataset's columns (name -> type) in its latest version created at or before ``at``."""
    wanted = sorted(set(datasets))
    latest: dict[Key, tuple[datetime, list[dict[str, object]]]] = {}
    with engine.connect() as conn:
        for chunk in chunks(wanted):
            stmt = (sa.select(dataset_versions.c.namespace, dataset_versions.c.name, dataset_versions.c.fields,
                              dataset_versions.c.created_at)
                    .where(sa.tuple_(dataset_versions.c.namespace, dataset_versions.c.name).in_(chunk),
                           dataset_versions.c.created_at <= at))
            for r in conn.execute(stmt):
                key = (r.namespace, r.name)
                if key not in latest or r.created_at > latest[key][0]:
                    latest[key] = (r.created_at, list(r.fields or []))
    return {k: _columns(cols) for k, (_, cols) in latest.items()}


class RunsOfDifferentJobs(ApiError):
    status, code = 422, "runs_of_different_jobs"


@dataclass(frozen=True)
class RunWindow:
    """Two runs of one job and the instants they stand for: each run's end (its last state change when it
    has no end time, e.g. still running)."""

    job: Key
    before: datetime
    after: datetime
    from_run: str
    to_run: str


def run_instant(run: RunRecord) -> datetime:
    """When ``run`` finished (COMPLETE/FAIL/ABORT time), else the time of its last state change."""
    moment = run.ended_at or run.state_time
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def run_window(queries: Queries, from_run: str, to_run: str) -> RunWindow:
    """The instants of two runs of the same job (NotFound for an unknown run, RunsOfDifferentJobs when the
    jobs differ)."""
    found = queries.runs_by_ids(run_ids=[from_run, to_run])
    for param, run_id in (("fromRun", from_run), ("toRun", to_run)):
        if run_id not in found:
            raise NotFound(f"run {run_id!r} not found", [{"path": param, "message": "unknown run"}])
    first, second = found[from_run], found[to_run]
    if (first.job_namespace, first.job_name) != (second.job_namespace, second.job_name):
        raise RunsOfDifferentJobs("fromRun and toRun must be runs of the same job", [
            {"path": "toRun", "message": f"a run of {second.job_namespace}:{second.job_name}, not of "
                                         f"{first.job_namespace}:{first.job_name}"}])
    return RunWindow(job=(first.job_namespace, first.job_name), before=run_instant(first),
                     after=run_instant(second), from_run=from_run, to_run=to_run)


@dataclass(frozen=True)
class SchemaVersion:
    """One side of a schema diff: the version in force (None: the dataset had no version then)."""

    version: str | None
    created_at: datetime | None
    columns: dict[str, str | None]

    def body(self) -> dict[str, object]:
        return {"version": self.version, "createdAt": self.created_at.isoformat() if self.created_at else None,
                "fields": [{"name": n, "type": t} for n, t in self.columns.items()]}


def _columns(fields: Iterable[dict[str, object]]) -> dict[str, str | None]:
    return {str(f.get("name")): (None if f.get("type") is None else str(f.get("type"))) for f in fields}


def schema_version(engine: sa.Engine, dataset: Key, *, version: str | None = None,
                   at: datetime | None = None) -> SchemaVersion:
    """The dataset's version named ``version`` (NotFound if it has none such), or the latest one created
    at or before ``at``."""
    where = [dataset_versions.c.namespace == dataset[0], dataset_versions.c.name == dataset[1]]
    if version is not None:
        where.append(dataset_versions.c.version == version)
    elif at is not None:
        where.append(dataset_versions.c.created_at <= at)
    stmt = (sa.select(dataset_versions.c.version, dataset_versions.c.fields, dataset_versions.c.created_at)
            .where(*where).order_by(dataset_versions.c.created_at.desc(), dataset_versions.c.version).limit(1))
    with engine.connect() as conn:
        row = conn.execute(stmt).first()
    if row is None:
        if version is not None:
            raise NotFound(f"version {version!r} of dataset {dataset[1]!r} not found")
        return SchemaVersion(version=None, created_at=None, columns={})
    return SchemaVersion(version=row.version, created_at=row.created_at, columns=_columns(row.fields or []))


def schema_changes(before: dict[str, str | None], after: dict[str, str | None]) -> dict[str, list[object]]:
    return {
        "added": [{"name": n, "type": after[n]} for n in sorted(set(after) - set(before))],
        "removed": [{"name": n, "type": before[n]} for n in sorted(set(before) - set(after))],
        "retyped": [{"name": n, "from": before[n], "to": after[n]}
                    for n in sorted(set(before) & set(after)) if before[n] != after[n]],
    }


def _edge_json(edge: Edge) -> dict[str, object]:
    return {"origin": edge.src, "destination": edge.dst, "type": edge.rel.value}


def _node_json(node: Node) -> dict[str, object]:
    return {"id": node.id, "type": node.kind.value, "namespace": node.namespace, "name": node.name}


def diff(graph: GraphStore, engine: sa.Engine, records: RecordStore, origin: str, depth: int, max_nodes: int,
         before: datetime, after: datetime) -> dict[str, object]:
    """What changed in the cone of ``origin`` (upstream and downstream within ``depth``) from ``before``
    to ``after``: nodes and edges added and removed, and the columns added, removed and retyped of the
    datasets in either cone."""
    view = graph.traverse(start=[origin], direction=Direction.BOTH, depth=depth, max_nodes=max_nodes)
    then = restrict(view, Clock(engine, records, before), [origin], Direction.BOTH, depth, False, graph)
    now = restrict(view, Clock(engine, records, after), [origin], Direction.BOTH, depth, False, graph)
    then_edges, now_edges = {_key(e): e for e in then.edges}, {_key(e): e for e in now.edges}
    datasets = sorted({(n.namespace, n.name): n.id for n in (*then.nodes.values(), *now.nodes.values())
                       if n.kind is NodeKind.DATASET}.items())
    old, new = schema_at(engine, (k for k, _ in datasets), before), schema_at(engine, (k for k, _ in datasets), after)
    schema = []
    for key, node_id in datasets:
        changes = schema_changes(old.get(key, {}), new.get(key, {}))
        if any(changes.values()):
            schema.append({"id": node_id, "namespace": key[0], "name": key[1], **changes})
    return {
        "nodeId": origin, "from": before.isoformat(), "to": after.isoformat(), "depth": depth,
        "nodes": {"added": [_node_json(now.nodes[i]) for i in sorted(set(now.nodes) - set(then.nodes))],
                  "removed": [_node_json(then.nodes[i]) for i in sorted(set(then.nodes) - set(now.nodes))]},
        "edges": {"added": [_edge_json(now_edges[k]) for k in sorted(set(now_edges) - set(then_edges))],
                  "removed": [_edge_json(then_edges[k]) for k in sorted(set(then_edges) - set(now_edges))]},
        "schemaChanges": schema,
        "truncated": view.truncated,
    }
