"""The Marquez presenters: records in, Marquez-shaped camelCase JSON out (no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from lineagelens.receiver import marquez
from lineagelens.receiver.openlineage.model import RunState
from lineagelens.receiver.state.queries import NamespaceRow
from lineagelens.receiver.state.records import (
    DatasetRecord,
    JobRecord,
    RunDataset,
    RunRecord,
    TimedFacets,
    VersionRecord,
)

T0 = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def facets(**values: object) -> TimedFacets:
    return TimedFacets.of(dict(values), T0)


def run(state: RunState = RunState.COMPLETE, **kw: object) -> RunRecord:
    base: dict[str, object] = {"run_id": "r1", "job_namespace": "etl", "job_name": "load", "state": state,
                               "state_time": T0, "first_seen": T0, "last_seen": T0 + timedelta(seconds=3)}
    return RunRecord(**{**base, **kw})  # type: ignore[arg-type]


def test_times_are_utc_iso_with_z():
    assert marquez.iso(datetime(2024, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))) == \
        "2024-05-01T10:00:00.000000Z"
    assert marquez.iso(datetime(2024, 5, 1, 10, 0)) == "2024-05-01T10:00:00.000000Z"
    assert marquez.iso(None) is None
    assert marquez.iso_text("2024-05-01T12:00:00+02:00") == "2024-05-01T10:00:00.000000Z"
    assert marquez.iso_text("not a time") == "not a time"


@pytest.mark.parametrize(("state", "shown"), [
    (RunState.START, "RUNNING"), (RunState.RUNNING, "RUNNING"), (RunState.COMPLETE, "COMPLETED"),
    (RunState.FAIL, "FAILED"), (RunState.ABORT, "ABORTED"), (RunState.OTHER, "NEW")])
def test_run_states_map_to_marquez_states(state, shown):
    assert marquez.present_run(run(state))["state"] == shown


def test_run_duration_needs_both_start_and_end():
    assert marquez.present_run(run(started_at=T0))["durationMs"] is None
    done = marquez.present_run(run(started_at=T0, ended_at=T0 + timedelta(milliseconds=1500)))
    assert done["durationMs"] == 1500
    assert done["startedAt"] == "2024-05-01T10:00:00.000000Z"


def test_run_lists_its_dataset_versions_by_direction_and_keeps_run_facets():
    body = marquez.present_run(
        run(facets=facets(nominalTime={"nominalStartTime": "2024-05-01T00:00:00Z"}),
            nominal_start="2024-05-01T00:00:00Z"),
        datasets=[RunDataset("r1", "db", "a", "input", "v1"), RunDataset("r1", "db", "b", "output", None)])
    assert body["inputDatasetVersions"] == [
        {"datasetVersionId": {"namespace": "db", "name": "a", "version": "v1"}, "facets": {}}]
    assert body["outputDatasetVersions"][0]["datasetVersionId"]["name"] == "b"
    assert body["nominalStartTime"] == "2024-05-01T00:00:00.000000Z"
    assert "nominalTime" in body["facets"]
    assert body["args"] == {} and body["context"] == {}


def test_dataset_takes_source_lifecycle_and_description_from_facets():
    record = DatasetRecord("file", "/tmp/t", T0, T0 + timedelta(hours=1), current_version="v1",
                           facets=facets(dataSource={"name": "lake", "uri": "file"},
                                         lifecycleStateChange={"lifecycleStateChange": "OVERWRITE"},
                                         documentation={"description": "a table"}))
    body = marquez.present_dataset(record, fields=[{"name": "id", "type": "int", "description": "key"}])
    assert body["id"] == {"namespace": "file", "name": "/tmp/t"}
    assert (body["type"], body["physicalName"], body["sourceName"]) == ("DB_TABLE", "/tmp/t", "lake")
    assert body["lastLifecycleState"] == "OVERWRITE"
    assert body["description"] == "a table"
    assert body["fields"] == [{"name": "id", "type": "int", "tags": [], "description": "key"}]
    assert body["updatedAt"] == body["lastModifiedAt"] == "2024-05-01T11:00:00.000000Z"
    assert body["currentVersion"] == "v1" and body["deleted"] is False


def test_dataset_without_facets_falls_back_to_namespace_and_empty_values():
    body = marquez.present_dataset(DatasetRecord("db", "t", T0, T0))
    assert body["sourceName"] == "db"
    assert body["lastLifecycleState"] == "" and body["description"] is None
    assert body["fields"] == [] and body["facets"] == {}


def test_only_the_current_dataset_version_carries_the_datasets_facets():
    record = DatasetRecord("db", "t", T0, T0, current_version="v2", facets=facets(schema={"fields": []}))
    old = VersionRecord("db", "t", "v1", ({"name": "id", "type": "int"},), T0)
    new = VersionRecord("db", "t", "v2", ({"name": "id", "type": "int"},), T0 + timedelta(days=1))
    assert marquez.present_dataset_version(record, old)["facets"] == {}
    current = marquez.present_dataset_version(record, new, created_by_run={"id": "r1"})
    assert "schema" in current["facets"]
    assert current["version"] == "v2" and current["createdAt"] == "2024-05-02T10:00:00.000000Z"
    assert current["createdByRun"] == {"id": "r1"}


def test_job_type_simple_name_location_and_inputs():
    record = JobRecord("etl", "dag.task", T0, T0, parent_namespace="etl", parent_name="dag",
                       facets=facets(jobType={"processingType": "STREAMING"},
                                     sourceCodeLocation={"type": "git", "url": "https://x/y"}))
    body = marquez.present_job(record, inputs=[("db", "a")], outputs=[("db", "b")],
                               latest_run={"id": "r1"})
    assert (body["type"], body["simpleName"], body["parentJobName"]) == ("STREAM", "task", "dag")
    assert body["location"] == "https://x/y" and body["description"] is None
    assert body["inputs"] == [{"namespace": "db", "name": "a"}]
    assert body["outputs"] == [{"namespace": "db", "name": "b"}]
    assert body["latestRun"] == {"id": "r1"} and body["currentVersion"] is None


@pytest.mark.parametrize("processing", [None, "BATCH", "NONE"])
def test_jobs_are_batch_unless_streaming(processing):
    values = {"jobType": {"processingType": processing}} if processing else {}
    assert marquez.present_job(JobRecord("etl", "j", T0, T0, facets=facets(**values)))["type"] == "BATCH"


def test_namespace_shape():
    assert marquez.present_namespace(NamespaceRow("etl", T0, T0)) == {
        "name": "etl", "createdAt": "2024-05-01T10:00:00.000000Z", "updatedAt": "2024-05-01T10:00:00.000000Z",
        "ownerName": "", "description": None, "isHidden": False}
