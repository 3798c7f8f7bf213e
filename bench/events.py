"""Realistic OpenLineage RunEvents for the ingest benchmark, shaped like the Spark events in
``tests/data/openlineage/scenarios`` (parent / spark_properties / processing_engine run facets, jobType and
sql job facets, inputs with dataSource + schema + symlinks, an output with schema + columnLineage +
outputStatistics; 5-9 KB of JSON each).

Serialising ~8 KB of JSON per request would make the client the bottleneck, so each job is serialised once
as a START and a COMPLETE template; a run is then two ``bytes.replace`` calls for a fresh runId and time.
Jobs form a chain of pipelines over a shared pool of tables, so the graph stays connected and bounded while
the event log grows.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

PRODUCER = "https://github.com/OpenLineage/OpenLineage/tree/1.23.0/integration/spark"
SPEC = "https://openlineage.io/spec"
RUN_ID = "__RUN_ID__"
EVENT_TIME = "__EVENT_TIME__"
PARENT_RUN_ID = "01929a0e-0000-7000-8000-000000000001"
_TYPES = ("integer", "long", "string", "double", "timestamp", "boolean", "decimal(38,9)", "date")


def _facet(schema: str) -> dict[str, Any]:
    return {"_producer": PRODUCER, "_schemaURL": f"{SPEC}/facets/{schema}"}


def _columns(table: int) -> list[dict[str, str]]:
    """A table's schema: the same in every event that names it (a new schema would mint a version)."""
    rng = random.Random(table)
    names = ["id", "customer_id", "order_ts", "amount", "currency", "country", "status", "updated_at",
             "region", "channel", "sku", "quantity"]
    count = 5 + table % 4
    return [{"name": names[i], "type": rng.choice(_TYPES)} for i in range(count)]


def _dataset(namespace: str, table: int, columns: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "namespace": namespace,
        "name": f"/user/hive/warehouse/sales_{table:05d}",
        "facets": {
            "dataSource": _facet("1-0-1/DatasourceDatasetFacet.json#/$defs/DatasourceDatasetFacet")
            | {"name": namespace, "uri": namespace},
            "schema": _facet("1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet") | {"fields": columns},
            "symlinks": _facet("1-0-1/SymlinksDatasetFacet.json#/$defs/SymlinksDatasetFacet") | {"identifiers": [
                {"namespace": "hive://metastore.example:9083", "name": f"warehouse.sales_{table:05d}",
                 "type": "TABLE"}]},
        },
    }


def _run_event(job_index: int, event_type: str, rng: random.Random) -> dict[str, Any]:
    namespace = f"hdfs://cluster-{job_index % 4}.example:8020"
    ins = [job_index + k for k in range(rng.randint(1, 3))]
    out = job_index + 3
    in_cols = {t: _columns(t) for t in ins}
    out_cols = _columns(out)
    output = _dataset(namespace, out, out_cols)
    sources = [(t, c["name"]) for t in ins for c in in_cols[t]]
    output["facets"]["columnLineage"] = _facet(
        "1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet") | {"fields": {
            col["name"]: {"inputFields": [
                {"namespace": namespace, "name": f"/user/hive/warehouse/sales_{t:05d}", "field": field,
                 "transformations": [{"type": "DIRECT", "subtype": rng.choice(["IDENTITY", "TRANSFORMATION"]),
                                      "description": "", "masking": False}]}
                for t, field in rng.sample(sources, k=min(2, len(sources)))]}
            for col in out_cols}}
    if event_type == "COMPLETE":
        output["outputFacets"] = {"outputStatistics": _facet(
            "1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet")
            | {"rowCount": rng.randint(1, 10**7), "size": rng.randint(1, 10**10)}}
    app = f"etl_app_{job_index // 10:03d}"
    return {
        "eventTime": EVENT_TIME,
        "producer": PRODUCER,
        "schemaURL": f"{SPEC}/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "eventType": event_type,
        "run": {"runId": RUN_ID, "facets": {
            "parent": _facet("1-0-1/ParentRunFacet.json#/$defs/ParentRunFacet") | {
                "run": {"runId": PARENT_RUN_ID}, "job": {"namespace": "default", "name": app}},
            "spark_properties": {"_producer": PRODUCER, "_schemaURL": f"{SPEC}/2-0-2/OpenLineage.json#/$defs/RunFacet",
                                 "properties": {"spark.master": "yarn", "spark.app.name": app}},
            "processing_engine": _facet("1-1-1/ProcessingEngineRunFacet.json#/$defs/ProcessingEngineRunFacet") | {
                "version": "3.5.1", "name": "spark", "openlineageAdapterVersion": "1.23.0"},
        }},
        "job": {"namespace": "default", "name": f"{app}.execute_insert_into_hive_table.sales_{out:05d}", "facets": {
            "jobType": _facet("2-0-3/JobTypeJobFacet.json#/$defs/JobTypeJobFacet") | {
                "processingType": "BATCH", "integration": "SPARK", "jobType": "SQL_JOB"},
            "sql": _facet("1-0-1/SQLJobFacet.json#/$defs/SQLJobFacet") | {
                "query": f"INSERT INTO sales_{out:05d} SELECT " + ", ".join(c["name"] for c in out_cols)
                + " FROM " + " JOIN ".join(f"sales_{t:05d}" for t in ins)},
        }},
        "inputs": [_dataset(namespace, t, in_cols[t]) | {"inputFacets": {}} for t in ins],
        "outputs": [output],
    }


@dataclass(frozen=True)
class RunTemplate:
    start: bytes
    complete: bytes


def templates(jobs: int = 200, seed: int = 7) -> list[RunTemplate]:
    """One START and one COMPLETE template per job (placeholders for runId and eventTime)."""
    rng = random.Random(seed)
    found = []
    for j in range(jobs):
        job_seed = rng.random()  # START and COMPLETE of a job name the same datasets and lineage
        start = json.dumps(_run_event(j, "START", random.Random(job_seed))).encode()
        complete = json.dumps(_run_event(j, "COMPLETE", random.Random(job_seed))).encode()
        found.append(RunTemplate(start, complete))
    return found


def fill(template: bytes, run_id: str) -> bytes:
    """A concrete event: a fresh runId and the current time (so no two events are duplicates)."""
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return template.replace(RUN_ID.encode(), run_id.encode()).replace(EVENT_TIME.encode(), now.encode())


def new_run_id() -> str:
    return str(uuid.uuid4())


if __name__ == "__main__":
    sizes = sorted(len(fill(t.start, new_run_id())) for t in templates())
    print(f"{len(sizes)} START templates, bytes min {sizes[0]} median {sizes[len(sizes) // 2]} max {sizes[-1]}")
