"""The plain values the alert modules pass around: rules with their scopes, firings, recoveries."""

from __future__ import annotations

import fnmatch
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

log = logging.getLogger(__name__)

JOB_FAILED = "job_failed"
RUN_DURATION = "run_duration"
DEADLINE = "deadline"
FRESHNESS = "freshness"
SOURCE_UNHEALTHY = "source_unhealthy"
SCHEMA_CHANGE = "schema_change"
DQ_ASSERTION = "dq_assertion"
ROW_COUNT = "row_count"

# What each rule type watches: the kind of node its incidents open on.
SUBJECT = {JOB_FAILED: "job", RUN_DURATION: "job", DEADLINE: "job", FRESHNESS: "dataset",
           SOURCE_UNHEALTHY: "source", SCHEMA_CHANGE: "dataset", DQ_ASSERTION: "dataset", ROW_COUNT: "dataset"}
RULE_TYPES = tuple(SUBJECT)
TIME_DRIVEN = frozenset({DEADLINE, FRESHNESS, SOURCE_UNHEALTHY})
SEVERITIES = ("critical", "error", "warning", "info")

OPEN, ACKNOWLEDGED, RESOLVED = "open", "acknowledged", "resolved"
ACTIVE = (OPEN, ACKNOWLEDGED)


def _compile(patterns: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(fnmatch.translate(p)) for p in patterns)


def is_glob(pattern: str) -> bool:
    return any(c in pattern for c in "*?[")


@dataclass(frozen=True)
class Scope:
    """Which nodes a rule watches: glob patterns on namespaces and names (empty = any), and owner names
    from the ``ownership`` facet (empty = any owner or none)."""

    namespaces: tuple[str, ...] = ()
    jobs: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    _compiled: dict[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, body: dict[str, Any] | None) -> Scope:
        body = body or {}
        def names(key: str) -> tuple[str, ...]:
            return tuple(str(v) for v in body.get(key) or ())

        return cls(namespaces=names("namespaces"), jobs=names("jobs"), datasets=names("datasets"),
                   sources=names("sources"), owners=names("owners"))

    def as_json(self) -> dict[str, list[str]]:
        return {"namespaces": list(self.namespaces), "jobs": list(self.jobs), "datasets": list(self.datasets),
                "sources": list(self.sources), "owners": list(self.owners)}

    def _patterns(self, name: str) -> tuple[re.Pattern[str], ...]:
        found = self._compiled.get(name)
        if found is None:
            found = self._compiled[name] = _compile(getattr(self, name))
        return found

    def names_for(self, kind: str) -> tuple[str, ...]:
        return {"job": self.jobs, "dataset": self.datasets, "source": self.sources}[kind]

    def matches_name(self, kind: str, namespace: str, name: str) -> bool:
        """The glob part: namespace (not for sources) and name patterns."""
        if kind != "source" and self.namespaces and not any(p.match(namespace) for p in self._patterns("namespaces")):
            return False
        attr = {"job": "jobs", "dataset": "datasets", "source": "sources"}[kind]
        return not getattr(self, attr) or any(p.match(name) for p in self._patterns(attr))

    def matches_owners(self, owners: Iterable[str]) -> bool:
        return not self.owners or bool(set(self.owners) & set(owners))


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    type: str
    severity: str
    scope: Scope
    params: dict[str, Any]
    channel_ids: tuple[str, ...]
    enabled: bool = True
    created_at: datetime | None = None

    @property
    def subject(self) -> str:
        return SUBJECT[self.type]


@dataclass(frozen=True)
class Firing:
    """A rule's condition held for a node. ``key`` names the occurrence (the run, the version, the deadline):
    the same key never fires twice."""

    rule: Rule
    node_id: str
    key: str
    title: str
    text: str
    at: datetime
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Recovery:
    """The condition no longer holds for ``node_id``: resolve its active incidents of ``rule_types``."""

    node_id: str
    rule_types: frozenset[str]
    reason: str
    at: datetime
