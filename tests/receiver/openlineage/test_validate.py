"""Validation verdicts on the OpenLineage reference data, cross-checked against the JSON Schemas."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from lineagelens.receiver.errors import InvalidEvent
from lineagelens.receiver.openlineage import EventKind, parse_event
from lineagelens.receiver.openlineage.model import RunState
from tests.conftest import DATA, load

VALID = sorted((DATA / "examples").glob("*.json")) + sorted(
    p for p in (DATA / "scenarios").glob("*/events/*.json") if "simple_run_event" not in p.parts)
BROKEN_FACET = sorted(p for p in (DATA / "invalid").glob("*.json") if p.name != "event_no_run_id.json")
BROKEN_CORE = [DATA / "invalid" / "event_no_run_id.json",
               DATA / "scenarios" / "simple_run_event" / "events" / "simple_run_event.json"]


def _name(path: Path) -> str:
    return str(path.relative_to(DATA))


@pytest.mark.parametrize("path", VALID, ids=_name)
def test_every_reference_event_is_accepted(path: Path) -> None:
    parsed = parse_event(load(path))
    assert parsed.producer


@pytest.mark.parametrize("path", BROKEN_FACET, ids=_name)
def test_broken_standard_facet_is_accepted_with_a_warning_naming_it(path: Path) -> None:
    parsed = parse_event(load(path))
    assert parsed.warnings, "the broken facet must be reported"
    for warning in parsed.warnings:
        assert warning.path.startswith("$.") and warning.facet in warning.path


@pytest.mark.parametrize("path", BROKEN_FACET, ids=_name)
def test_broken_standard_facet_is_rejected_in_strict_mode(path: Path) -> None:
    with pytest.raises(InvalidEvent) as caught:
        parse_event(load(path), strict_facets=True)
    assert caught.value.errors and all(e["path"].startswith("$.") for e in caught.value.errors)


def test_broken_facet_is_left_out_of_the_parsed_event_but_others_stay() -> None:
    parsed = parse_event(load(DATA / "invalid" / "event_invalid_output_dataset_facet.json"))
    assert "outputStatistics" not in parsed.outputs[0].output_facets
    assert [w.path for w in parsed.warnings] == ["$.outputs[0].outputFacets.outputStatistics"]


def test_missing_run_id_names_the_json_path() -> None:
    with pytest.raises(InvalidEvent) as caught:
        parse_event(load(DATA / "invalid" / "event_no_run_id.json"))
    assert caught.value.errors == [{"path": "$.run.runId", "message": "Missing data for required field."}]


def test_run_id_that_is_not_a_uuid_is_rejected() -> None:
    with pytest.raises(InvalidEvent) as caught:
        parse_event(load(BROKEN_CORE[1]))
    assert [e["path"] for e in caught.value.errors] == ["$.run.runId"]


@pytest.fixture
def event() -> dict[str, Any]:
    return copy.deepcopy(load(DATA / "examples" / "pyclient_example_full_event.json"))


@pytest.mark.parametrize(("mutate", "path"), [
    (lambda e: e["job"].pop("name"), "$.job.name"),
    (lambda e: e["job"].update(name=""), "$.job.name"),
    (lambda e: e["inputs"][0].pop("name"), "$.inputs[0].name"),
    (lambda e: e["outputs"][0].update(namespace=7), "$.outputs[0].namespace"),
    (lambda e: e.update(eventTime="yesterday"), "$.eventTime"),
    (lambda e: e.update(eventTime="2024-01-01"), "$.eventTime"),
    (lambda e: e.update(run="x"), "$.run"),
    (lambda e: e.update(inputs={}), "$.inputs"),
    (lambda e: e.update(inputs=[5]), "$.inputs[0]"),
    (lambda e: e["job"].update(facets=[]), "$.job.facets"),
], ids=["no-job-name", "empty-job-name", "dataset-without-name", "namespace-not-string", "bad-time",
        "date-without-time", "run-not-object",
        "inputs-not-list", "input-not-object", "facets-not-object"])
def test_core_structure_errors_name_the_failing_path(event: dict[str, Any], mutate: Any, path: str) -> None:
    mutate(event)
    with pytest.raises(InvalidEvent) as caught:
        parse_event(event)
    assert path in [e["path"] for e in caught.value.errors]


def test_event_time_without_timezone_is_read_as_utc() -> None:
    parsed = parse_event(load(DATA / "examples" / "pyclient_serde_example_run_event.json"))
    assert parsed.event_time.utcoffset() is not None and parsed.event_time.utcoffset().total_seconds() == 0


def test_events_are_classified_by_structure_not_schema_url(event: dict[str, Any]) -> None:
    event["schemaURL"] = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent"
    assert parse_event(event).kind is EventKind.RUN
    dataset_event = load(DATA / "examples" / "pyclient_serde_example_dataset_event.json")
    dataset_event["schemaURL"] = "https://example.invalid/whatever"
    assert parse_event(dataset_event).kind is EventKind.DATASET
    job_event = load(DATA / "examples" / "pyclient_serde_example_job_event.json")
    assert parse_event(job_event).kind is EventKind.JOB


def test_unknown_fields_and_custom_facets_are_kept(event: dict[str, Any]) -> None:
    event["run"]["facets"]["my_custom"] = {"anything": [1, 2]}
    event["extra"] = {"kept": True}
    parsed = parse_event(event)
    assert parsed.run_facets["my_custom"] == {"anything": [1, 2]}
    assert parsed.event_type is RunState(event["eventType"])


def _schema_validator() -> Draft202012Validator:
    registry = Registry()
    mirror = DATA / "spec-mirror"
    for path in mirror.rglob("*.json"):
        uri = "https://openlineage.io/spec/" + path.relative_to(mirror).as_posix()
        registry = registry.with_resource(uri, Resource.from_contents(json.loads(path.read_text())))
    core = load(DATA / "spec" / "OpenLineage.json")
    registry = registry.with_resource(core["$id"], Resource.from_contents(core))
    checker = FormatChecker(["uuid"])
    return Draft202012Validator(core, registry=registry, format_checker=checker)


def _facet_validators() -> list[tuple[str, Draft202012Validator]]:
    core = load(DATA / "spec" / "OpenLineage.json")
    registry = Registry().with_resource(core["$id"], Resource.from_contents(core))
    found = []
    for path in sorted((DATA / "spec" / "facets").glob("*.json")):
        schema = load(path)
        found.append((path.stem, Draft202012Validator(schema, registry=registry)))
    return found


@pytest.mark.parametrize("path", VALID + BROKEN_FACET + BROKEN_CORE, ids=_name)
def test_verdict_agrees_with_the_json_schemas(path: Path) -> None:
    """Core-schema invalid -> we reject (422); a facet invalid under its own schema -> we warn."""
    raw = load(path)
    core_ok = not list(_schema_validator().iter_errors(raw))
    try:
        parsed = parse_event(raw)
    except InvalidEvent:
        assert not core_ok, "we rejected an event the core schema accepts"
        return
    leniency = [w for w in parsed.warnings if w.facet is None]
    assert core_ok or leniency, "we accepted an event the core schema rejects, without a leniency warning"
    facet_keys = {w.facet for w in parsed.warnings if w.facet}
    for facet in facet_keys:
        # every facet we warned about is indeed invalid under some standard facet schema of that key
        candidates = [v for name, v in _facet_validators() if facet in v.schema["properties"]]
        assert candidates, f"{facet} is not a standard facet"
        container = _find_facet(raw, facet)
        assert all(list(v.iter_errors({facet: container})) for v in candidates if _applies(v, container))


def _applies(validator: Draft202012Validator, value: Any) -> bool:
    return isinstance(value, dict)


def _find_facet(raw: Any, key: str) -> Any:
    if isinstance(raw, dict):
        for k, v in raw.items():
            if k in {"facets", "inputFacets", "outputFacets"} and isinstance(v, dict) and key in v:
                return v[key]
            found = _find_facet(v, key)
            if found is not None:
                return found
    if isinstance(raw, list):
        for item in raw:
            found = _find_facet(item, key)
            if found is not None:
                return found
    return None
