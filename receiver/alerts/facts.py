"""What rule evaluation reads from the state store: owners, run durations, the datasets a run read and
wrote, row counts and data-quality assertions (from the run's events in the log), schema differences
between dataset versions, and when a dataset was last produced. Read-only; no HTTP-shaped errors."""

from __future__ import annotations

import json
import logging
import statistics
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from lineagelens.receiver.state.records import Key
from lineagelens.receiver.state.tables import (
    dataset_versions,
    datasets,
    jobs,
    lineage_events,
    run_datasets,
    runs,
)

log = logging.getLogger(__name__)

TERMINAL = ("COMPLETE", "FAIL", "ABORT")
COUNT_CACHE = 100_000  # finished runs whose output row counts are remembered
JOBS_PER_QUERY = 400  # jobs per prefetch query (two parameters each)
RUNS_PER_QUERY = 500  # run ids per IN (...) list


def owners_of(facets: Mapping[str, Any] | None) -> list[str]:
    """Owner names of an ``ownership`` facet (``{"owners": [{"name": "team:data", "type": ...}]}``)."""
    facet = (facets or {}).get("ownership")
    if not isinstance(facet, dict):
        return []
    return [str(o["name"]) for o in facet.get("owners") or [] if isinstance(o, dict) and o.get("name")]


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) by linear interpolation between closest ranks."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    pos = (len(ordered) - 1) * q
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def median(values: list[float]) -> float:
    return float(statistics.median(values))


@dataclass
class RunFacts:
    """One finished run as the evaluators see it."""

    run_id: str
    job: Key
    state: str
    started_at: datetime | None
    ended_at: datetime | None
    error: str | None
    inputs: list[Key] = field(default_factory=list)
    outputs: list[tuple[Key, str | None]] = field(default_factory=list)  # (dataset, version)

    @property
    def duration(self) -> float | None:
        if self.started_at and self.ended_at:
            return (self.ended_at - self.started_at).total_seconds()
        return None


def _error(facets: Mapping[str, Any] | None) -> str | None:
    facet = (facets or {}).get("errorMessage")
    if isinstance(facet, dict) and facet.get("message"):
        return str(facet["message"])[:2000]
    return None


class Facts:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._counts: OrderedDict[str, dict[Key, float]] = OrderedDict()  # run id -> row count per dataset
        self._local = threading.local()  # this thread's prefetched durations (see durations_prefetched)

    def runs(self, run_ids: Iterable[str]) -> dict[str, RunFacts]:
        ids = list(dict.fromkeys(run_ids))
        if not ids:
            return {}
        found: dict[str, RunFacts] = {}
        with self.engine.connect() as conn:
            for r in conn.execute(sa.select(runs).where(runs.c.run_id.in_(ids))):
                found[r.run_id] = RunFacts(r.run_id, (r.job_namespace, r.job_name), r.state, r.started_at,
                                           r.ended_at, _error(r.facets or {}))
            for d in conn.execute(sa.select(run_datasets).where(run_datasets.c.run_id.in_(ids))):
                facts = found.get(d.run_id)
                if facts is None:
                    continue
                if d.direction == "output":
                    facts.outputs.append(((d.namespace, d.name), d.version))
                else:
                    facts.inputs.append((d.namespace, d.name))
        return found

    def finished_runs(self, since: datetime, limit: int = 5000) -> list[RunFacts]:
        """Runs that ended after ``since`` (oldest first), for previews."""
        with self.engine.connect() as conn:
            ids = list(conn.scalars(sa.select(runs.c.run_id).where(runs.c.ended_at >= since,
                                                                    runs.c.state.in_(TERMINAL))
                                    .order_by(runs.c.ended_at).limit(limit)))
        found = self.runs(ids)
        return [found[i] for i in ids if i in found]

    def owners(self, kind: str, keys: Iterable[Key]) -> dict[Key, list[str]]:
        table = jobs if kind == "job" else datasets
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        out: dict[Key, list[str]] = {}
        with self.engine.connect() as conn:
            for ns in {k[0] for k in wanted}:
                names = [k[1] for k in wanted if k[0] == ns]
                for r in conn.execute(sa.select(table.c.namespace, table.c.name, table.c.facets)
                                      .where(table.c.namespace == ns, table.c.name.in_(names))):
                    out[(r.namespace, r.name)] = owners_of(r.facets)
        return out

    def durations(self, job: Key, *, before: datetime, limit: int, exclude: str = "") -> list[float]:
        """Durations (s) of the job's latest ``limit`` finished runs that started before ``before``."""
        prefetched = getattr(self._local, "durations", None)
        if prefetched is not None and job in prefetched:
            rows, complete = prefetched[job]
            # rows: the job's latest completed runs that started before the pass's latest start, newest
            # first; those before ``before`` are then the latest ones before it, exact when there are enough
            older = [d for run_id, started, d in rows if started < before and run_id != exclude]
            if len(older) >= limit or complete:
                return older[:limit]
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(runs.c.run_id, runs.c.started_at, runs.c.ended_at).where(
                runs.c.job_namespace == job[0], runs.c.job_name == job[1], runs.c.state == "COMPLETE",
                runs.c.started_at.is_not(None), runs.c.ended_at.is_not(None), runs.c.started_at < before)
                .order_by(runs.c.started_at.desc()).limit(limit + 1)).all()
        return [(r.ended_at - r.started_at).total_seconds() for r in found if r.run_id != exclude][:limit]

    @contextmanager
    def durations_prefetched(self, finished: list[RunFacts], limit: int) -> Iterator[None]:
        """While inside, :meth:`durations` for the jobs of ``finished`` (up to ``limit`` runs back) is
        answered from one query per pass instead of one per run and rule (this thread only)."""
        started = [r for r in finished if r.started_at is not None]
        if limit <= 0 or not started:
            yield
            return
        per_job = Counter(r.job for r in started)
        depth = limit + max(per_job.values()) + 1
        latest = max(r.started_at for r in started if r.started_at is not None)
        found: dict[Key, tuple[list[tuple[str, datetime, float]], bool]] = {}
        jobs_ = list(per_job)
        with self.engine.connect() as conn:
            for i in range(0, len(jobs_), JOBS_PER_QUERY):
                chunk = jobs_[i:i + JOBS_PER_QUERY]
                rank = sa.func.row_number().over(partition_by=(runs.c.job_namespace, runs.c.job_name),
                                                 order_by=(runs.c.started_at.desc(), runs.c.run_id)).label("rank")
                inner = sa.select(runs.c.run_id, runs.c.job_namespace, runs.c.job_name, runs.c.started_at,
                                  runs.c.ended_at, rank).where(
                    runs.c.state == "COMPLETE", runs.c.started_at.is_not(None), runs.c.ended_at.is_not(None),
                    runs.c.started_at < latest,
                    sa.tuple_(runs.c.job_namespace, runs.c.job_name).in_(chunk)).subquery()
                rows: dict[Key, list[tuple[str, datetime, float]]] = {j: [] for j in chunk}
                for r in conn.execute(sa.select(inner).where(inner.c.rank <= depth)
                                      .order_by(inner.c.job_namespace, inner.c.job_name, inner.c.rank)):
                    rows[(r.job_namespace, r.job_name)].append(
                        (r.run_id, r.started_at, (r.ended_at - r.started_at).total_seconds()))
                found.update({j: (v, len(v) < depth) for j, v in rows.items()})
        self._local.durations = found
        try:
            yield
        finally:
            self._local.durations = None

    def dataset_facets_of_runs(self, run_ids: Iterable[str]) -> dict[str, dict[Key, dict[str, Any]]]:
        """Per run, per dataset: the input/output/dataset facets its events carried (later events win)."""
        ids = list(dict.fromkeys(run_ids))
        prefetched = getattr(self._local, "facets", None) or {}
        found: dict[str, dict[Key, dict[str, Any]]] = {i: prefetched[i] for i in ids if i in prefetched}
        missing = [i for i in ids if i not in found]
        found.update({i: {} for i in missing})
        rows: list[Any] = []
        if not missing:  # all prefetched (the evaluator's case): no connection either
            return found
        with self.engine.connect() as conn:
            for n in range(0, len(missing), RUNS_PER_QUERY):
                # each run's events in order (runs never span two chunks)
                rows += conn.execute(sa.select(lineage_events.c.run_id, lineage_events.c.payload)
                                     .where(lineage_events.c.run_id.in_(missing[n:n + RUNS_PER_QUERY]))
                                     .order_by(lineage_events.c.event_time, lineage_events.c.id)).all()
        for row in rows:
            try:
                event = json.loads(row.payload)
            except ValueError:
                continue
            for side, extra in (("inputs", "inputFacets"), ("outputs", "outputFacets")):
                for ref in event.get(side) or []:
                    if not isinstance(ref, dict) or not ref.get("name"):
                        continue
                    key = (str(ref.get("namespace") or ""), str(ref["name"]))
                    merged = found[row.run_id].setdefault(key, {})
                    merged.update(ref.get("facets") or {})
                    merged.update(ref.get(extra) or {})
        return found

    @contextmanager
    def facets_prefetched(self, run_ids: list[str]) -> Iterator[None]:
        """While inside, :meth:`dataset_facets_of_runs` answers for ``run_ids`` from one read of their
        events instead of one per run (this thread only)."""
        self._local.facets = self.dataset_facets_of_runs(run_ids) if run_ids else None
        try:
            yield
        finally:
            self._local.facets = None

    def row_counts(self, job: Key, dataset: Key, *, before: datetime, limit: int, exclude: str) -> list[float]:
        """Row counts (``outputStatistics.rowCount``) the job's latest ``limit`` completed runs before
        ``before`` wrote to ``dataset``."""
        with self.engine.connect() as conn:
            ids = list(conn.scalars(sa.select(runs.c.run_id).where(
                runs.c.job_namespace == job[0], runs.c.job_name == job[1], runs.c.state == "COMPLETE",
                runs.c.ended_at < before, runs.c.run_id != exclude).order_by(runs.c.ended_at.desc())
                .limit(limit)))
        missing = [i for i in ids if i not in self._counts]
        if missing:  # a finished run's counts never change: read its events once, then remember them
            for run_id, per_dataset in self.dataset_facets_of_runs(missing).items():
                self._counts[run_id] = {k: c for k, f in per_dataset.items() if (c := row_count(f)) is not None}
            while len(self._counts) > COUNT_CACHE:
                self._counts.popitem(last=False)
        counts = [self._counts.get(i, {}).get(dataset) for i in ids]
        return [c for c in counts if c is not None]

    def schema_diff(self, dataset: Key, version: str | None) -> dict[str, Any] | None:
        """Columns removed or retyped from the version before ``version`` to ``version``; None when there
        is no earlier version or nothing breaking changed."""
        if not version:
            return None
        with self.engine.connect() as conn:
            current = conn.execute(sa.select(dataset_versions).where(
                dataset_versions.c.namespace == dataset[0], dataset_versions.c.name == dataset[1],
                dataset_versions.c.version == version)).first()
            if current is None:
                return None
            previous = conn.execute(sa.select(dataset_versions).where(
                dataset_versions.c.namespace == dataset[0], dataset_versions.c.name == dataset[1],
                dataset_versions.c.created_at < current.created_at)
                .order_by(dataset_versions.c.created_at.desc()).limit(1)).first()
        if previous is None:
            return None
        return breaking(previous.fields, current.fields)

    def versions_since(self, since: datetime) -> list[tuple[Key, str, datetime]]:
        with self.engine.connect() as conn:
            return [((r.namespace, r.name), r.version, r.created_at) for r in conn.execute(
                sa.select(dataset_versions.c.namespace, dataset_versions.c.name, dataset_versions.c.version,
                          dataset_versions.c.created_at).where(dataset_versions.c.created_at >= since))]

    def produced_times(self, keys: Iterable[Key] | None = None, *, since: datetime | None = None,
                       ) -> dict[Key, list[datetime]]:
        """End times of the completed runs that wrote each dataset (oldest first)."""
        stmt = (sa.select(run_datasets.c.namespace, run_datasets.c.name, runs.c.ended_at)
                .join(runs, runs.c.run_id == run_datasets.c.run_id)
                .where(run_datasets.c.direction == "output", runs.c.state == "COMPLETE",
                       runs.c.ended_at.is_not(None)).order_by(runs.c.ended_at))
        if since is not None:
            stmt = stmt.where(runs.c.ended_at >= since)
        wanted = set(keys) if keys is not None else None
        out: dict[Key, list[datetime]] = {}
        with self.engine.connect() as conn:
            for r in conn.execute(stmt):
                key = (r.namespace, r.name)
                if wanted is None or key in wanted:
                    out.setdefault(key, []).append(r.ended_at)
        return out

    def last_produced(self) -> dict[Key, datetime]:
        stmt = (sa.select(run_datasets.c.namespace, run_datasets.c.name, sa.func.max(runs.c.ended_at))
                .join(runs, runs.c.run_id == run_datasets.c.run_id)
                .where(run_datasets.c.direction == "output", runs.c.state == "COMPLETE")
                .group_by(run_datasets.c.namespace, run_datasets.c.name))
        with self.engine.connect() as conn:
            return {(r[0], r[1]): r[2] for r in conn.execute(stmt) if r[2] is not None}

    def all_nodes(self, kind: str) -> list[tuple[Key, datetime, list[str]]]:
        """Every job or dataset: key, first seen, owners."""
        table = jobs if kind == "job" else datasets
        with self.engine.connect() as conn:
            return [((r.namespace, r.name), r.first_seen, owners_of(r.facets)) for r in conn.execute(
                sa.select(table.c.namespace, table.c.name, table.c.first_seen, table.c.facets))]

    def completed_between(self, job: Key, start: datetime, end: datetime) -> datetime | None:
        """When the job's first run that completed in ``(start, end]`` ended, or None."""
        with self.engine.connect() as conn:
            return conn.scalar(sa.select(sa.func.min(runs.c.ended_at)).where(
                runs.c.job_namespace == job[0], runs.c.job_name == job[1], runs.c.state == "COMPLETE",
                runs.c.ended_at > start, runs.c.ended_at <= end))


def row_count(facets: Mapping[str, Any] | None) -> float | None:
    stats = (facets or {}).get("outputStatistics")
    if isinstance(stats, dict) and isinstance(stats.get("rowCount"), int | float):
        return float(stats["rowCount"])
    return None


def failed_assertions(facets: Mapping[str, Any] | None) -> list[dict[str, Any]] | None:
    """The failed assertions of a ``dataQualityAssertions`` facet; None without one."""
    facet = (facets or {}).get("dataQualityAssertions")
    if not isinstance(facet, dict) or not isinstance(facet.get("assertions"), list):
        return None
    return [{"assertion": a.get("assertion"), "column": a.get("column")} for a in facet["assertions"]
            if isinstance(a, dict) and a.get("success") is False]


def breaking(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> dict[str, Any] | None:
    """``{removed: [...], retyped: [{name, from, to}]}`` between two field lists; None when neither."""
    old = {f["name"]: f.get("type") for f in before or [] if isinstance(f, dict) and f.get("name")}
    new = {f["name"]: f.get("type") for f in after or [] if isinstance(f, dict) and f.get("name")}
    removed = sorted(n for n in old if n not in new)
    retyped = [{"name": n, "from": old[n], "to": new[n]} for n in sorted(old)
               if n in new and old[n] and new[n] and str(old[n]).lower() != str(new[n]).lower()]
    if not removed and not retyped:
        return None
    return {"removed": removed, "retyped": retyped}
