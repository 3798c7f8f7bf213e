"""Node statuses and stream messages, read from the projected records (what a REST read returns).

A job's status is its latest run (state, times, the error message of a failed run, and the rows/bytes of
that run's ``outputStatistics``); a dataset's is its freshness (the last run that wrote it); a source's is
its health (the last check). :meth:`StatusReader.messages` turns change rows into ``run.state``,
``node.status``, ``source.health`` and ``graph.changed`` messages, and ``alert`` rows into the ``alert.*``
messages whose payloads :attr:`StatusReader.alert_payloads` builds (registered by the alerting wiring: this
layer does not import the alerting one).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from lineagelens.receiver.graph.model import dataset_id, job_id, source_id
from lineagelens.receiver.monitoring.changes import ALERT, DATASET, EDGE, NODE, RUN, SOURCE, Change
from lineagelens.receiver.state.db import chunks
from lineagelens.receiver.state.tables import jobs, lineage_events, run_datasets, runs, source_checks, sources

log = logging.getLogger(__name__)

HEALTH = {"ok": "healthy", "failing": "unhealthy"}

# The ``alert.*`` payloads of incidents by id, read with the given connection in one query (the incident
# service's message shape: incidentId, rootNodeId, state, title, severity, impactedNodeIds).
AlertPayloads = Callable[[sa.Connection, Sequence[int]], dict[int, dict[str, Any]]]


def iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def now_iso() -> str:
    return iso(datetime.now(UTC)) or ""


@dataclass(frozen=True)
class Message:
    """One stream message. ``nodes``: the node ids it is about (for filtering); ``namespaces`` theirs."""

    type: str
    seq: int
    payload: dict[str, Any]
    nodes: frozenset[str] = frozenset()
    namespaces: frozenset[str] = frozenset()
    ts: str = field(default_factory=now_iso)

    def wire(self, payload: dict[str, Any] | None = None) -> str:
        return json.dumps({"type": self.type, "seq": self.seq, "ts": self.ts,
                           "payload": self.payload if payload is None else payload}, separators=(",", ":"))


def _error(facets: dict[str, Any]) -> dict[str, Any] | None:
    found = facets.get("errorMessage")
    if not isinstance(found, dict) or not found.get("message"):
        return None
    error = {"message": str(found["message"])}
    if found.get("stackTrace"):
        error["stackTrace"] = str(found["stackTrace"])
    return error


def _duration(started: datetime | None, ended: datetime | None) -> int | None:
    return int((ended - started).total_seconds() * 1000) if started and ended else None


class StatusReader:
    def __init__(self, engine: sa.Engine, *, snapshot_limit: int, alert_payloads: AlertPayloads | None = None,
                 ) -> None:
        self.engine = engine
        self.snapshot_limit = snapshot_limit
        self.alert_payloads = alert_payloads  # None: alerting not wired, alert rows make no message

    # -- jobs and runs -----------------------------------------------------------------------------
    def runs(self, conn: sa.Connection, run_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """``run.state`` payloads by run id."""
        found: dict[str, dict[str, Any]] = {}
        for chunk in chunks(sorted(set(run_ids))):
            for r in conn.execute(sa.select(runs).where(runs.c.run_id.in_(chunk))):
                found[r.run_id] = {
                    "jobId": job_id(r.job_namespace, r.job_name), "runId": r.run_id, "state": r.state,
                    "startedAt": iso(r.started_at), "endedAt": iso(r.ended_at),
                    "durationMs": _duration(r.started_at, r.ended_at), "error": _error(r.facets or {}),
                    "rows": None, "bytes": None, "_namespace": r.job_namespace}
        for run, (rows, size) in self._statistics(conn, list(found)).items():
            found[run]["rows"], found[run]["bytes"] = rows, size
        return found

    def _statistics(self, conn: sa.Connection, run_ids: list[str]) -> dict[str, tuple[int | None, int | None]]:
        """Per run: the sums over its outputs of ``outputStatistics`` (each output's latest report)."""
        latest: dict[str, dict[tuple[str, str], dict[str, Any]]] = {}
        for chunk in chunks(run_ids):
            stmt = (sa.select(lineage_events.c.run_id, lineage_events.c.payload)
                    .where(lineage_events.c.run_id.in_(chunk), lineage_events.c.projected == sa.true(),
                           lineage_events.c.payload.contains("outputStatistics"))
                    .order_by(lineage_events.c.event_time, lineage_events.c.id))
            for r in conn.execute(stmt):
                try:
                    outputs = json.loads(r.payload).get("outputs") or []
                except ValueError:
                    continue
                for output in outputs:
                    stats = ((output or {}).get("outputFacets") or {}).get("outputStatistics")
                    if isinstance(stats, dict):
                        key = (str(output.get("namespace")), str(output.get("name")))
                        latest.setdefault(r.run_id, {})[key] = stats
        sums: dict[str, tuple[int | None, int | None]] = {}
        for run, by_output in latest.items():
            rows = [s["rowCount"] for s in by_output.values() if isinstance(s.get("rowCount"), int)]
            size = [s["size"] for s in by_output.values() if isinstance(s.get("size"), int)]
            sums[run] = (sum(rows) if rows else None, sum(size) if size else None)
        return sums

    def jobs(self, conn: sa.Connection, keys: Iterable[tuple[str, str]] | None) -> dict[str, dict[str, Any]]:
        """Job statuses (their latest run) by node id; ``keys`` None: every job (up to the snapshot limit)."""
        stmt = sa.select(jobs.c.namespace, jobs.c.name, jobs.c.latest_run_id)
        rows: list[Any] = []
        if keys is None:
            rows = list(conn.execute(stmt.order_by(jobs.c.last_seen.desc()).limit(self.snapshot_limit)))
        else:
            for chunk in chunks(sorted(set(keys))):
                rows.extend(conn.execute(stmt.where(sa.tuple_(jobs.c.namespace, jobs.c.name).in_(chunk))))
        latest = self.runs(conn, [r.latest_run_id for r in rows if r.latest_run_id])
        found: dict[str, dict[str, Any]] = {}
        for r in rows:
            run = latest.get(r.latest_run_id or "")
            status: dict[str, Any] = {"kind": "job", "state": None, "runId": None, "startedAt": None,
                                      "endedAt": None, "durationMs": None, "error": None, "rows": None,
                                      "bytes": None}
            if run:
                status.update({k: v for k, v in run.items() if k not in {"jobId", "_namespace"}})
            found[job_id(r.namespace, r.name)] = status
        return found

    # -- datasets ----------------------------------------------------------------------------------
    def datasets(self, conn: sa.Connection, keys: Iterable[tuple[str, str]] | None) -> dict[str, dict[str, Any]]:
        """Dataset freshness by node id: the latest run that wrote it, and when one last completed."""
        wanted = None if keys is None else sorted(set(keys))
        produced = (sa.select(run_datasets.c.namespace, run_datasets.c.name, runs.c.run_id, runs.c.state,
                              runs.c.job_namespace, runs.c.job_name,
                              sa.func.coalesce(runs.c.ended_at, runs.c.state_time).label("at"))
                    .join(runs, runs.c.run_id == run_datasets.c.run_id)
                    .where(run_datasets.c.direction == "output"))
        found: dict[str, dict[str, Any]] = {}
        groups = [None] if wanted is None else list(chunks(wanted))
        for chunk in groups:
            stmt = produced if chunk is None else produced.where(
                sa.tuple_(run_datasets.c.namespace, run_datasets.c.name).in_(chunk))
            for r in conn.execute(stmt):
                node = dataset_id(r.namespace, r.name)
                status = found.setdefault(node, {"kind": "dataset", "lastProducedAt": None, "runId": None,
                                                 "producedBy": None, "state": None, "_at": None,
                                                 "_namespace": r.namespace})
                if status["_at"] is None or (r.at, r.run_id) > (status["_at"], status["runId"] or ""):
                    status.update(_at=r.at, runId=r.run_id, state=r.state,
                                  producedBy=job_id(r.job_namespace, r.job_name))
                if r.state == "COMPLETE" and (status["lastProducedAt"] is None or iso(r.at) > status["lastProducedAt"]):
                    status["lastProducedAt"] = iso(r.at)
            if wanted is None and len(found) > self.snapshot_limit:
                break
        for key in wanted or []:
            found.setdefault(dataset_id(*key), {"kind": "dataset", "lastProducedAt": None, "runId": None,
                                                "producedBy": None, "state": None, "_namespace": key[0]})
        for status in found.values():
            status.pop("_at", None)
        return found

    # -- sources -----------------------------------------------------------------------------------
    def sources(self, conn: sa.Connection, ids: Iterable[str] | None) -> dict[str, dict[str, Any]]:
        stmt = sa.select(sources.c.id, sources.c.status, sources.c.status_message, sources.c.checked_at,
                         sources.c.latency_ms)
        if ids is not None:
            stmt = stmt.where(sources.c.id.in_(sorted(set(ids))))
        return {source_id(r.id): {"kind": "source", "health": HEALTH.get(r.status, "unknown"),
                                  "checkedAt": iso(r.checked_at), "latencyMs": r.latency_ms,
                                  "message": r.status_message}
                for r in conn.execute(stmt.limit(self.snapshot_limit))}

    # -- snapshots ---------------------------------------------------------------------------------
    def snapshot(self, nodes: Iterable[str] | None, keys: dict[str, tuple[str, str]]) -> dict[str, Any]:
        """Statuses of ``nodes`` (None: of everything, up to the snapshot limit per kind). ``keys`` gives
        (namespace, name) of the job and dataset node ids (ids alone are ambiguous)."""
        with self.engine.connect() as conn:
            if nodes is None:
                found = {**self.jobs(conn, None), **self.datasets(conn, None), **self.sources(conn, None)}
            else:
                wanted = list(nodes)
                job_keys = [keys[n] for n in wanted if n.startswith("job:") and n in keys]
                ds_keys = [keys[n] for n in wanted if n.startswith("dataset:") and n in keys]
                source_ids = [n.removeprefix("source:") for n in wanted if n.startswith("source:")]
                found = {**self.jobs(conn, job_keys), **self.datasets(conn, ds_keys),
                         **(self.sources(conn, source_ids) if source_ids else {})}
        for status in found.values():
            status.pop("_namespace", None)
        return found

    # -- messages from change rows -----------------------------------------------------------------
    def messages(self, changes: Sequence[Change]) -> list[Message]:
        """The stream messages for ``changes`` (ordered by seq); one ``graph.changed`` per run of
        consecutive node/edge rows."""
        if not changes:
            return []
        with self.engine.connect() as conn:
            run_status = self.runs(conn, [c.ref for c in changes if c.kind == RUN and c.ref])
            ds_keys = {c.subject: (c.namespace or "", c.subject[len("dataset:") + len(c.namespace or ""):][1:])
                       for c in changes if c.kind == DATASET}
            ds_status = self.datasets(conn, list(ds_keys.values())) if ds_keys else {}
            source_ids = [c.subject.removeprefix("source:") for c in changes if c.kind == SOURCE]
            source_status = self.sources(conn, source_ids) if source_ids else {}
            alert_ids = sorted({i for c in changes if c.kind == ALERT and (i := _incident(c)) is not None})
            alert_payloads = (self.alert_payloads(conn, alert_ids)
                              if alert_ids and self.alert_payloads is not None else {})
        out: list[Message] = []
        graph: list[Change] = []

        def flush() -> None:
            if graph:
                out.append(_graph_message(graph))
                graph.clear()

        for change in changes:
            if change.kind in (NODE, EDGE):
                graph.append(change)
                continue
            flush()
            if change.kind == RUN and change.ref in run_status:
                payload = dict(run_status[change.ref])
                namespace = payload.pop("_namespace")
                out.append(Message("run.state", change.id, payload, frozenset({change.subject}),
                                   frozenset({namespace})))
            elif change.kind == DATASET and change.subject in ds_status:
                status = {k: v for k, v in ds_status[change.subject].items() if k != "_namespace"}
                out.append(Message("node.status", change.id, {"nodeId": change.subject, **status},
                                   frozenset({change.subject}), frozenset({change.namespace or ""})))
            elif change.kind == SOURCE and change.subject in source_status:
                status = {k: v for k, v in source_status[change.subject].items() if k != "kind"}
                out.append(Message("source.health", change.id,
                                   {"nodeId": change.subject, "sourceId": change.subject.removeprefix("source:"),
                                    **status}, frozenset({change.subject})))
            elif change.kind == ALERT and change.target and _incident(change) in alert_payloads:
                out.append(_alert_message(change, alert_payloads[_incident(change) or 0]))
        flush()
        return out


def _incident(change: Change) -> int | None:
    """The incident id of an alert row."""
    return int(change.ref) if change.ref and change.ref.isdigit() else None


def _alert_message(change: Change, current: dict[str, Any]) -> Message:
    """The ``alert.*`` message of an alert row: the incident's payload with its state when the row was
    written (a later acknowledgement or resolution has rows of its own); for the root and the impacted nodes."""
    payload = {**current, "state": change.detail} if change.detail else dict(current)
    nodes = frozenset([str(payload["rootNodeId"]), *payload.get("impactedNodeIds", [])])
    return Message(str(change.target), change.id, payload, nodes)


def _graph_message(changes: list[Change]) -> Message:
    nodes = [c.subject for c in changes if c.kind == NODE]
    edges = [{"source": c.subject, "target": c.target, "type": c.ref} for c in changes if c.kind == EDGE]
    touched = frozenset(nodes) | frozenset(c.subject for c in changes) | frozenset(
        str(c.target) for c in changes if c.target)
    return Message("graph.changed", max(c.id for c in changes), {"nodes": nodes, "edges": edges}, touched,
                   frozenset(str(c.namespace) for c in changes if c.namespace))


def filter_graph(message: Message, view: frozenset[str]) -> dict[str, Any] | None:
    """The part of a ``graph.changed`` payload inside ``view`` (None when nothing is)."""
    nodes = [n for n in message.payload["nodes"] if n in view]
    edges = [e for e in message.payload["edges"] if e["source"] in view and e["target"] in view]
    return {"nodes": nodes, "edges": edges} if nodes or edges else None


__all__ = ["Message", "StatusReader", "filter_graph", "iso", "source_checks"]
