"""Read-only queries over the projected state (jobs, datasets, versions, runs, aliases) for the read API.

Every method takes keyword arguments; list methods take ``limit``/``offset`` and return ``(items, total)``.
Batch methods take many keys and run one query per chunk of keys, never one per key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa

from lineagelens.receiver.openlineage.model import RunState
from lineagelens.receiver.state.db import chunks
from lineagelens.receiver.state.key_sets import shared_key_set
from lineagelens.receiver.state.records import (
    DatasetRecord,
    JobRecord,
    Key,
    RunDataset,
    RunRecord,
    TimedFacets,
    VersionRecord,
)
from lineagelens.receiver.state.tables import (
    dataset_aliases,
    dataset_versions,
    datasets,
    jobs,
    lineage_events,
    run_datasets,
    runs,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

_RUN_PREFIX = "run__"


@dataclass(frozen=True)
class NamespaceRow:
    """A namespace as seen over jobs and datasets: first seen and last seen anywhere in it."""

    name: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class DatasetRow:
    """A dataset with the fields of its current version (empty without a schema)."""

    record: DatasetRecord
    fields: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class JobRow:
    """A job with its latest run, if it has one."""

    record: JobRecord
    latest_run: RunRecord | None = None


@dataclass
class JobIO:
    """The datasets a job read and wrote over all its runs, and those of its latest run (with versions)."""

    inputs: list[Key] = field(default_factory=list)
    outputs: list[Key] = field(default_factory=list)
    latest: list[RunDataset] = field(default_factory=list)


def _facets(values: Any, times: Any) -> TimedFacets:
    return TimedFacets(values=values or {}, times=times or {})


def _job(m: Any) -> JobRecord:
    return JobRecord(namespace=m["namespace"], name=m["name"], first_seen=m["first_seen"],
                     last_seen=m["last_seen"], latest_run_id=m["latest_run_id"],
                     latest_run_time=m["latest_run_time"], parent_namespace=m["parent_namespace"],
                     parent_name=m["parent_name"], facets=_facets(m["facets"], m["facet_times"]))


def _dataset(m: Any) -> DatasetRecord:
    return DatasetRecord(namespace=m["namespace"], name=m["name"], first_seen=m["first_seen"],
                         last_seen=m["last_seen"], current_version=m["current_version"],
                         version_time=m["version_time"], facets=_facets(m["facets"], m["facet_times"]))


def _run(m: Any, prefix: str = "") -> RunRecord:
    def g(name: str) -> Any:
        return m[prefix + name]

    return RunRecord(run_id=g("run_id"), job_namespace=g("job_namespace"), job_name=g("job_name"),
                     state=RunState(g("state")), state_time=g("state_time"), first_seen=g("first_seen"),
                     last_seen=g("last_seen"), started_at=g("started_at"), ended_at=g("ended_at"),
                     parent_run_id=g("parent_run_id"), nominal_start=g("nominal_start"),
                     nominal_end=g("nominal_end"), facets=_facets(g("facets"), g("facet_times")))


def _version(m: Any) -> VersionRecord:
    return VersionRecord(namespace=m["namespace"], name=m["name"], version=m["version"],
                         fields=tuple(m["fields"] or ()), created_at=m["created_at"], run_id=m["run_id"])


def _run_dataset(m: Any) -> RunDataset:
    return RunDataset(run_id=m["run_id"], namespace=m["namespace"], name=m["name"],
                      direction=m["direction"], version=m["version"])


def _unique(keys: Iterable[T]) -> list[T]:
    return list(dict.fromkeys(keys))


class Queries:
    """Read-only access to the state tables."""

    def __init__(self, engine: sa.Engine, *, conn: sa.Connection | None = None) -> None:
        """``conn``: run every query on this open connection (several reads of one request in one
        transaction, one pool checkout) instead of a connection of ``engine`` per call."""
        self.engine = engine
        self.conn = conn

    def _connect(self) -> AbstractContextManager[sa.Connection]:
        return nullcontext(self.conn) if self.conn is not None else self.engine.connect()

    def _page(self, stmt: sa.Select[Any], *, limit: int, offset: int) -> tuple[list[Any], int]:
        total = sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
        with self._connect() as conn:
            rows = [r._mapping for r in conn.execute(stmt.limit(limit).offset(offset))]
            return rows, int(conn.scalar(total) or 0)

    def _all(self, stmt: sa.Select[Any]) -> list[Any]:
        with self._connect() as conn:
            return [r._mapping for r in conn.execute(stmt)]

    def _keyed(self, make: Callable[[], sa.Select[Any]], keys: Iterable[Key],
               cols: tuple[Any, Any]) -> list[Any]:
        """Rows of ``make()`` whose ``cols`` are one of ``keys`` (through a :class:`KeySet`: on PostgreSQL
        the statement's text is the same whatever the keys, so the server plans it once)."""
        wanted = _unique(keys)
        key_set = shared_key_set(self.engine, cols)
        stmt = make().where(key_set.clause)
        out: list[Any] = []
        with self._connect() as conn:
            for chunk in chunks(wanted):
                out.extend(r._mapping for r in conn.execute(stmt, key_set.params(chunk)))
        return out

    # -- namespaces --------------------------------------------------------------------------------
    def _namespace_union(self) -> sa.Subquery:
        return sa.union_all(
            sa.select(jobs.c.namespace.label("name"), jobs.c.first_seen, jobs.c.last_seen),
            sa.select(datasets.c.namespace.label("name"), datasets.c.first_seen, datasets.c.last_seen),
        ).subquery("ns")

    def _namespace_select(self) -> tuple[sa.Select[Any], sa.Subquery]:
        u = self._namespace_union()
        stmt = (sa.select(u.c.name, sa.func.min(u.c.first_seen).label("created_at"),
                          sa.func.max(u.c.last_seen).label("updated_at"))
                .group_by(u.c.name).order_by(u.c.name))
        return stmt, u

    def namespaces(self, *, limit: int, offset: int) -> tuple[list[NamespaceRow], int]:
        """Distinct namespaces over jobs and datasets, by name."""
        stmt, _ = self._namespace_select()
        rows, total = self._page(stmt, limit=limit, offset=offset)
        return [NamespaceRow(r["name"], r["created_at"], r["updated_at"]) for r in rows], total

    def namespace(self, *, name: str) -> NamespaceRow | None:
        stmt, u = self._namespace_select()
        rows = self._all(stmt.where(u.c.name == name))
        return NamespaceRow(rows[0]["name"], rows[0]["created_at"], rows[0]["updated_at"]) if rows else None

    def existing_namespaces(self, *, names: Iterable[str]) -> set[str]:
        wanted = _unique(names)
        found: set[str] = set()
        with self._connect() as conn:
            for chunk in chunks(wanted):
                for table in (jobs, datasets):
                    found.update(conn.scalars(sa.select(table.c.namespace).distinct()
                                              .where(table.c.namespace.in_(chunk))))
        return found

    # -- jobs --------------------------------------------------------------------------------------
    def _job_select(self) -> sa.Select[Any]:
        run_cols = [c.label(_RUN_PREFIX + c.name) for c in runs.columns]
        return (sa.select(jobs, *run_cols)
                .select_from(jobs.outerjoin(runs, runs.c.run_id == jobs.c.latest_run_id)))

    @staticmethod
    def _job_row(m: Any) -> JobRow:
        latest = _run(m, _RUN_PREFIX) if m[_RUN_PREFIX + "run_id"] is not None else None
        return JobRow(record=_job(m), latest_run=latest)

    def jobs(self, *, namespace: str | None, limit: int, offset: int) -> tuple[list[JobRow], int]:
        """Jobs of ``namespace`` by name (all jobs, by namespace and name, when it is None)."""
        stmt = self._job_select().order_by(jobs.c.namespace, jobs.c.name)
        if namespace is not None:
            stmt = stmt.where(jobs.c.namespace == namespace)
        rows, total = self._page(stmt, limit=limit, offset=offset)
        return [self._job_row(r) for r in rows], total

    def job(self, *, namespace: str, name: str) -> JobRow | None:
        rows = self._all(self._job_select().where(jobs.c.namespace == namespace, jobs.c.name == name))
        return self._job_row(rows[0]) if rows else None

    def jobs_by_keys(self, *, keys: Iterable[Key]) -> dict[Key, JobRow]:
        rows = self._keyed(self._job_select, keys, (jobs.c.namespace, jobs.c.name))
        return {(r["namespace"], r["name"]): self._job_row(r) for r in rows}

    def existing_jobs(self, *, keys: Iterable[Key]) -> set[Key]:
        rows = self._keyed(lambda: sa.select(jobs.c.namespace, jobs.c.name), keys,
                           (jobs.c.namespace, jobs.c.name))
        return {(r["namespace"], r["name"]) for r in rows}

    def job_io(self, *, keys: Iterable[Key]) -> dict[Key, JobIO]:
        """Per job: the distinct datasets its runs read and wrote (accumulated over all runs), and the
        datasets of its latest run with their versions. One query per chunk of jobs."""
        is_latest = runs.c.run_id == jobs.c.latest_run_id

        def make() -> sa.Select[Any]:
            return (sa.select(runs.c.job_namespace, runs.c.job_name, run_datasets.c.namespace,
                              run_datasets.c.name, run_datasets.c.direction,
                              sa.case((is_latest, runs.c.run_id), else_=None).label("latest_run"),
                              sa.case((is_latest, run_datasets.c.version), else_=None).label("latest_version"))
                    .distinct()
                    .select_from(run_datasets.join(runs, runs.c.run_id == run_datasets.c.run_id)
                                 .join(jobs, sa.and_(jobs.c.namespace == runs.c.job_namespace,
                                                     jobs.c.name == runs.c.job_name))))

        wanted = _unique(keys)
        found: dict[Key, JobIO] = {key: JobIO() for key in wanted}
        rows = self._keyed(make, wanted, (runs.c.job_namespace, runs.c.job_name))
        rows.sort(key=lambda r: (r["namespace"], r["name"]))
        for r in rows:
            io = found[(r["job_namespace"], r["job_name"])]
            key = (r["namespace"], r["name"])
            side = io.inputs if r["direction"] == "input" else io.outputs
            if key not in side:
                side.append(key)
            if r["latest_run"] is not None:
                io.latest.append(RunDataset(run_id=r["latest_run"], namespace=key[0], name=key[1],
                                            direction=r["direction"], version=r["latest_version"]))
        return found

    # -- runs --------------------------------------------------------------------------------------
    def job_runs(self, *, namespace: str, name: str, limit: int, offset: int,
                 ) -> tuple[list[RunRecord], int]:
        """Runs of a job, newest first (by first seen)."""
        stmt = (sa.select(runs).where(runs.c.job_namespace == namespace, runs.c.job_name == name)
                .order_by(runs.c.first_seen.desc(), runs.c.run_id.desc()))
        rows, total = self._page(stmt, limit=limit, offset=offset)
        return [_run(r) for r in rows], total

    def run(self, *, run_id: str) -> RunRecord | None:
        return self.runs_by_ids(run_ids=[run_id]).get(run_id)

    def runs_by_ids(self, *, run_ids: Iterable[str]) -> dict[str, RunRecord]:
        wanted = _unique(run_ids)
        found: dict[str, RunRecord] = {}
        with self._connect() as conn:
            for chunk in chunks(wanted):
                for r in conn.execute(sa.select(runs).where(runs.c.run_id.in_(chunk))):
                    found[r.run_id] = _run(r._mapping)
        return found

    def run_datasets(self, *, run_ids: Iterable[str]) -> dict[str, list[RunDataset]]:
        """The datasets each run read and wrote, by run id (every asked id is a key)."""
        wanted = _unique(run_ids)
        found: dict[str, list[RunDataset]] = {run: [] for run in wanted}
        with self._connect() as conn:
            for chunk in chunks(wanted):
                stmt = (sa.select(run_datasets).where(run_datasets.c.run_id.in_(chunk))
                        .order_by(run_datasets.c.run_id, run_datasets.c.namespace, run_datasets.c.name))
                for r in conn.execute(stmt):
                    found[r.run_id].append(_run_dataset(r._mapping))
        return found

    def child_runs(self, *, run_id: str, limit: int = 200) -> list[RunRecord]:
        """Runs whose parent run is ``run_id`` (tasks of a DAG run, actions of a Spark application)."""
        stmt = (sa.select(runs).where(runs.c.parent_run_id == run_id)
                .order_by(runs.c.first_seen, runs.c.run_id).limit(limit))
        return [_run(r) for r in self._all(stmt)]

    def finished_durations(self, *, namespace: str, name: str, limit: int) -> list[float]:
        """Durations in ms of the job's last ``limit`` completed runs (newest first)."""
        stmt = (sa.select(runs.c.started_at, runs.c.ended_at)
                .where(runs.c.job_namespace == namespace, runs.c.job_name == name,
                       runs.c.state == RunState.COMPLETE.value, runs.c.started_at.is_not(None),
                       runs.c.ended_at.is_not(None))
                .order_by(runs.c.started_at.desc()).limit(limit))
        return [(r["ended_at"] - r["started_at"]).total_seconds() * 1000 for r in self._all(stmt)]

    def finished_durations_of(self, *, keys: Iterable[Key], limit: int) -> dict[Key, list[float]]:
        """:meth:`finished_durations` of many jobs (every asked key is in the answer), one query per chunk."""
        wanted = _unique(keys)
        found: dict[Key, list[float]] = {key: [] for key in wanted}
        rank = sa.func.row_number().over(partition_by=(runs.c.job_namespace, runs.c.job_name),
                                         order_by=runs.c.started_at.desc()).label("rn")
        with self._connect() as conn:
            for chunk in chunks(wanted):
                sub = (sa.select(runs.c.job_namespace, runs.c.job_name, runs.c.started_at, runs.c.ended_at, rank)
                       .where(sa.tuple_(runs.c.job_namespace, runs.c.job_name).in_(chunk),
                              runs.c.state == RunState.COMPLETE.value, runs.c.started_at.is_not(None),
                              runs.c.ended_at.is_not(None))
                       .subquery())
                for r in conn.execute(sa.select(sub).where(sub.c.rn <= limit)):
                    found[(r.job_namespace, r.job_name)].append((r.ended_at - r.started_at).total_seconds() * 1000)
        return found

    def run_events(self, *, run_id: str, limit: int = 500) -> list[tuple[str | None, datetime, str]]:
        """``(eventType, eventTime, payload)`` of the events of one run from the event log, oldest first."""
        stmt = (sa.select(lineage_events.c.event_type, lineage_events.c.event_time, lineage_events.c.payload)
                .where(lineage_events.c.run_id == run_id)
                .order_by(lineage_events.c.event_time, lineage_events.c.id).limit(limit))
        return [(r["event_type"], r["event_time"], r["payload"]) for r in self._all(stmt)]

    def producing_runs(self, *, keys: Iterable[Key] | None) -> dict[Key, RunRecord]:
        """Per dataset, the latest run (by start, else first seen) that wrote it; every dataset when
        ``keys`` is None."""
        started = sa.func.coalesce(runs.c.started_at, runs.c.first_seen)
        rank = sa.func.row_number().over(partition_by=(run_datasets.c.namespace, run_datasets.c.name),
                                         order_by=(started.desc(), runs.c.run_id.desc())).label("rn")

        def ranked(where: Any = None) -> sa.Select[Any]:
            stmt = (sa.select(run_datasets.c.namespace.label("ds_namespace"),
                              run_datasets.c.name.label("ds_name"), runs, rank)
                    .select_from(run_datasets.join(runs, runs.c.run_id == run_datasets.c.run_id))
                    .where(run_datasets.c.direction == "output"))
            if where is not None:
                stmt = stmt.where(where)
            sub = stmt.subquery()
            return sa.select(sub).where(sub.c.rn == 1)

        found: dict[Key, RunRecord] = {}
        with self._connect() as conn:
            if keys is None:
                batches: list[Any] = [None]
            else:
                batches = [sa.tuple_(run_datasets.c.namespace, run_datasets.c.name).in_(chunk)
                           for chunk in chunks(_unique(keys))]
            for where in batches:
                for r in conn.execute(ranked(where)):
                    found[(r.ds_namespace, r.ds_name)] = _run(r._mapping)
        return found

    # -- datasets ----------------------------------------------------------------------------------
    def _dataset_select(self) -> sa.Select[Any]:
        current = sa.and_(dataset_versions.c.namespace == datasets.c.namespace,
                          dataset_versions.c.name == datasets.c.name,
                          dataset_versions.c.version == datasets.c.current_version)
        return (sa.select(datasets, dataset_versions.c.fields.label("current_fields"))
                .select_from(datasets.outerjoin(dataset_versions, current)))

    @staticmethod
    def _dataset_row(m: Any) -> DatasetRow:
        return DatasetRow(record=_dataset(m), fields=tuple(m["current_fields"] or ()))

    def datasets(self, *, namespace: str, limit: int, offset: int) -> tuple[list[DatasetRow], int]:
        """Datasets of ``namespace`` by name, each with its current version's fields."""
        stmt = self._dataset_select().where(datasets.c.namespace == namespace).order_by(datasets.c.name)
        rows, total = self._page(stmt, limit=limit, offset=offset)
        return [self._dataset_row(r) for r in rows], total

    def dataset(self, *, namespace: str, name: str) -> DatasetRow | None:
        rows = self._all(self._dataset_select().where(datasets.c.namespace == namespace,
                                                      datasets.c.name == name))
        return self._dataset_row(rows[0]) if rows else None

    def datasets_by_keys(self, *, keys: Iterable[Key]) -> dict[Key, DatasetRow]:
        rows = self._keyed(self._dataset_select, keys, (datasets.c.namespace, datasets.c.name))
        return {(r["namespace"], r["name"]): self._dataset_row(r) for r in rows}

    def all_datasets(self, *, namespaces: Iterable[str] | None = None) -> list[DatasetRecord]:
        """Every dataset (of ``namespaces`` when given), without schemas, by namespace and name."""
        stmt = sa.select(datasets).order_by(datasets.c.namespace, datasets.c.name)
        if namespaces is not None:
            stmt = stmt.where(datasets.c.namespace.in_(_unique(namespaces)))
        return [_dataset(r) for r in self._all(stmt)]

    def all_jobs(self, *, namespaces: Iterable[str] | None = None) -> list[JobRow]:
        """Every job (of ``namespaces`` when given) with its latest run, by namespace and name."""
        stmt = self._job_select().order_by(jobs.c.namespace, jobs.c.name)
        if namespaces is not None:
            stmt = stmt.where(jobs.c.namespace.in_(_unique(namespaces)))
        return [self._job_row(r) for r in self._all(stmt)]

    def existing_datasets(self, *, keys: Iterable[Key]) -> set[Key]:
        rows = self._keyed(lambda: sa.select(datasets.c.namespace, datasets.c.name), keys,
                           (datasets.c.namespace, datasets.c.name))
        return {(r["namespace"], r["name"]) for r in rows}

    def dataset_versions(self, *, namespace: str, name: str, limit: int, offset: int,
                         ) -> tuple[list[VersionRecord], int]:
        """Versions of a dataset (one per distinct schema), newest first."""
        stmt = (sa.select(dataset_versions)
                .where(dataset_versions.c.namespace == namespace, dataset_versions.c.name == name)
                .order_by(dataset_versions.c.created_at.desc(), dataset_versions.c.version.desc()))
        rows, total = self._page(stmt, limit=limit, offset=offset)
        return [_version(r) for r in rows], total

    def dataset_version(self, *, namespace: str, name: str, version: str) -> VersionRecord | None:
        rows = self._all(sa.select(dataset_versions).where(
            dataset_versions.c.namespace == namespace, dataset_versions.c.name == name,
            dataset_versions.c.version == version))
        return _version(rows[0]) if rows else None

    # -- aliases -----------------------------------------------------------------------------------
    def aliases(self, *, keys: Iterable[Key]) -> dict[Key, Key]:
        """Alias ``(namespace, name)`` -> canonical, for those of ``keys`` that are aliases."""
        rows = self._keyed(lambda: sa.select(dataset_aliases), keys,
                           (dataset_aliases.c.namespace, dataset_aliases.c.name))
        return {(r["namespace"], r["name"]): (r["canonical_namespace"], r["canonical_name"]) for r in rows}

    def canonical(self, *, namespace: str, name: str) -> Key:
        """The canonical identity of a dataset name (itself unless it is an alias)."""
        key = (namespace, name)
        return self.aliases(keys=[key]).get(key, key)
