"""Likely duplicate datasets and external sources, as pure functions over what the state store holds.

A candidate group is a set of datasets that probably name one table, with every reason found:

- ``scheme``: the same location under equivalent schemes (``s3``/``s3a``/``s3n``, ``gs``/``gcs``) or with and
  without a trailing slash;
- ``case``: the same namespace and name but for letter case;
- ``nameTail``: the same last name segment (after the last ``.`` or ``/``, case-insensitive) in different
  namespaces, e.g. ``analytics.public.orders`` in a warehouse and ``/lake/orders`` in a bucket;
- ``schema``: the same schema fingerprint, the set of (column name, type) of each dataset's latest schema
  version (types compared case-insensitively; datasets without columns are left out).

Groups found by several reasons with the same members are reported once, with all their reasons.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

log = logging.getLogger(__name__)

Key = tuple[str, str]

REASONS = ("scheme", "case", "nameTail", "schema")
EQUIVALENT_SCHEMES = {"s3a": "s3", "s3n": "s3", "gcs": "gs"}
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


@dataclass(frozen=True)
class DatasetInfo:
    """What grouping needs of a dataset: its identity and its latest schema's columns (name, type)."""

    namespace: str
    name: str
    columns: frozenset[tuple[str, str]] = frozenset()

    @property
    def key(self) -> Key:
        return (self.namespace, self.name)


@dataclass(frozen=True)
class Reason:
    kind: str  # one of REASONS
    detail: str


@dataclass
class CandidateGroup:
    members: tuple[Key, ...]  # sorted
    reasons: list[Reason] = field(default_factory=list)

    @property
    def id(self) -> str:
        """Stable across calls while the members stay the same."""
        text = "\n".join(f"{ns}\t{name}" for ns, name in self.members)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def scheme_key(namespace: str, name: str) -> Key:
    """``(namespace, name)`` with equivalent schemes unified and trailing slashes dropped."""
    match = _SCHEME.match(namespace)
    if match:
        scheme = match.group(1).lower()
        namespace = EQUIVALENT_SCHEMES.get(scheme, scheme) + namespace[match.end(1):]
    return (namespace.rstrip("/") or namespace, name.rstrip("/") or name)


def case_key(namespace: str, name: str) -> Key:
    return (namespace.casefold(), name.casefold())


def name_tail(name: str) -> str:
    """The last segment of a dataset name (``db.schema.orders`` -> ``orders``, ``/lake/orders/`` -> ``orders``)."""
    return re.split(r"[./]", name.rstrip("/"))[-1].casefold()


def schema_fingerprint(columns: Iterable[tuple[str, str]]) -> str | None:
    """A digest of the set of (column name, type); None for an empty schema."""
    pairs = sorted({(n, (t or "").casefold()) for n, t in columns})
    if not pairs:
        return None
    return hashlib.sha256("\n".join(f"{n}\t{t}" for n, t in pairs).encode()).hexdigest()[:16]


G = TypeVar("G", bound=Hashable)


def _group_by(datasets: Sequence[DatasetInfo], key: Callable[[DatasetInfo], G | None],
              ) -> dict[G, list[DatasetInfo]]:
    groups: dict[G, list[DatasetInfo]] = defaultdict(list)
    for ds in datasets:
        k = key(ds)
        if k is not None:
            groups[k].append(ds)
    return {k: v for k, v in groups.items() if len(v) > 1}


def find_candidates(datasets: Iterable[DatasetInfo], *, reasons: Iterable[str] = REASONS,
                    ) -> list[CandidateGroup]:
    """Groups of likely duplicates, most reasons first, then by first member."""
    unique = list({ds.key: ds for ds in datasets}.values())
    wanted = set(reasons)
    found: dict[tuple[Key, ...], CandidateGroup] = {}

    def add(members: list[DatasetInfo], reason: Reason) -> None:
        keys = tuple(sorted(ds.key for ds in members))
        group = found.setdefault(keys, CandidateGroup(members=keys))
        if reason not in group.reasons:
            group.reasons.append(reason)

    if "scheme" in wanted:
        for (ns, name), members in _group_by(unique, lambda d: scheme_key(d.namespace, d.name)).items():
            add(members, Reason("scheme", f"the same location as {ns}/{name.lstrip('/')} "
                                          "(equivalent schemes or a trailing slash)"))
    if "case" in wanted:
        for _, members in _group_by(unique, lambda d: case_key(d.namespace, d.name)).items():
            add(members, Reason("case", "the same namespace and name but for letter case"))
    if "nameTail" in wanted:
        for tail, members in _group_by(unique, lambda d: name_tail(d.name)).items():
            if len({m.namespace for m in members}) > 1:
                add(members, Reason("nameTail", f"the same name tail {tail!r} in different namespaces"))
    if "schema" in wanted:
        for fingerprint, members in _group_by(unique, lambda d: schema_fingerprint(d.columns)).items():
            columns = len(members[0].columns)
            add(members, Reason("schema", f"the same {columns} column(s) with the same types "
                                          f"(fingerprint {fingerprint})"))
    return sorted(found.values(), key=lambda g: (-len(g.reasons), g.members))


def find_external(datasets: Iterable[Key], written: Iterable[Key]) -> list[Key]:
    """Datasets nobody produces (no job writes them): external sources, sorted."""
    writers = set(written)
    return sorted({key for key in datasets if key not in writers})
