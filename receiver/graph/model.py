"""What the graph stores hold: node ids, node and edge kinds, the write batch and query answers.

Node ids follow Marquez: ``dataset:{namespace}:{name}``, ``job:{namespace}:{name}``,
``datasetField:{namespace}:{dataset}:{field}``; runs are ``run:{runId}``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class NodeKind(enum.StrEnum):
    DATASET = "dataset"
    JOB = "job"
    FIELD = "datasetField"
    RUN = "run"
    SOURCE = "source"  # a user-managed data system (a Postgres, a Kafka ...), from the sources API

    @property
    def label(self) -> str:
        """The Neo4j label of this kind of node."""
        return _LABELS[self]


_LABELS = {NodeKind.DATASET: "Dataset", NodeKind.JOB: "Job", NodeKind.FIELD: "Field", NodeKind.RUN: "Run",
           NodeKind.SOURCE: "Source"}


class Rel(enum.StrEnum):
    INPUT_TO = "INPUT_TO"  # (Dataset)->(Job)
    OUTPUTS = "OUTPUTS"  # (Job)->(Dataset)
    CHILD_OF = "CHILD_OF"  # (Job)->(Job), from the parent run facet
    OF = "OF"  # (Run)->(Job)
    IN = "IN"  # (Field)->(Dataset)
    DERIVES = "DERIVES"  # (Field)->(Field), from columnLineage: source field -> derived field
    FLOWS_TO = "FLOWS_TO"  # manual lineage drawn by a person


_PREFIXES = tuple((f"{kind.value}:", kind) for kind in NodeKind)


def kind_of(node_id: str) -> NodeKind | None:
    """The kind a node id names by its prefix (``dataset:…`` → DATASET); None for an id of no known form."""
    for prefix, kind in _PREFIXES:
        if node_id.startswith(prefix):
            return kind
    return None


# Edges that carry data from upstream to downstream: what lineage traversals follow.
FLOW_RELS: tuple[Rel, ...] = (Rel.INPUT_TO, Rel.OUTPUTS, Rel.FLOWS_TO)


class Direction(enum.StrEnum):
    UPSTREAM = "upstream"
    DOWNSTREAM = "downstream"
    BOTH = "both"


def dataset_id(namespace: str, name: str) -> str:
    return f"dataset:{namespace}:{name}"


def job_id(namespace: str, name: str) -> str:
    return f"job:{namespace}:{name}"


def field_id(namespace: str, dataset: str, field_name: str) -> str:
    return f"datasetField:{namespace}:{dataset}:{field_name}"


def run_id(run: str) -> str:
    return f"run:{run}"


def source_id(source: str) -> str:
    return f"source:{source}"


@dataclass
class NodeRow:
    id: str
    kind: NodeKind
    namespace: str
    name: str
    first_seen: datetime
    last_seen: datetime
    # Only what queries need (DESIGN §1): a field's dataset id and column name. Props are a function of
    # the node id, so merging them needs no rule; column types live in the state store's versions.
    props: dict[str, Any] = field(default_factory=dict)


@dataclass
class EdgeRow:
    src: str
    dst: str
    rel: Rel
    first_seen: datetime
    last_seen: datetime
    last_run_id: str | None = None
    props: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, Rel]:
        return (self.src, self.dst, self.rel)


@dataclass
class RunNodeRow:
    """A run: its state moves forward only (rank, then the later event on equal rank)."""

    run_id: str
    job: str  # job node id
    state: str
    rank: int
    state_time: datetime
    first_seen: datetime
    last_seen: datetime
    started_at: datetime | None = None
    ended_at: datetime | None = None


@dataclass
class GraphBatch:
    """Writes for one batch of events. Applying a batch is idempotent and order-independent:
    nodes and edges are merged (firstSeen = min, lastSeen = max, lastRunId of the latest event),
    run state only moves forward, and ``merges`` fold an alias dataset node into its canonical node."""

    nodes: dict[str, NodeRow] = field(default_factory=dict)
    edges: dict[tuple[str, str, Rel], EdgeRow] = field(default_factory=dict)
    runs: dict[str, RunNodeRow] = field(default_factory=dict)
    merges: dict[str, str] = field(default_factory=dict)  # alias dataset id -> canonical dataset id

    def __bool__(self) -> bool:
        return bool(self.nodes or self.edges or self.runs or self.merges)


@dataclass(frozen=True)
class Node:
    id: str
    kind: NodeKind
    namespace: str
    name: str
    props: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    rel: Rel
    props: dict[str, Any] = field(default_factory=dict)


@dataclass
class Subgraph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    truncated: bool = False


@dataclass(frozen=True)
class Path:
    """One directed path: node ids from source to target, and the edges between them."""

    nodes: tuple[str, ...]
    edges: tuple[Edge, ...]
