"""Events and helpers for the alert tests: a pipeline of jobs whose runs start and end, with owners,
row counts, assertions and schemas as the tests choose."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from lineagelens.receiver import services
from lineagelens.receiver.alerts.service import Alerts
from tests.conftest import make_app

PRODUCER = "https://github.com/lineagelens/lineagelens/tests"
NS = "postgres://db:5432"
LOOPBACK = {"SOURCE_ALLOW_NETWORKS": "127.0.0.0/8,::1/128"}
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def alert_app(tmp_path: Path, **config: Any) -> Flask:
    """A test app whose channels may reach loopback test servers."""
    return make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/state.db", **LOOPBACK, **config})


def alerts(app: Flask) -> Alerts:
    return services.get(app).alerts


def ownership(*owners: str) -> dict[str, Any]:
    return {"ownership": {"_producer": PRODUCER,
                          "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/OwnershipDatasetFacet.json",
                          "owners": [{"name": o, "type": "team"} for o in owners]}}


def dataset(name: str, *, owners: tuple[str, ...] = (), columns: dict[str, str] | None = None,
            output_facets: dict[str, Any] | None = None, input_facets: dict[str, Any] | None = None,
            ) -> dict[str, Any]:
    facets: dict[str, Any] = {**(ownership(*owners) if owners else {})}
    if columns is not None:
        facets["schema"] = {"_producer": PRODUCER,
                            "_schemaURL": "https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json",
                            "fields": [{"name": k, "type": v} for k, v in columns.items()]}
    body: dict[str, Any] = {"namespace": NS, "name": name, "facets": facets}
    if output_facets:
        body["outputFacets"] = output_facets
    if input_facets:
        body["inputFacets"] = input_facets
    return body


def run(job: str, state: str, *, inputs: list[dict[str, Any]] = (), outputs: list[dict[str, Any]] = (),  # type: ignore[assignment]
        start: datetime = T0, seconds: float = 60, error: str | None = None, job_owners: tuple[str, ...] = (),
        ) -> list[dict[str, Any]]:
    """A START and a terminal event of one new run of ``job``."""
    run_id = str(uuid.uuid4())
    job_body: dict[str, Any] = {"namespace": "etl", "name": job}
    if job_owners:
        job_body["facets"] = {"ownership": {**ownership(*job_owners)["ownership"],
                              "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/OwnershipJobFacet.json"}}
    end_run: dict[str, Any] = {"runId": run_id}
    if error:
        end_run["facets"] = {"errorMessage": {
            "_producer": PRODUCER, "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json",
            "message": error, "programmingLanguage": "python"}}
    common = {"producer": PRODUCER, "job": job_body, "inputs": list(inputs), "outputs": list(outputs)}
    return [{**common, "eventType": "START", "eventTime": start.isoformat(), "run": {"runId": run_id}},
            {**common, "eventType": state, "eventTime": (start + timedelta(seconds=seconds)).isoformat(),
             "run": end_run}]


def post(client: FlaskClient, events: list[dict[str, Any]]) -> None:
    for event in events:
        response = client.post("/api/v1/lineage", json=event)
        assert response.status_code == 201, response.get_json()


def create(client: FlaskClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code == 201, response.get_json()
    answer: dict[str, Any] = response.get_json()
    return answer
