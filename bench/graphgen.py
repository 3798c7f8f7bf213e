"""A synthetic lineage graph for the query benchmark: a layered DAG of datasets and jobs.

Dataset layer 0 holds the sources (10 % of the datasets); job layer k (1..L) writes dataset layer k: each
job writes 2 neighbouring datasets (so every produced dataset has one or two writers) and reads its inputs
(on average (edges - 2 * jobs) / jobs of them) from earlier layers: mostly the previous one (geometric
distance), at a position near its own (Gaussian, ``spread`` of the layer's width). That locality is what
real warehouses look like (a mart reads its own domain's staging tables), and it keeps a depth-10 upstream
cone large (hundreds to thousands of nodes) but bounded instead of swallowing whole layers.
"""

from __future__ import annotations

import random
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from lineagelens.receiver.graph.model import EdgeRow, GraphBatch, NodeKind, NodeRow, Rel, dataset_id, job_id

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Graph:
    layers: int
    datasets: list[list[str]]  # dataset ids per dataset layer (0 = sources)
    jobs: list[list[str]]  # job ids per job layer (index 0 unused)
    edges: list[tuple[str, str, Rel]] = field(default_factory=list)
    parents: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # upstream adjacency
    names: dict[str, tuple[NodeKind, str, str]] = field(default_factory=dict)  # id -> (kind, namespace, name)

    @property
    def node_count(self) -> int:
        return sum(map(len, self.datasets)) + sum(map(len, self.jobs))

    def late_datasets(self, last: int = 5) -> list[str]:
        return [d for layer in self.datasets[-last:] for d in layer]

    def upstream(self, start: str, depth: int) -> dict[str, int]:
        """Node -> edge distance, breadth-first against the edges (the ground truth for a traversal)."""
        seen = {start: 0}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            if seen[node] == depth:
                continue
            for parent in self.parents[node]:
                if parent not in seen:
                    seen[parent] = seen[node] + 1
                    queue.append(parent)
        return seen


def generate(*, datasets: int, jobs: int, edges: int, layers: int = 30, spread: float = 0.01,
             seed: int = 42) -> Graph:
    rng = random.Random(seed)
    sources = max(1, datasets // 10)
    per_layer = (datasets - sources) // layers
    ds_layers: list[list[str]] = []
    job_layers: list[list[str]] = [[]]
    g = Graph(layers, ds_layers, job_layers)

    def node(kind: NodeKind, namespace: str, name: str) -> str:
        node_id = (dataset_id if kind is NodeKind.DATASET else job_id)(namespace, name)
        g.names[node_id] = (kind, namespace, name)
        return node_id

    ds_layers.append([node(NodeKind.DATASET, "s3://raw-zone", f"landing/source_{i:06d}") for i in range(sources)])
    for k in range(1, layers + 1):
        count = per_layer + (datasets - sources - per_layer * layers if k == layers else 0)
        namespace = f"postgres://warehouse-{k % 4}.example:5432"
        ds_layers.append([node(NodeKind.DATASET, namespace, f"analytics.l{k:02d}_table_{i:06d}")
                          for i in range(count)])
    jobs_per_layer = jobs // layers
    mean_inputs = max(1.0, (edges - 2 * jobs) / jobs)
    for k in range(1, layers + 1):
        count = jobs_per_layer + (jobs - jobs_per_layer * layers if k == layers else 0)
        layer_jobs = [node(NodeKind.JOB, f"airflow-{k % 3}", f"dag_l{k:02d}.task_{p:06d}") for p in range(count)]
        job_layers.append(layer_jobs)
        outs = ds_layers[k]
        for p, job in enumerate(layer_jobs):
            x = (p + 0.5) / count  # the job's position across the layer, in [0, 1)
            first = min(int(x * len(outs)), len(outs) - 1)
            for q in (first, (first + 1) % len(outs)):
                g.edges.append((job, outs[q], Rel.OUTPUTS))
                g.parents[outs[q]].append(job)
            n_inputs = int(mean_inputs) + (rng.random() < mean_inputs % 1)
            n_inputs = max(1, n_inputs + rng.choice((-1, 0, 1)))
            chosen: set[str] = set()
            while len(chosen) < n_inputs:
                back = 1
                while rng.random() < 0.4 and back < k:  # geometric: mostly the previous layer
                    back += 1
                layer = ds_layers[k - back]
                q = int((x + rng.gauss(0.0, spread)) % 1.0 * len(layer))
                chosen.add(layer[min(q, len(layer) - 1)])
            for ds in sorted(chosen):
                g.edges.append((ds, job, Rel.INPUT_TO))
                g.parents[job].append(ds)
    return g


def _when(rng: random.Random) -> tuple[datetime, datetime]:
    first = EPOCH + timedelta(minutes=rng.randrange(60 * 24 * 90))
    return first, first + timedelta(minutes=rng.randrange(60 * 24 * 30))


def batches(g: Graph, size: int, seed: int = 1) -> Iterator[tuple[str, GraphBatch]]:
    """The graph as GraphBatches of at most ``size`` rows: every node first, then every edge (an edge
    needs both ends to exist in the Neo4j store)."""
    rng = random.Random(seed)
    batch = GraphBatch()
    for node_id, (kind, namespace, name) in g.names.items():
        batch.nodes[node_id] = NodeRow(node_id, kind, namespace, name, *_when(rng))
        if len(batch.nodes) >= size:
            yield "nodes", batch
            batch = GraphBatch()
    if batch:
        yield "nodes", batch
        batch = GraphBatch()
    for src, dst, rel in g.edges:
        first, last = _when(rng)
        batch.edges[(src, dst, rel)] = EdgeRow(src, dst, rel, first, last, f"{rng.getrandbits(128):032x}")
        if len(batch.edges) >= size:
            yield "edges", batch
            batch = GraphBatch()
    if batch:
        yield "edges", batch
