"""Example DAG: two tasks linked by a ``file://`` asset, so LineageLens shows

    raw_orders.csv  ->  [extract_orders]  ->  orders.csv  ->  [summarize_orders]  ->  order_totals.csv

The tasks really read and write the files (under ``$LINEAGELENS_EXAMPLE_DATA``, default
``/tmp/lineagelens-example``). The OpenLineage provider turns each task's ``inlets``/``outlets`` into input and
output datasets (namespace ``file``) and links each task job to the DAG job through the ``parent`` run facet.

Copy this file into your ``dags_folder`` and run ``airflow dags test lineagelens_example_assets``.
"""

from __future__ import annotations

import csv
import logging
import os
from datetime import datetime
from pathlib import Path

from airflow.sdk import DAG, Asset, task  # type: ignore[import-not-found, unused-ignore]

log = logging.getLogger(__name__)

DATA = Path(os.environ.get("LINEAGELENS_EXAMPLE_DATA", "/tmp/lineagelens-example"))
RAW = Asset(f"file://{DATA}/raw_orders.csv")
ORDERS = Asset(f"file://{DATA}/orders.csv")
TOTALS = Asset(f"file://{DATA}/order_totals.csv")

with DAG(
    dag_id="lineagelens_example_assets",
    description="Two tasks linked by file:// assets (LineageLens example)",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["lineagelens", "example"],
):

    @task(inlets=[RAW], outlets=[ORDERS])
    def extract_orders() -> int:
        """Copy the raw orders, dropping cancelled ones (writes a sample raw file the first time)."""
        DATA.mkdir(parents=True, exist_ok=True)
        raw = DATA / "raw_orders.csv"
        if not raw.exists():
            raw.write_text("order_id,customer,amount,status\n1,ada,12.50,paid\n2,bob,3.00,cancelled\n"
                           "3,ada,7.25,paid\n4,cy,20.00,paid\n", encoding="utf-8")
        with raw.open(encoding="utf-8") as src, (DATA / "orders.csv").open("w", encoding="utf-8") as dst:
            rows = [r for r in csv.DictReader(src) if r["status"] != "cancelled"]
            writer = csv.DictWriter(dst, fieldnames=["order_id", "customer", "amount"], extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
        log.info("kept %d orders", len(rows))
        return len(rows)

    @task(inlets=[ORDERS], outlets=[TOTALS])
    def summarize_orders(count: int) -> None:
        """Total the orders per customer."""
        totals: dict[str, float] = {}
        with (DATA / "orders.csv").open(encoding="utf-8") as src:
            for row in csv.DictReader(src):
                totals[row["customer"]] = totals.get(row["customer"], 0.0) + float(row["amount"])
        with (DATA / "order_totals.csv").open("w", encoding="utf-8") as dst:
            dst.write("customer,total\n")
            dst.writelines(f"{name},{total:.2f}\n" for name, total in sorted(totals.items()))
        log.info("%d orders, %d customers", count, len(totals))

    summarize_orders(extract_orders())
