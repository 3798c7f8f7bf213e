"""Where an ingested event's time goes: the receiver's ingest path run in-process, one thread, with each
stage wrapped in a timer (the receiver's code is not changed; its objects are wrapped from outside).

    python -m bench.profile_ingest [--backends sqlite,pg-neo4j] [--events 300] [--batch 1]

``--batch 1`` is ``POST /api/v1/lineage`` with inline projection; ``--batch 100`` is the batch endpoint.
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import common, events

log = logging.getLogger(__name__)

STAGES = (  # (label, object path under the services, method)
    ("validate at ingest (marshmallow + facet JSON Schemas)", "ingestor", "parse"),
    ("event log append (commit)", "events", "append"),
    ("projection: read pending events", "events", "pending"),
    ("projection: aliases lookup", "records", "aliases_for"),
    ("projection: graph store apply", "graph", "apply"),
    ("projection: state records (merge reads, upserts, changes, projected marks)", "projector", "_write_records"),
)


def _wrap(totals: dict[str, float], label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def timed(*args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            totals[label] += time.perf_counter() - t

    return timed


def profile(backend: str, n_events: int, batch: int, workdir: Path) -> tuple[float, dict[str, float]]:
    from lineagelens.receiver import create_app, services
    from lineagelens.receiver.projection import projector as projector_module

    if backend == "sqlite":
        db = workdir / "profile.db"
        for stale in workdir.glob(f"{db.name}*"):
            stale.unlink()
        config = {"DATABASE_URL": f"sqlite:///{db}", "GRAPH_URL": ""}
    else:
        common.reset_postgres()
        common.reset_neo4j()
        config = {"DATABASE_URL": common.PG_URL, "GRAPH_URL": common.NEO4J_URL}
    s = services.get(create_app({**config, "WORKER_ENABLED": False, "PROJECTION_MODE": "inline"}))
    tpls = events.templates()
    raws = []
    for i in range(n_events // 2 + 50):
        t, run_id = tpls[i % len(tpls)], events.new_run_id()
        raws += [json.loads(events.fill(t.start, run_id)), json.loads(events.fill(t.complete, run_id))]
    warm, raws = raws[:100], raws[100:100 + n_events]
    for raw in warm:  # the graph and aliases exist, as in a running system
        s.ingestor.ingest(raw)
    totals: dict[str, float] = defaultdict(float)
    for label, owner, method in STAGES:
        obj = getattr(s, owner)
        setattr(obj, method, _wrap(totals, label, getattr(obj, method)))
    original_parse = projector_module.parse_event
    projector_module.parse_event = _wrap(totals, "projection: validate again (parse_event)", original_parse)
    try:
        began = time.perf_counter()
        for i in range(0, len(raws), batch):
            if batch == 1:
                s.ingestor.ingest(raws[i])
            else:
                s.ingestor.ingest_batch(raws[i:i + batch])
        elapsed = time.perf_counter() - began
    finally:
        projector_module.parse_event = original_parse
        s.close()
    return elapsed / len(raws) * 1000, {k: v / len(raws) * 1000 for k, v in totals.items()}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--backends", default="sqlite,pg-neo4j")
    p.add_argument("--events", type=int, default=300)
    p.add_argument("--batch", type=int, default=1)
    a = p.parse_args()
    logging.basicConfig(level=logging.WARNING)
    workdir = Path(tempfile.mkdtemp(prefix="ll-profile-"))
    for backend in [b.strip() for b in a.backends.split(",") if b.strip()]:
        total, stages = profile(backend, a.events, a.batch, workdir)
        rows = [[label, fmt2(ms), f"{ms / total:.0%}"] for label, ms in sorted(stages.items(), key=lambda kv: -kv[1])]
        rows.append(["everything else (HTTP not included)", fmt2(total - sum(stages.values())),
                     f"{1 - sum(stages.values()) / total:.0%}"])
        rows.append(["**total per event**", fmt2(total), "100%"])
        print(f"\n{backend}, {a.events} events, {'single-event ingest' if a.batch == 1 else f'batches of {a.batch}'}"
              f", inline projection: {1000 / total:,.0f} events/s on one thread\n")
        print(common.table(["stage", "ms/event", "share"], rows))


def fmt2(ms: float) -> str:
    return f"{ms:.2f}"


if __name__ == "__main__":
    main()
