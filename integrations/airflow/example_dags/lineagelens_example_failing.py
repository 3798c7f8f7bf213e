"""Example DAG whose second task fails, so LineageLens records a FAIL run with the error message.

``prepare`` succeeds and writes a file asset; ``load`` reads it and raises. The OpenLineage provider sends the
failed task's FAIL event with an ``errorMessage`` run facet, and the DAG run ends in FAIL.

Run it with ``airflow dags test lineagelens_example_failing`` (the command exits non-zero: that is the point).
"""

from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path

from airflow.sdk import DAG, Asset, task  # type: ignore[import-not-found, unused-ignore]

log = logging.getLogger(__name__)

DATA = Path(os.environ.get("LINEAGELENS_EXAMPLE_DATA", "/tmp/lineagelens-example"))
STAGED = Asset(f"file://{DATA}/staged_payments.csv")

FAILURE_MESSAGE = "lineagelens example failure: payments file has no amount column"

with DAG(
    dag_id="lineagelens_example_failing",
    description="A DAG whose load task fails (LineageLens example)",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    default_args={"retries": 0},
    tags=["lineagelens", "example"],
):

    @task(outlets=[STAGED])
    def prepare() -> None:
        DATA.mkdir(parents=True, exist_ok=True)
        (DATA / "staged_payments.csv").write_text("payment_id,customer\n1,ada\n", encoding="utf-8")

    @task(inlets=[STAGED])
    def load() -> None:
        header = (DATA / "staged_payments.csv").read_text(encoding="utf-8").splitlines()[0]
        if "amount" not in header.split(","):
            raise ValueError(FAILURE_MESSAGE)

    prepare() >> load()
