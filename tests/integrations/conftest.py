"""Fixtures for the producer end-to-end tests: the producers' own virtualenvs (made by scripts/e2e-*.sh, cached
under ~/.cache/lineagelens/venvs), real receivers, and the event counts printed at the end of the run."""

from __future__ import annotations

import json
import os
import shlex
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lineagelens.integrations.cli import airflow_config as airflow_config_command
from tests.integrations.support import ROOT, Receiver, producer_python, run

EXAMPLE_DAGS = ROOT / "integrations" / "airflow" / "example_dags"
ASSETS_DAG = "lineagelens_example_assets"
FAILING_DAG = "lineagelens_example_failing"
AIRFLOW_NAMESPACE = "airflow-e2e"

COUNTS = pytest.StashKey[dict[str, str]]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[COUNTS] = {}


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    counts = config.stash.get(COUNTS, {})
    if counts:
        terminalreporter.section("producer end-to-end")
        for name, line in counts.items():
            terminalreporter.write_line(f"{name}: {line}")


@pytest.fixture(scope="session")
def report(pytestconfig: pytest.Config) -> Callable[[str, str], None]:
    """``report(name, text)``: a line for the end-of-run summary (pytest -s is not needed)."""

    def add(name: str, text: str) -> None:
        pytestconfig.stash[COUNTS][name] = text

    return add


@pytest.fixture(scope="session")
def receivers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Receiver]]:
    """``receivers(name, api_keys="")`` starts a real receiver; all are stopped at the end of the session."""
    started: list[Receiver] = []

    def start(name: str, api_keys: str = "") -> Receiver:
        receiver = Receiver(tmp_path_factory.mktemp(f"receiver-{name}"), api_keys=api_keys).start()
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.stop()


# ---- Airflow -----------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def airflow_python() -> Path:
    return producer_python("e2e-airflow.sh")


@dataclass
class AirflowHome:
    """An AIRFLOW_HOME with the example DAGs and a migrated SQLite metadata database."""

    python: Path
    home: Path
    data: Path
    base_env: dict[str, str] = field(default_factory=dict)

    @property
    def airflow(self) -> str:
        return str(self.python.with_name("airflow"))

    def env(self, **extra: str) -> dict[str, str]:
        return {**self.base_env, **extra}

    def dags_test(self, dag_id: str, env: dict[str, str], name: str) -> tuple[int, float, str]:
        return run([self.airflow, "dags", "test", dag_id], env=env, cwd=self.home,
                   log_path=self.home / f"{name}.log")


@pytest.fixture(scope="session")
def airflow_home(airflow_python: Path, tmp_path_factory: pytest.TempPathFactory) -> AirflowHome:
    home = tmp_path_factory.mktemp("airflow-home")
    dags = home / "dags"
    dags.mkdir()
    for dag in EXAMPLE_DAGS.glob("*.py"):
        shutil.copy(dag, dags / dag.name)
    data = home / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "OPENLINEAGE", "LINEAGELENS"))}
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__API_AUTH__JWT_SECRET": "lineagelens-e2e-jwt-secret",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "passwords.json"),
        "LINEAGELENS_EXAMPLE_DATA": str(data),
    })
    (home / "passwords.json").write_text(json.dumps({"admin": "lineagelens-e2e"}), encoding="utf-8")
    airflow = AirflowHome(python=airflow_python, home=home, data=data, base_env=env)
    code, _, output = run([airflow.airflow, "db", "migrate"], env=env, cwd=home, log_path=home / "migrate.log")
    if code != 0:
        pytest.fail(f"airflow db migrate failed:\n{output[-4000:]}", pytrace=False)
    return airflow


def airflow_config_output(*args: str) -> str:
    """The output of ``lineagelens airflow-config ARGS``."""
    result = CliRunner().invoke(airflow_config_command, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def provider_env(url: str, *, api_key: str | None = None) -> dict[str, str]:
    """What ``lineagelens airflow-config --url URL --namespace airflow-e2e --format env`` prints, as a mapping."""
    text = airflow_config_output("--url", url, "--namespace", AIRFLOW_NAMESPACE, "--format", "env",
                                 *(["--api-key", api_key] if api_key else []))
    return dict(shlex.split(line.removeprefix("export "))[0].split("=", 1) for line in text.splitlines()
                if line.startswith("export "))


@dataclass
class AirflowRuns:
    receiver: Receiver
    results: dict[str, tuple[int, float, str]]


@pytest.fixture(scope="session")
def airflow_runs(airflow_home: AirflowHome, receivers: Callable[..., Receiver],
                 report: Callable[[str, str], None]) -> AirflowRuns:
    """``airflow dags test`` of both example DAGs against one receiver, with the settings airflow-config
    prints (gzip, short timeout, bounded retry)."""
    receiver = receivers("airflow")
    env = airflow_home.env(**provider_env(receiver.url, api_key=receiver.ingest_key))
    results = {dag: airflow_home.dags_test(dag, env, dag) for dag in (ASSETS_DAG, FAILING_DAG)}
    report("airflow e2e", f"{len(receiver.events())} events received from `airflow dags test` of "
           f"{ASSETS_DAG} ({results[ASSETS_DAG][1]:.1f} s) and {FAILING_DAG} ({results[FAILING_DAG][1]:.1f} s)")
    return AirflowRuns(receiver=receiver, results=results)


# ---- Spark -------------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def spark_python() -> Path:
    return producer_python("e2e-spark.sh")
