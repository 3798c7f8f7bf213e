"""PySpark 3.5 with the openlineage-spark listener (resolved through ``spark.jars.packages``), in its own venv,
against a real receiver: the example job reads two CSVs, joins and aggregates them into parquet, and runs a
``CREATE TABLE … AS SELECT`` into a local warehouse."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from lineagelens.integrations.cli import spark_conf
from tests.integrations.support import ROOT, Receiver, RecordingProxy, run

pytestmark = pytest.mark.timeout(600)

JOB = ROOT / "integrations" / "spark" / "examples" / "orders_job.py"
APP = "lineagelens_orders_example"
NAMESPACE = "spark-e2e"


@dataclass
class SparkRun:
    receiver: Receiver
    data: Path


def spark_env(python: Path) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPARK_", "PYSPARK_", "OPENLINEAGE"))}
    env.update(PYSPARK_PYTHON=str(python), SPARK_LOCAL_IP="127.0.0.1")
    return env


@pytest.fixture(scope="module")
def spark_run(spark_python: Path, receivers: Callable[..., Receiver], tmp_path_factory: pytest.TempPathFactory,
              report: Callable[[str, str], None]) -> SparkRun:
    """The example job with ``lineagelens.integrations.spark.configure`` applying the settings in Python."""
    receiver = receivers("spark")
    data = tmp_path_factory.mktemp("spark-data")
    code, seconds, output = run([str(spark_python), str(JOB), "--data", str(data), "--url", receiver.url,
                                 "--api-key", receiver.ingest_key, "--namespace", NAMESPACE],
                                env=spark_env(spark_python), cwd=data,
                                log_path=data / "job.log")
    assert code == 0, output[-4000:]
    report("spark e2e", f"{len(receiver.events())} events received from the example job ({seconds:.1f} s)")
    return SparkRun(receiver=receiver, data=data)


def test_application_job_has_the_action_jobs_as_children(spark_run: SparkRun) -> None:
    jobs = spark_run.receiver.jobs(NAMESPACE)
    assert jobs[APP]["parentJobName"] is None
    assert jobs[APP]["latestRun"]["state"] == "COMPLETED"
    children = {name for name, job in jobs.items() if job["parentJobName"] == APP}
    assert children == set(jobs) - {APP} and len(children) >= 2
    writers = {name for name in children if jobs[name]["outputs"]}
    assert any(name.endswith("out_customer_totals") for name in writers)
    assert any("create_data_source_table_as_select" in name for name in writers)


def test_csv_inputs_and_parquet_and_table_outputs(spark_run: SparkRun) -> None:
    jobs = spark_run.receiver.jobs(NAMESPACE)
    data = spark_run.data
    csvs = [{"namespace": "file", "name": f"{data}/customers.csv"}, {"namespace": "file", "name": f"{data}/orders.csv"}]
    parquet = next(job for name, job in jobs.items() if name.endswith("out_customer_totals"))
    assert parquet["inputs"] == csvs
    assert parquet["outputs"] == [{"namespace": "file", "name": f"{data}/out/customer_totals"}]
    ctas = next(job for name, job in jobs.items() if "create_data_source_table_as_select" in name)
    assert ctas["inputs"] == csvs
    assert ctas["outputs"] == [{"namespace": "file", "name": f"{data}/warehouse/country_totals"}]
    datasets = spark_run.receiver.get("/api/v1/namespaces/file/datasets", limit=1000)["datasets"]
    fields = {d["name"]: [f["name"] for f in d["fields"]] for d in datasets}
    assert fields[f"{data}/warehouse/country_totals"] == ["country", "revenue"]


def test_table_is_fetched_through_its_symlink_alias(spark_run: SparkRun) -> None:
    """The CTAS output carries a ``symlinks`` facet naming the table (``default.country_totals`` in the
    warehouse namespace): that alias node id resolves to the file dataset."""
    warehouse, table = f"file:{spark_run.data}/warehouse", f"{spark_run.data}/warehouse/country_totals"
    graph = spark_run.receiver.get("/api/v1/lineage", nodeId=f"dataset:{warehouse}:default.country_totals",
                                   depth=1)["graph"]
    node = next(n for n in graph if n["type"] == "DATASET")
    assert node["id"] == f"dataset:file:{table}"
    assert any(e["origin"].endswith("create_data_source_table_as_select_command.default_country_totals")
               for e in node["inEdges"])


def column_sources(receiver: Receiver, dataset: str, field: str) -> set[str]:
    graph = receiver.get("/api/v1/column-lineage", nodeId=f"datasetField:file:{dataset}:{field}", depth=10)["graph"]
    return {n["id"].removeprefix("datasetField:file:") for n in graph} - {f"{dataset}:{field}"}


def test_column_lineage_leads_from_output_columns_back_to_csv_columns(spark_run: SparkRun) -> None:
    data, receiver = spark_run.data, spark_run.receiver
    totals = f"{data}/out/customer_totals"
    assert f"{data}/orders.csv:amount" in column_sources(receiver, totals, "total_amount")
    assert f"{data}/customers.csv:name" in column_sources(receiver, totals, "name")
    assert f"{data}/orders.csv:order_id" in column_sources(receiver, totals, "order_count")
    revenue = column_sources(receiver, f"{data}/warehouse/country_totals", "revenue")
    assert f"{data}/orders.csv:amount" in revenue
    assert not any(source.startswith(f"{data}/warehouse") for source in revenue)


def test_spark_submit_with_spark_conf_flags_sends_gzip_with_the_api_key(
        spark_python: Path, receivers: Callable[..., Receiver], tmp_path: Path,
        report: Callable[[str, str], None]) -> None:
    receiver = receivers("spark-auth", api_keys="spark-key")
    proxy = RecordingProxy(receiver.url).start()
    try:
        flags = CliRunner().invoke(spark_conf, ["--url", proxy.url, "--api-key", "spark-key", "--namespace",
                                                "spark-auth", "--spark-version", "3.5.9", "--format", "submit"])
        assert flags.exit_code == 0, flags.output
        submit = str(spark_python.with_name("spark-submit"))
        code, seconds, output = run([submit, "--master", "local[2]", *shlex.split(flags.output), str(JOB),
                                     "--data", str(tmp_path)], env=spark_env(spark_python), cwd=tmp_path,
                                    log_path=tmp_path / "spark-submit.log")
    finally:
        proxy.close()
    assert code == 0, output[-4000:]
    posts = proxy.posts()
    assert posts and all(p.headers.get("Authorization") == "Bearer spark-key" for p in posts), posts
    assert all(p.gzipped_json and p.status == 201 for p in posts), posts
    events = receiver.events()
    assert len(events) == len({p.event for p in posts}), [(p.event, p.status) for p in posts]
    assert {e["job"]["namespace"] for e in events} == {"spark-auth"}
    report("spark e2e (spark-submit, gzip + API key)", f"{len(events)} events received in {seconds:.1f} s")
