"""Airflow 3 + the OpenLineage provider, in their own venv, against a real receiver: ``airflow dags test`` of
the example DAGs, then what the receiver holds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integrations.conftest import (
    AIRFLOW_NAMESPACE,
    ASSETS_DAG,
    FAILING_DAG,
    AirflowHome,
    AirflowRuns,
    airflow_config_output,
    provider_env,
)
from tests.integrations.support import Receiver, RecordingProxy, http
from tests.servers import closed_port

pytestmark = pytest.mark.timeout(600)


def file_ids(data: Path, *names: str) -> list[dict[str, str]]:
    return [{"namespace": "file", "name": str(data / name)} for name in names]


def test_dags_test_exit_codes_match_the_dags(airflow_runs: AirflowRuns) -> None:
    assets, failing = airflow_runs.results[ASSETS_DAG], airflow_runs.results[FAILING_DAG]
    assert assets[0] == 0, assets[2][-3000:]
    assert failing[0] != 0 and "lineagelens example failure" in failing[2]


def test_dag_job_and_every_task_job_linked_to_it_by_parent(airflow_runs: AirflowRuns) -> None:
    jobs = airflow_runs.receiver.jobs(AIRFLOW_NAMESPACE)
    assert {ASSETS_DAG, FAILING_DAG} <= set(jobs)
    for dag, tasks in ((ASSETS_DAG, ["extract_orders", "summarize_orders"]), (FAILING_DAG, ["prepare", "load"])):
        assert jobs[dag]["parentJobName"] is None
        children = sorted(name for name, job in jobs.items() if job["parentJobName"] == dag)
        assert children == sorted(f"{dag}.{task}" for task in tasks)


def test_task_runs_point_at_the_dag_run_through_the_parent_facet(airflow_runs: AirflowRuns) -> None:
    receiver = airflow_runs.receiver
    (dag_run,) = receiver.runs(AIRFLOW_NAMESPACE, ASSETS_DAG)
    for task in ("extract_orders", "summarize_orders"):
        (run,) = receiver.runs(AIRFLOW_NAMESPACE, f"{ASSETS_DAG}.{task}")
        parent = run["facets"]["parent"]
        assert parent["run"]["runId"] == dag_run["id"]
        assert (parent["job"]["namespace"], parent["job"]["name"]) == (AIRFLOW_NAMESPACE, ASSETS_DAG)


def test_assets_are_inputs_and_outputs_in_the_right_direction(airflow_runs: AirflowRuns,
                                                               airflow_home: AirflowHome) -> None:
    jobs = airflow_runs.receiver.jobs(AIRFLOW_NAMESPACE)
    data = airflow_home.data
    extract, summarize = jobs[f"{ASSETS_DAG}.extract_orders"], jobs[f"{ASSETS_DAG}.summarize_orders"]
    assert extract["inputs"] == file_ids(data, "raw_orders.csv")
    assert extract["outputs"] == file_ids(data, "orders.csv")
    assert summarize["inputs"] == file_ids(data, "orders.csv")
    assert summarize["outputs"] == file_ids(data, "order_totals.csv")
    # and the graph walks raw -> extract -> orders -> summarize -> totals upstream from the final file
    graph = airflow_runs.receiver.get("/api/v1/lineage/upstream", nodeId=f"dataset:file:{data}/order_totals.csv",
                                      depth=4)["graph"]
    ids = {node["id"] for node in graph}
    assert {f"job:{AIRFLOW_NAMESPACE}:{ASSETS_DAG}.summarize_orders", f"dataset:file:{data}/orders.csv",
            f"job:{AIRFLOW_NAMESPACE}:{ASSETS_DAG}.extract_orders", f"dataset:file:{data}/raw_orders.csv"} <= ids


def test_successful_dag_and_task_runs_are_completed(airflow_runs: AirflowRuns) -> None:
    receiver = airflow_runs.receiver
    for job in (ASSETS_DAG, f"{ASSETS_DAG}.extract_orders", f"{ASSETS_DAG}.summarize_orders"):
        assert [r["state"] for r in receiver.runs(AIRFLOW_NAMESPACE, job)] == ["COMPLETED"], job


def test_failing_dag_records_a_fail_run_with_the_error_message(airflow_runs: AirflowRuns) -> None:
    receiver = airflow_runs.receiver
    (load,) = receiver.runs(AIRFLOW_NAMESPACE, f"{FAILING_DAG}.load")
    assert load["state"] == "FAILED"
    error = load["facets"]["errorMessage"]
    assert error["message"] == "lineagelens example failure: payments file has no amount column"
    assert error["programmingLanguage"] == "python"
    assert [r["state"] for r in receiver.runs(AIRFLOW_NAMESPACE, f"{FAILING_DAG}.prepare")] == ["COMPLETED"]
    assert [r["state"] for r in receiver.runs(AIRFLOW_NAMESPACE, FAILING_DAG)] == ["FAILED"]


def test_events_arrive_gzipped_with_the_api_key_from_openlineage_yml(
        airflow_home: AirflowHome, receivers: Callable[..., Receiver],
        report: Callable[[str, str], None], tmp_path: Path) -> None:
    receiver = receivers("airflow-auth", api_keys="other-key,airflow-key")
    assert http("POST", f"{receiver.url}/api/v1/lineage", body=b"{}",
                headers={"Content-Type": "application/json"})[0] == 401
    proxy = RecordingProxy(receiver.url).start()
    try:
        # the openlineage.yml route of `lineagelens airflow-config --format yaml --api-key airflow-key`
        yml = tmp_path / "openlineage.yml"
        yml.write_text(airflow_config_output("--url", proxy.url, "--api-key", "airflow-key", "--format", "yaml"),
                       encoding="utf-8")
        env = airflow_home.env(AIRFLOW__OPENLINEAGE__CONFIG_PATH=str(yml),
                               AIRFLOW__OPENLINEAGE__NAMESPACE="airflow-auth")
        code, seconds, output = airflow_home.dags_test(ASSETS_DAG, env, "dags-test-auth")
    finally:
        proxy.close()
    assert code == 0, output[-3000:]
    posts = proxy.posts()
    # task START + COMPLETE for two tasks and the DAG COMPLETE (dags test sends no DAG START); a POST retried
    # after a slow answer repeats a body, which the receiver stores once
    assert len({p.event for p in posts}) == 5, [(p.event, p.status) for p in posts]
    assert all(p.headers.get("Authorization") == "Bearer airflow-key" for p in posts), posts
    assert all(p.gzipped_json and p.status == 201 for p in posts), posts
    assert len(receiver.events()) == 5
    report("airflow e2e (gzip + API key)", f"{len(receiver.events())} events received in {seconds:.1f} s")


def test_dags_test_is_not_held_up_when_the_receiver_is_down(airflow_runs: AirflowRuns, airflow_home: AirflowHome,
                                                             report: Callable[[str, str], None]) -> None:
    """The bounded retry: each event costs about a second when nothing listens, not the client default's ~10 s
    (which took a 12 s run to 56 s)."""
    env = airflow_home.env(**provider_env(f"http://127.0.0.1:{closed_port()}"))
    code, seconds, output = airflow_home.dags_test(ASSETS_DAG, env, "dags-test-receiver-down")
    assert code == 0, output[-3000:]
    assert output.count("Failed to emit OpenLineage") >= 5
    baseline = airflow_runs.results[ASSETS_DAG][1]
    report("airflow e2e (receiver down)", f"{ASSETS_DAG} took {seconds:.1f} s (receiver up: {baseline:.1f} s)")
    assert seconds < baseline + 20, (seconds, baseline)

