"""Browse datasets or jobs: filter by facets (namespace, type, owner, state, tag) and a name query, sort,
page, and count the values of each facet.

Facet counts follow faceted search: the counts of one facet are taken over the items that match every
*other* filter, so ticking a second owner is always offered with its count. Owners, tags and types live in
facets (JSON), so filtering and counting happen here over the namespace's items, not in SQL.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lineagelens.receiver.catalog import Facts, dataset_facts, job_facts
from lineagelens.receiver.state.queries import Queries

log = logging.getLogger(__name__)

FACETS = ("namespace", "type", "owner", "state", "tag")
SORTS = ("name", "namespace", "type", "state", "updatedAt", "owner")
NO_VALUE = "(none)"  # the facet value of an item without one (no owner, no tag, never run)


def facet_values(item: Facts, facet: str) -> list[str]:
    """The values ``item`` has for ``facet`` (owners and tags may be several)."""
    if facet == "namespace":
        return [item.namespace]
    if facet == "type":
        return [item.type]
    if facet == "owner":
        return list(item.owners) or [NO_VALUE]
    if facet == "tag":
        return list(item.tags) or [NO_VALUE]
    if facet == "state":
        return [item.last_run_state or NO_VALUE]
    raise ValueError(f"unknown facet {facet!r}")


@dataclass(frozen=True)
class BrowseQuery:
    kind: str  # "datasets" | "jobs"
    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    q: str = ""
    sort: str = "name"
    descending: bool = False
    limit: int = 50
    offset: int = 0


@dataclass
class BrowsePage:
    items: list[Facts]
    total: int
    facets: dict[str, list[dict[str, Any]]]

    def body(self, kind: str) -> dict[str, Any]:
        return {kind: [i.body() for i in self.items], "totalCount": self.total, "facets": self.facets}


def _matches(item: Facts, filters: Mapping[str, Sequence[str]], q: str, skip: str | None = None) -> bool:
    if q and q not in item.name.lower() and q not in item.namespace.lower():
        return False
    for facet, wanted in filters.items():
        if facet == skip or not wanted:
            continue
        if not set(facet_values(item, facet)) & set(wanted):
            return False
    return True


def _sort_key(sort: str) -> Callable[[Facts], Any]:
    keys: dict[str, Callable[[Facts], Any]] = {
        "name": lambda f: (f.name.lower(), f.namespace),
        "namespace": lambda f: (f.namespace, f.name.lower()),
        "type": lambda f: (f.type, f.name.lower()),
        "state": lambda f: (f.last_run_state or "", f.name.lower()),
        "updatedAt": lambda f: (f.updated_at.timestamp() if f.updated_at else 0.0, f.name.lower()),
        "owner": lambda f: (f.owners[0].lower() if f.owners else "", f.name.lower()),
    }
    return keys[sort]


def browse_items(items: Iterable[Facts], query: BrowseQuery) -> BrowsePage:
    """Filter, count facets, sort and page ``items`` (pure)."""
    everything = list(items)
    q = query.q.strip().lower()
    filters = {k: list(v) for k, v in query.filters.items() if v}
    facets: dict[str, list[dict[str, Any]]] = {}
    for facet in FACETS:
        counts: Counter[str] = Counter()
        for item in everything:
            if _matches(item, filters, q, skip=facet):
                counts.update(set(facet_values(item, facet)))
        facets[facet] = [{"value": v, "count": c, "selected": v in filters.get(facet, [])}
                         for v, c in sorted(counts.items(), key=lambda vc: (-vc[1], vc[0]))]
    matched = [i for i in everything if _matches(i, filters, q)]
    matched.sort(key=_sort_key(query.sort), reverse=query.descending)
    return BrowsePage(items=matched[query.offset:query.offset + query.limit], total=len(matched), facets=facets)


def browse(queries: Queries, query: BrowseQuery) -> BrowsePage:
    """Datasets or jobs as a faceted, sorted page. Every item is read (the namespace facet counts the other
    namespaces too), so a filter narrows the page, not the reading."""
    if query.kind == "datasets":
        producers = queries.producing_runs(keys=None)
        items = [dataset_facts(r, producers.get((r.namespace, r.name))) for r in queries.all_datasets()]
    else:
        items = [job_facts(r.record, r.latest_run) for r in queries.all_jobs()]
    return browse_items(items, query)
