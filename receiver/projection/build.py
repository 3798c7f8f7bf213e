"""Turn a batch of parsed events into state records and graph writes. Pure: no I/O.

Dataset identity: a dataset's ``symlinks`` name aliases of the same node. ``Aliases`` maps an alias
``(namespace, name)`` to its canonical identity; the canonical one is whichever identifier of the group
is already canonical, else the name the producer used as primary. A newly learned alias that already had
a node of its own is folded into the canonical node (``GraphBatch.merges``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from lineagelens.receiver.graph.model import (
    EdgeRow,
    GraphBatch,
    NodeKind,
    NodeRow,
    Rel,
    RunNodeRow,
    dataset_id,
    field_id,
    job_id,
)
from lineagelens.receiver.openlineage.model import DatasetRef, EventKind, ParsedEvent, RunState
from lineagelens.receiver.openlineage.value_keys import value_key
from lineagelens.receiver.projection import facets as F
from lineagelens.receiver.state.records import (
    DatasetRecord,
    JobRecord,
    Key,
    RunDataset,
    RunRecord,
    StateRows,
    TimedFacets,
    VersionRecord,
)

log = logging.getLogger(__name__)

Aliases = Mapping[Key, Key]
Normalize = Callable[[str, str], Key]


def same_name(namespace: str, name: str) -> Key:
    return (namespace, name)
T = TypeVar("T", RunRecord, JobRecord, DatasetRecord, VersionRecord)
K = TypeVar("K", bound=Hashable)


def _put(table: dict[K, T], key: K, record: T) -> None:
    """Insert ``record`` or merge it into the one already there."""
    existing = table.get(key)
    table[key] = existing.merge(record) if existing is not None else record


@dataclass(frozen=True)
class _Columns:
    """What a dataset's ``schema`` and ``columnLineage`` facets project to: its fields, its version id and its
    column-level derivations. A pure function of those two facets."""

    fields: list[F.SchemaField] | None
    version: str | None
    derivations: list[F.Derivation]

    @classmethod
    def of(cls, facets: F.Facets) -> _Columns:
        fields = F.schema_fields(facets)
        return cls(fields, F.schema_version(fields) if fields is not None else None, F.column_lineage(facets))


@dataclass
class Projection:
    state: StateRows
    graph: GraphBatch


def learn_aliases(events: Iterable[ParsedEvent], known: Aliases,
                  normalize: Normalize = same_name) -> dict[Key, Key]:
    """Aliases the events declare that ``known`` does not have yet."""
    learned: dict[Key, Key] = {}

    def resolve(key: Key) -> Key:
        return learned.get(key) or known.get(key) or key

    for event in events:
        for ref in _datasets(event):
            group = [normalize(*k) for k in [(ref.namespace, ref.name), *F.symlinks(ref.facets)]]
            canonicals = [resolve(k) for k in group if resolve(k) != k]
            canonical = canonicals[0] if canonicals else group[0]
            for key in group:
                if key != canonical and resolve(key) != canonical:
                    learned[key] = canonical
    return learned


def _datasets(event: ParsedEvent) -> Iterable[DatasetRef]:
    yield from event.inputs
    yield from event.outputs
    if event.dataset is not None:
        yield event.dataset


class _Builder:
    def __init__(self, aliases: Aliases, normalize: Normalize) -> None:
        self.aliases = aliases
        self.normalize = normalize
        self.state = StateRows()
        self.graph = GraphBatch()
        # Spark repeats a dataset's schema and column lineage on START and COMPLETE and on every reader's
        # inputs: each distinct pair of facets is read once per batch (keyed exactly: openlineage/value_keys.py).
        self.columns: dict[tuple[bytes, bytes], _Columns] = {}

    def columns_of(self, facets: F.Facets) -> _Columns:
        key = (value_key(facets.get("schema")), value_key(facets.get("columnLineage")))
        found = self.columns.get(key)
        if found is None:
            found = self.columns[key] = _Columns.of(facets)
        return found

    def canonical(self, namespace: str, name: str) -> Key:
        key = self.normalize(namespace, name)
        return self.aliases.get(key, key)

    # -- graph rows --------------------------------------------------------------------------------
    # node, field and edge run ~125 times per Spark event, mostly on rows the batch already has: their common
    # path is kept to comparisons (no min/max calls, no props dict made only to be merged).
    def node(self, node_id: str, kind: NodeKind, namespace: str, name: str, at: datetime,
             props: dict[str, object] | None = None) -> None:
        row = self.graph.nodes.get(node_id)
        if row is None:
            self.graph.nodes[node_id] = NodeRow(node_id, kind, namespace, name, at, at, dict(props or {}))
        elif at >= row.last_seen:
            if props:
                row.props.update(props)
            row.last_seen = at
        elif at < row.first_seen:
            row.first_seen = at

    def field(self, dataset: str, namespace: str, dataset_name: str, field: str, at: datetime) -> str:
        """A field node of ``dataset`` (what ``node`` makes of it, without a props dict per call)."""
        node_id = field_id(namespace, dataset_name, field)
        row = self.graph.nodes.get(node_id)
        if row is None:
            self.graph.nodes[node_id] = NodeRow(node_id, NodeKind.FIELD, namespace, field, at, at,
                                                {"dataset": dataset, "field": field})
        elif at >= row.last_seen:
            props = row.props
            if props.get("dataset") != dataset or props.get("field") != field:  # ids are not escaped: rare
                props.update(dataset=dataset, field=field)
            row.last_seen = at
        elif at < row.first_seen:
            row.first_seen = at
        return node_id

    def edge(self, src: str, dst: str, rel: Rel, at: datetime, run: str | None,
             props: dict[str, object] | None = None) -> None:
        key = (src, dst, rel)
        row = self.graph.edges.get(key)
        if row is None:
            self.graph.edges[key] = EdgeRow(src, dst, rel, at, at, run, dict(props) if props else {})
            return
        if at > row.last_seen or (at == row.last_seen and row.last_run_id is None):
            if run:
                row.last_run_id = run
            if props:
                row.props.update(props)
            row.last_seen = at
        elif at < row.first_seen:
            row.first_seen = at

    # -- one event ---------------------------------------------------------------------------------
    def add(self, event: ParsedEvent) -> None:
        at = event.event_time
        job = None
        if event.has_job:
            assert event.job_namespace is not None and event.job_name is not None
            job = self.job(event, at)
        for ref in event.inputs:
            ds = self.dataset(ref, at, event.run_id, output=False)
            if job:
                self.edge(ds, job, Rel.INPUT_TO, at, event.run_id)
        for ref in event.outputs:
            ds = self.dataset(ref, at, event.run_id, output=True)
            if job:
                self.edge(job, ds, Rel.OUTPUTS, at, event.run_id)
        if event.dataset is not None:
            self.dataset(event.dataset, at, None, output=False)
        if event.kind is EventKind.RUN and job and event.run_id:
            self.run(event, job, at)

    def job(self, event: ParsedEvent, at: datetime) -> str:
        ns, name = event.job_namespace or "", event.job_name or ""
        node = job_id(ns, name)
        self.node(node, NodeKind.JOB, ns, name, at)
        parent = F.parent(event.run_facets)
        if parent is not None and (parent.job_namespace, parent.job_name) != (ns, name):
            parent_node = job_id(parent.job_namespace, parent.job_name)
            self.node(parent_node, NodeKind.JOB, parent.job_namespace, parent.job_name, at)
            self.edge(node, parent_node, Rel.CHILD_OF, at, event.run_id)
            _put(self.state.jobs, (parent.job_namespace, parent.job_name),
                 JobRecord(parent.job_namespace, parent.job_name, at, at))
        is_run = event.kind is EventKind.RUN and event.run_id is not None
        _put(self.state.jobs, (ns, name), JobRecord(
            ns, name, at, at,
            latest_run_id=event.run_id if is_run else None,
            latest_run_time=at if is_run else None,
            parent_namespace=parent.job_namespace if parent else None,
            parent_name=parent.job_name if parent else None,
            facets=TimedFacets.of(event.job_facets, at)))
        return node

    def dataset(self, ref: DatasetRef, at: datetime, run: str | None, *, output: bool) -> str:
        ns, name = self.canonical(ref.namespace, ref.name)
        node = dataset_id(ns, name)
        self.node(node, NodeKind.DATASET, ns, name, at)
        columns = self.columns_of(ref.facets)
        version = columns.version
        if columns.fields is not None and version is not None:
            for f in columns.fields:
                self.edge(self.field(node, ns, name, f.name, at), node, Rel.IN, at, run)
            _put(self.state.versions, (ns, name, version), VersionRecord(
                ns, name, version, tuple(f.as_dict() for f in columns.fields), at, run))
        for d in columns.derivations:
            self.derivation(d, ns, name, node, at, run)
        facets = {**ref.facets, **ref.input_facets, **ref.output_facets}
        _put(self.state.datasets, (ns, name), DatasetRecord(
            ns, name, at, at, current_version=version, version_time=at if version else None,
            facets=TimedFacets.of(facets, at)))
        if run:
            direction = "output" if output else "input"
            key = (run, ns, name, direction)
            previous = self.state.run_datasets.get(key)
            self.state.run_datasets[key] = RunDataset(
                run, ns, name, direction, version or (previous.version if previous else None))
        return node

    def derivation(self, d: F.Derivation, ns: str, name: str, node: str, at: datetime,
                   run: str | None) -> None:
        src_ns, src_name = self.canonical(d.source_namespace, d.source_dataset)
        src_ds = dataset_id(src_ns, src_name)
        self.node(src_ds, NodeKind.DATASET, src_ns, src_name, at)
        src = self.field(src_ds, src_ns, src_name, d.source_field, at)
        self.edge(src, src_ds, Rel.IN, at, run)
        dst = self.field(node, ns, name, d.target_field, at)
        self.edge(dst, node, Rel.IN, at, run)
        self.edge(src, dst, Rel.DERIVES, at, run, {
            "type": d.type, "subtype": d.subtype, "description": d.description,
            "subtypes": list(d.subtypes)})

    def run(self, event: ParsedEvent, job: str, at: datetime) -> None:
        assert event.run_id is not None
        state = event.event_type or RunState.OTHER
        started = at if state is RunState.START else None
        ended = at if state.terminal else None
        parent = F.parent(event.run_facets)
        nominal = event.run_facets.get("nominalTime") or {}
        record = RunRecord(
            run_id=event.run_id, job_namespace=event.job_namespace or "", job_name=event.job_name or "",
            state=state, state_time=at, first_seen=at, last_seen=at, started_at=started, ended_at=ended,
            parent_run_id=parent.run_id if parent else None,
            nominal_start=nominal.get("nominalStartTime"), nominal_end=nominal.get("nominalEndTime"),
            facets=TimedFacets.of(event.run_facets, at))
        _put(self.state.runs, event.run_id, record)
        merged = self.state.runs[event.run_id]
        self.graph.runs[event.run_id] = RunNodeRow(
            run_id=event.run_id, job=job, state=merged.state.value, rank=merged.state.rank,
            state_time=merged.state_time, first_seen=merged.first_seen, last_seen=merged.last_seen,
            started_at=merged.started_at, ended_at=merged.ended_at)


def build(events: Iterable[ParsedEvent], aliases: Aliases, normalize: Normalize = same_name) -> Projection:
    """Project ``events`` (any order) given the aliases already known and the naming rules
    (``normalize``, from the ``normalize_dataset`` hook); see the module docstring."""
    events = list(events)
    learned = learn_aliases(events, aliases, normalize)
    builder = _Builder({**aliases, **learned}, normalize)
    for event in events:
        builder.add(event)
    builder.state.aliases = learned
    builder.graph.merges = {dataset_id(*alias): dataset_id(*canonical) for alias, canonical in learned.items()}
    return Projection(state=builder.state, graph=builder.graph)
