"""State records (runs, jobs, datasets, versions) — the rows projection computes and the state store keeps —
and how two of them merge.

Every merge is commutative and idempotent, so projecting events in any order, or twice, gives the same
records: run state only moves forward, first-seen times take the minimum, last-seen the maximum, and a
facet keeps the value from the latest event that carried it. Merges build the merged record with its
constructor, naming every field (projection merges ~10 records per event; ``dataclasses.replace`` costs
several times as much).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lineagelens.receiver.openlineage.model import RunState

Key = tuple[str, str]  # (namespace, name) of a job or dataset


def _min(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else min(a, b)


@dataclass(frozen=True)
class TimedFacets:
    """Facets with, per key, the time of the event that set them: the later event wins each key."""

    values: dict[str, Any] = field(default_factory=dict)
    times: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, facets: dict[str, Any], at: datetime) -> TimedFacets:
        stamp = at.isoformat()
        return cls(values=dict(facets), times=dict.fromkeys(facets, stamp))

    def replaces(self, times: dict[str, str]) -> bool:
        """Whether merging these facets into stored ones set at ``times`` gives these facets whatever the stored
        values are: every stored key is here, set later. (A record's values and times have the same keys.)"""
        mine = self.times
        return all(key in mine and mine[key] > stamp for key, stamp in times.items())

    def merge(self, other: TimedFacets) -> TimedFacets:
        values, times = dict(self.values), dict(self.times)
        for key, value in other.values.items():
            stamp = other.times.get(key, "")
            if key in values:
                # ISO strings of UTC datetimes compare in time order; a tie between different values goes to
                # the larger repr, for determinism (computed only then: a facet is kilobytes of JSON, and most
                # ties are the same facet named twice by one event time, which == settles in C)
                mine = times.get(key, "")
                if stamp < mine or (stamp == mine and (value == values[key]
                                                       or repr(value) <= repr(values[key]))):
                    continue
            values[key], times[key] = value, stamp
        return TimedFacets(values=values, times=times)


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    job_namespace: str
    job_name: str
    state: RunState
    state_time: datetime
    first_seen: datetime
    last_seen: datetime
    started_at: datetime | None = None
    ended_at: datetime | None = None
    parent_run_id: str | None = None
    nominal_start: str | None = None
    nominal_end: str | None = None
    facets: TimedFacets = field(default_factory=TimedFacets)

    def _wins_state(self, other: RunRecord) -> bool:
        return (other.state.rank, other.state_time) > (self.state.rank, self.state_time)

    def merge(self, other: RunRecord) -> RunRecord:
        winner = other if self._wins_state(other) else self
        return RunRecord(
            run_id=self.run_id,
            job_namespace=self.job_namespace,
            job_name=self.job_name,
            state=winner.state,
            state_time=winner.state_time,
            ended_at=winner.ended_at,
            first_seen=min(self.first_seen, other.first_seen),
            last_seen=max(self.last_seen, other.last_seen),
            started_at=_min(self.started_at, other.started_at),
            parent_run_id=self.parent_run_id or other.parent_run_id,
            nominal_start=self.nominal_start or other.nominal_start,
            nominal_end=self.nominal_end or other.nominal_end,
            facets=self.facets.merge(other.facets),
        )


@dataclass(frozen=True)
class JobRecord:
    namespace: str
    name: str
    first_seen: datetime
    last_seen: datetime
    latest_run_id: str | None = None
    latest_run_time: datetime | None = None
    parent_namespace: str | None = None
    parent_name: str | None = None
    facets: TimedFacets = field(default_factory=TimedFacets)

    def merge(self, other: JobRecord) -> JobRecord:
        latest = self
        if other.latest_run_id and (self.latest_run_time is None or (
                other.latest_run_time or other.last_seen, other.latest_run_id)
                > (self.latest_run_time, self.latest_run_id or "")):
            latest = other
        return JobRecord(
            namespace=self.namespace,
            name=self.name,
            first_seen=min(self.first_seen, other.first_seen),
            last_seen=max(self.last_seen, other.last_seen),
            latest_run_id=latest.latest_run_id,
            latest_run_time=latest.latest_run_time,
            parent_namespace=self.parent_namespace or other.parent_namespace,
            parent_name=self.parent_name or other.parent_name,
            facets=self.facets.merge(other.facets),
        )


@dataclass(frozen=True)
class DatasetRecord:
    namespace: str
    name: str
    first_seen: datetime
    last_seen: datetime
    current_version: str | None = None
    version_time: datetime | None = None
    facets: TimedFacets = field(default_factory=TimedFacets)

    def merge(self, other: DatasetRecord) -> DatasetRecord:
        newer = self
        if other.current_version and (self.version_time is None or (
                other.version_time, other.current_version) > (self.version_time, self.current_version or "")):
            newer = other
        return DatasetRecord(
            namespace=self.namespace,
            name=self.name,
            first_seen=min(self.first_seen, other.first_seen),
            last_seen=max(self.last_seen, other.last_seen),
            current_version=newer.current_version,
            version_time=newer.version_time,
            facets=self.facets.merge(other.facets),
        )


@dataclass(frozen=True)
class VersionRecord:
    """A dataset version: minted once per distinct schema, first seen at ``created_at``."""

    namespace: str
    name: str
    version: str
    fields: tuple[dict[str, Any], ...]
    created_at: datetime
    run_id: str | None = None

    def merge(self, other: VersionRecord) -> VersionRecord:
        first = other if (other.created_at, other.run_id or "") < (self.created_at, self.run_id or "") else self
        return VersionRecord(namespace=self.namespace, name=self.name, version=self.version, fields=self.fields,
                             created_at=first.created_at, run_id=first.run_id)


@dataclass(frozen=True)
class RunDataset:
    """A dataset a run read (``input``) or wrote (``output``)."""

    run_id: str
    namespace: str
    name: str
    direction: str
    version: str | None = None


@dataclass
class StateRows:
    """The records one projection pass writes, keyed as the state store keys them."""

    runs: dict[str, RunRecord] = field(default_factory=dict)
    jobs: dict[Key, JobRecord] = field(default_factory=dict)
    datasets: dict[Key, DatasetRecord] = field(default_factory=dict)
    versions: dict[tuple[str, str, str], VersionRecord] = field(default_factory=dict)
    run_datasets: dict[tuple[str, str, str, str], RunDataset] = field(default_factory=dict)
    aliases: dict[Key, Key] = field(default_factory=dict)  # newly learned alias -> canonical
