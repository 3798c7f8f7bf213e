"""The graph store interface. Two implementations answer it: :mod:`.sql` (SQLite or PostgreSQL, recursive
CTEs) and :mod:`.neo4j` (Cypher). One contract suite (``tests/receiver/graph/test_contract.py``) runs
unchanged against both.

Depth counts edges: from a dataset, depth 1 reaches the jobs that read or write it, depth 2 the datasets
on the far side of those jobs.
"""

from __future__ import annotations

import abc
import logging
from collections.abc import Sequence

from lineagelens.receiver.graph.model import (
    FLOW_RELS,
    Direction,
    Edge,
    GraphBatch,
    Node,
    NodeKind,
    Path,
    Rel,
    Subgraph,
)

log = logging.getLogger(__name__)


class GraphUnavailable(Exception):
    """The graph store cannot be reached; projection retries later, reads answer 503."""


class GraphStore(abc.ABC):
    """Lineage topology. Details (facets, runs, versions) live in the state store; nodes here carry only
    what queries need."""

    name: str = "graph"

    @abc.abstractmethod
    def setup(self) -> None:
        """Create tables / constraints and indexes if missing. Safe to call on every start."""

    @abc.abstractmethod
    def ping(self) -> None:
        """Raise :class:`GraphUnavailable` unless the store answers."""

    @abc.abstractmethod
    def apply(self, *, batch: GraphBatch) -> None:
        """Write one batch idempotently (see :class:`GraphBatch`); raise GraphUnavailable on outage."""

    @abc.abstractmethod
    def delete_edges(self, *, keys: Sequence[tuple[str, str, Rel]]) -> None:
        """Remove the edges ``(src, dst, rel)`` that exist (manual lineage taken back by a person)."""

    @abc.abstractmethod
    def delete_nodes(self, *, ids: Sequence[str]) -> None:
        """Remove the nodes that exist, with their edges (a deleted source)."""

    @abc.abstractmethod
    def list_edges(self, *, rel: Rel) -> list[Edge]:
        """Every edge of one type, sorted by (src, dst)."""

    @abc.abstractmethod
    def get_nodes(self, *, ids: Sequence[str]) -> dict[str, Node]:
        """The nodes among ``ids`` that exist, by id."""

    @abc.abstractmethod
    def traverse(self, *, start: Sequence[str], direction: Direction, depth: int, max_nodes: int,
                 rels: Sequence[Rel] = FLOW_RELS) -> Subgraph:
        """Nodes reachable from ``start`` along ``rels`` in ``direction`` within ``depth`` edges, with the
        edges among them that were walked. ``truncated`` is set when ``max_nodes`` cut the answer."""

    @abc.abstractmethod
    def fields_of(self, *, dataset_ids: Sequence[str]) -> dict[str, list[Node]]:
        """The Field nodes of each dataset (by ``IN`` edges)."""

    @abc.abstractmethod
    def shortest_paths(self, *, src: str, dst: str, max_depth: int, limit: int,
                       rels: Sequence[Rel] = FLOW_RELS) -> list[Path]:
        """All shortest directed paths from ``src`` to ``dst`` (at most ``limit``), or []."""

    @abc.abstractmethod
    def search(self, *, q: str, kinds: Sequence[NodeKind], limit: int) -> list[Node]:
        """Nodes whose name or namespace contains ``q`` (case-insensitive); exact and prefix
        matches first, then shorter names."""

    @abc.abstractmethod
    def snapshot(self) -> tuple[list[Node], list[Edge]]:
        """Every node and edge, sorted: used to compare two graphs (rebuild checks, tests)."""

    @abc.abstractmethod
    def clear(self) -> None:
        """Remove every node and edge except Source nodes and manual (``origin: manual``) FLOWS_TO edges
        with their ends: what people made survives a rebuild."""

    @abc.abstractmethod
    def counts(self) -> dict[str, int]:
        """Number of nodes per kind and of edges: ``{"dataset": n, "job": n, "datasetField": n, "run": n,
        "source": n, "edges": m}``."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""
