"""The example Grafana dashboard (docs/grafana) queries only metrics the receiver really exposes."""

from __future__ import annotations

import json
import re
from pathlib import Path

from lineagelens.receiver.metrics import Metrics

DASHBOARD = Path(__file__).resolve().parents[2] / "docs" / "grafana" / "lineagelens-dashboard.json"


def test_every_metric_the_dashboard_queries_is_exposed() -> None:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    queried = {m for p in panels for t in p["targets"] for m in re.findall(r"lineagelens_[a-z_]+", t["expr"])}
    # labelled metrics have no samples until used: compare with the series names each family will expose
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}
    metrics = Metrics()
    metrics.watch_backlog(lambda: 0)  # read from the event log at scrape time, as wiring.py sets it up
    exposed = {family.name + suffix for family in metrics.registry.collect()
               for suffix in suffixes.get(family.type, ("",))}
    assert queried and queried <= exposed, sorted(queried - exposed)
