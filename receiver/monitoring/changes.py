"""The change feed of the live streams: the ``monitoring_changes`` table.

Projection records, right after its records (in the same transaction on PostgreSQL; on SQLite, where a batch
commits in short transactions, in the ones that follow), which runs it touched, which datasets runs wrote, and
which nodes and edges are new; a health check records a source's status transition; the incident
service records, in the transaction of each incident change, the ``alert.*`` message it makes (kind ``alert``:
the incident's root node, its id, the message type and the incident's state then). Rows hold ids only (and
that state); a row's id is the ``seq`` of the stream message built from it, in every process. Writers take
an advisory lock before inserting, so ids become visible in id order (a reader that has seen id N never later
finds an id below N), and on PostgreSQL send ``NOTIFY lineagelens_monitoring`` with the new largest id
(delivered at commit).
"""

from __future__ import annotations

import functools
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from lineagelens.receiver.graph.model import Rel, dataset_id, job_id
from lineagelens.receiver.projection.build import Projection
from lineagelens.receiver.state.db import WriteStep, advisory_xact_lock, chunks, transaction
from lineagelens.receiver.state.key_sets import KeySet
from lineagelens.receiver.state.prepared_writes import PreparedWrite
from lineagelens.receiver.state.tables import datasets, jobs, monitoring_changes, run_datasets, runs

log = logging.getLogger(__name__)

CHANNEL = "lineagelens_monitoring"
LOCK_CHANGES = 0x4C4C_0010  # serialises writers of monitoring_changes (ids visible in order)

RUN, DATASET, NODE, EDGE, SOURCE, ALERT = "run", "dataset", "node", "edge", "source", "alert"
_FLOW = {Rel.INPUT_TO.value: "input", Rel.OUTPUTS.value: "output"}
_KNOWN_EDGES = 100_000


@dataclass(frozen=True)
class Change:
    id: int
    kind: str
    subject: str
    namespace: str | None
    ref: str | None
    target: str | None
    created_at: datetime
    detail: str | None = None


@dataclass(frozen=True)
class AlertChange:
    """One ``alert.*`` message to record: what the stream side needs to rebuild it from the incident row."""

    type: str
    incident_id: int
    root_node_id: str
    state: str


def _now() -> datetime:
    return datetime.now(UTC)


class ChangeFeed:
    def __init__(self, engine: sa.Engine, *, keep_rows: int, keep_seconds: float) -> None:
        self.engine = engine
        self.keep_rows = keep_rows
        self.keep_seconds = keep_seconds
        self.postgres = engine.dialect.name == "postgresql"
        self._known: OrderedDict[tuple[str, str, str], None] = OrderedDict()  # edges seen (job, ds, dir)
        self._known_lock = threading.Lock()
        # which of a batch's (namespace, name) keys a table holds: run every batch, built once per table
        self._present: dict[str, tuple[KeySet, sa.Select[Any]]] = {}
        for table in (jobs, datasets):
            keys = KeySet(engine, (table.c.namespace, table.c.name))
            self._present[table.name] = (keys, sa.select(table.c.namespace, table.c.name).where(keys.clause))

    # -- writing -----------------------------------------------------------------------------------
    def write(self, conn: sa.Connection, rows: Sequence[dict[str, Any]]) -> None:
        """Append change rows inside the caller's transaction (and notify listeners at its commit)."""
        for step in self._steps(rows):
            step(conn)

    def _steps(self, rows: Sequence[dict[str, Any]]) -> list[WriteStep]:
        """Appending ``rows``, as steps of one transaction or (``db.write_in_steps``) several."""
        if not rows:
            return []
        now = _now()
        ready = self._insert.ready({"namespace": None, "ref": None, "target": None, "detail": None,
                                    "created_at": now, **r} for r in rows)
        if not self.postgres:
            return ready.steps()  # SQLite's writer lock keeps the ids in commit order
        return [self._in_order, *ready.steps(), self._notify]

    @functools.cached_property
    def _insert(self) -> PreparedWrite:
        return PreparedWrite(self.engine, monitoring_changes, monitoring_changes.insert(),
                             [c.name for c in monitoring_changes.columns if c.name != "id"])

    @staticmethod
    def _in_order(conn: sa.Connection) -> None:
        """Writers of change rows take turns until their commit, so their ids become visible in order."""
        advisory_xact_lock(conn, LOCK_CHANGES)

    @staticmethod
    def _notify(conn: sa.Connection) -> None:
        conn.execute(sa.text("SELECT pg_notify(:channel, (SELECT max(id) FROM monitoring_changes)::text)"),
                     {"channel": CHANNEL})

    def record_alerts(self, conn: sa.Connection, alerts: Sequence[AlertChange]) -> None:
        """The incident service's hook: called in the transaction of incident changes with, per change, the
        message type (``alert.opened`` ...), the incident id, its root node id and its state then."""
        self.write(conn, [{"kind": ALERT, "subject": a.root_node_id, "ref": str(a.incident_id), "target": a.type,
                           "detail": a.state} for a in alerts])

    def record_projection(self, conn: sa.Connection, projection: Projection) -> list[WriteStep]:
        """The projector's hook: tells on ``conn`` (before the batch's records are written) what the batch
        changes, and returns the writes of those rows, which the projector makes right after the records'."""
        return self._steps(self._projection_rows(conn, projection))

    def _projection_rows(self, conn: sa.Connection, projection: Projection) -> list[dict[str, Any]]:
        state = projection.state
        rows: list[dict[str, Any]] = []
        new_nodes: set[str] = set()
        for key in self._missing(conn, jobs, list(state.jobs)):
            new_nodes.add(job_id(*key))
            rows.append({"kind": NODE, "subject": job_id(*key), "namespace": key[0]})
        for key in self._missing(conn, datasets, list(state.datasets)):
            new_nodes.add(dataset_id(*key))
            rows.append({"kind": NODE, "subject": dataset_id(*key), "namespace": key[0]})
        rows.extend(self._new_edges(conn, projection, new_nodes))  # with the new nodes: one graph.changed
        for run in state.runs.values():
            rows.append({"kind": RUN, "subject": job_id(run.job_namespace, run.job_name),
                         "namespace": run.job_namespace, "ref": run.run_id})
        produced = {(rd.namespace, rd.name): rd.run_id for rd in state.run_datasets.values()
                    if rd.direction == "output"}
        for (ns, name), run_id in sorted(produced.items()):
            rows.append({"kind": DATASET, "subject": dataset_id(ns, name), "namespace": ns, "ref": run_id})
        return rows

    def _missing(self, conn: sa.Connection, table: sa.Table, keys: list[tuple[str, str]]) -> list[tuple[str, str]]:
        found: set[tuple[str, str]] = set()
        key_set, present = self._present[table.name]
        for chunk in chunks(keys):
            found.update((r.namespace, r.name) for r in conn.execute(present, key_set.params(chunk)))
        return sorted(k for k in keys if k not in found)

    def _new_edges(self, conn: sa.Connection, projection: Projection, new_nodes: set[str]) -> list[dict[str, Any]]:
        """Edges of the batch not in the graph before it: an end is a new node, or (for job-dataset edges)
        no earlier run of the job read or wrote the dataset that way."""
        keyed: dict[tuple[str, str, str], dict[str, Any]] = {}
        for (src, dst, rel) in projection.graph.edges:
            if rel.value not in _FLOW and rel is not Rel.CHILD_OF:
                continue
            row = {"kind": EDGE, "subject": src, "ref": rel.value, "target": dst}
            if src in new_nodes or dst in new_nodes:
                keyed[(src, dst, rel.value)] = row
                self._remember(src, dst, rel.value)
            elif rel.value in _FLOW and not self._seen(src, dst, rel.value):
                keyed[(src, dst, rel.value)] = row
        unsure = [k for k in keyed if k[0] not in new_nodes and k[1] not in new_nodes]
        keys = {n.id: (n.namespace, n.name) for n in projection.graph.nodes.values()}
        for known in self._stored_pairs(conn, unsure, keys):
            keyed.pop(known, None)
        for edge in unsure:
            self._remember(*edge)
        return list(keyed.values())

    def _stored_pairs(self, conn: sa.Connection, edges: list[tuple[str, str, str]],
                      keys: dict[str, tuple[str, str]]) -> set[tuple[str, str, str]]:
        """Which of the job-dataset ``edges`` earlier runs already observed (``keys``: node id ->
        (namespace, name) of the batch's nodes; node ids alone are ambiguous, namespaces hold colons)."""
        edges = [e for e in edges if e[0] in keys and e[1] in keys]
        if not edges:
            return set()
        job_keys = {keys[e[1] if e[2] == Rel.INPUT_TO.value else e[0]] for e in edges}
        ds_keys = {keys[e[0] if e[2] == Rel.INPUT_TO.value else e[1]] for e in edges}
        wanted = set(edges)
        found: set[tuple[str, str, str]] = set()
        stmt = (sa.select(runs.c.job_namespace, runs.c.job_name, run_datasets.c.namespace, run_datasets.c.name,
                          run_datasets.c.direction).distinct()
                .join(runs, runs.c.run_id == run_datasets.c.run_id)
                .where(sa.tuple_(runs.c.job_namespace, runs.c.job_name).in_(sorted(job_keys)),
                       sa.tuple_(run_datasets.c.namespace, run_datasets.c.name).in_(sorted(ds_keys))))
        for r in conn.execute(stmt):
            job, ds = job_id(r.job_namespace, r.job_name), dataset_id(r.namespace, r.name)
            edge = (ds, job, Rel.INPUT_TO.value) if r.direction == "input" else (job, ds, Rel.OUTPUTS.value)
            if edge in wanted:
                found.add(edge)
        return found

    def _seen(self, src: str, dst: str, rel: str) -> bool:
        with self._known_lock:
            if (src, dst, rel) in self._known:
                self._known.move_to_end((src, dst, rel))
                return True
        return False

    def _remember(self, src: str, dst: str, rel: str) -> None:
        with self._known_lock:
            self._known[(src, dst, rel)] = None
            while len(self._known) > _KNOWN_EDGES:
                self._known.popitem(last=False)

    # -- reading -----------------------------------------------------------------------------------
    def since(self, seq: int, *, limit: int) -> list[Change]:
        stmt = (sa.select(monitoring_changes).where(monitoring_changes.c.id > seq)
                .order_by(monitoring_changes.c.id).limit(limit))
        with self.engine.connect() as conn:
            return [Change(**r._mapping) for r in conn.execute(stmt)]

    def latest(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.max(monitoring_changes.c.id))).scalar() or 0)

    def oldest(self) -> int | None:
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(sa.func.min(monitoring_changes.c.id))).scalar()
        return None if found is None else int(found)

    def prune(self) -> int:
        """Drop rows older than the retention time, and all but the newest ``keep_rows``."""
        cutoff = _now() - timedelta(seconds=self.keep_seconds)
        with transaction(self.engine) as conn:
            newest = int(conn.execute(sa.select(sa.func.max(monitoring_changes.c.id))).scalar() or 0)
            result = conn.execute(monitoring_changes.delete().where(sa.or_(
                monitoring_changes.c.created_at < cutoff, monitoring_changes.c.id <= newest - self.keep_rows)))
        deleted = int(result.rowcount or 0)
        if deleted:
            log.debug("pruned %d monitoring changes", deleted)
        return deleted
