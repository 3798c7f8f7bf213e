"""Example PySpark job whose lineage LineageLens shows, columns included:

    customers.csv ─┐
                   ├─ join + aggregate ─► <data>/out/customer_totals (parquet)
    orders.csv ────┘                    └► CREATE TABLE country_totals AS SELECT ... (local warehouse)

Run it with the settings applied in Python (``--url``)::

    python orders_job.py --data /tmp/orders-demo --url http://127.0.0.1:5000 [--api-key K] [--namespace NS]

or without ``--url`` under spark-submit with the flags ``lineagelens spark-conf`` prints. The CSV inputs are
written on the first run. Needs only pyspark (3.5: Java 17 works) and, for ``--url``, lineagelens importable —
otherwise pass the settings on the command line.
"""

from __future__ import annotations

import argparse
import logging
import shutil
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

CUSTOMERS = "customer_id,name,country\n1,Ada,UK\n2,Bob,FR\n3,Cy,UK\n"
ORDERS = "order_id,customer_id,amount\n10,1,12.50\n11,1,7.25\n12,2,3.00\n13,3,20.00\n14,3,1.75\n"
CUSTOMERS_SCHEMA = "customer_id INT, name STRING, country STRING"
ORDERS_SCHEMA = "order_id INT, customer_id INT, amount DOUBLE"


def session(args: argparse.Namespace, warehouse: Path) -> Any:
    from pyspark.sql import SparkSession  # type: ignore[import-not-found, unused-ignore]

    builder = (SparkSession.builder.appName("lineagelens_orders_example").master("local[2]")
               .config("spark.sql.warehouse.dir", str(warehouse))
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.ui.enabled", "false"))
    if args.url:
        from lineagelens.integrations.spark import configure

        builder = configure(builder, url=args.url, api_key=args.api_key, namespace=args.namespace)
    return builder.getOrCreate()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="folder for the inputs, outputs and warehouse")
    parser.add_argument("--url", help="LineageLens receiver URL (applies lineagelens' Spark settings)")
    parser.add_argument("--api-key")
    parser.add_argument("--namespace")
    args = parser.parse_args(argv)
    data: Path = args.data.resolve()
    data.mkdir(parents=True, exist_ok=True)
    for name, text in (("customers.csv", CUSTOMERS), ("orders.csv", ORDERS)):
        if not (data / name).exists():
            (data / name).write_text(text, encoding="utf-8")

    spark = session(args, data / "warehouse")
    try:
        from pyspark.sql import functions as F  # type: ignore[import-not-found, unused-ignore]

        customers = spark.read.schema(CUSTOMERS_SCHEMA).option("header", True).csv(str(data / "customers.csv"))
        orders = spark.read.schema(ORDERS_SCHEMA).option("header", True).csv(str(data / "orders.csv"))
        totals = (orders.join(customers, "customer_id")
                  .groupBy("customer_id", "name", "country")
                  .agg(F.sum("amount").alias("total_amount"), F.count("order_id").alias("order_count")))
        totals.write.mode("overwrite").parquet(str(data / "out" / "customer_totals"))
        totals.createOrReplaceTempView("customer_totals_view")
        # The session catalog is in memory: clear the last run's table files so CTAS finds an empty location.
        shutil.rmtree(data / "warehouse" / "country_totals", ignore_errors=True)
        spark.sql("CREATE TABLE country_totals USING parquet AS "
                  "SELECT country, SUM(total_amount) AS revenue FROM customer_totals_view GROUP BY country")
    finally:
        spark.stop()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
