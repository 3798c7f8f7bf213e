"""The leniency rule (docs/api.md "Leniency"): one test per row of the table.

Each lenient row is accepted with a warning naming its rule, and refused (422, with the JSON path) in strict
mode. The core errors that would corrupt the graph stay refused in both modes.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lineagelens.receiver.errors import InvalidEvent
from lineagelens.receiver.openlineage import EventKind, parse_event
from lineagelens.receiver.openlineage.leniency import relax
from lineagelens.receiver.openlineage.model import RunState
from tests.conftest import DATA, load

DOCS = Path(__file__).resolve().parents[3] / "docs" / "api.md"

Mutation = Callable[[dict[str, Any]], Any]


def run_event() -> dict[str, Any]:
    return copy.deepcopy(load(DATA / "examples" / "pyclient_example_full_event.json"))


def job_event() -> dict[str, Any]:
    return copy.deepcopy(load(DATA / "examples" / "pyclient_serde_example_job_event.json"))


def dataset_event() -> dict[str, Any]:
    return copy.deepcopy(load(DATA / "examples" / "pyclient_serde_example_dataset_event.json"))


# (rule code, event builder, mutation, JSON path of the warning)
LENIENT: list[tuple[str, Callable[[], dict[str, Any]], Mutation, str]] = [
    ("missing_schema_url", run_event, lambda e: e.pop("schemaURL"), "$.schemaURL"),
    ("missing_producer", run_event, lambda e: e.pop("producer"), "$.producer"),
    ("stray_event_type", job_event, lambda e: e.update(eventType="COMPLETE"), "$.eventType"),
    ("stray_event_type", dataset_event, lambda e: e.update(eventType="START"), "$.eventType"),
    ("time_without_zone", run_event, lambda e: e.update(eventTime="2024-05-01T10:11:12.345"), "$.eventTime"),
    ("time_precision_truncated", run_event, lambda e: e.update(eventTime="2024-05-01T10:11:12.123456789Z"),
     "$.eventTime"),
    ("null_as_empty", run_event, lambda e: e["run"].update(facets=None), "$.run.facets"),
    ("null_as_empty", run_event, lambda e: e["job"].update(facets=None), "$.job.facets"),
    ("null_as_empty", run_event, lambda e: e.update(inputs=None), "$.inputs"),
    ("null_as_empty", run_event, lambda e: e["outputs"][0].update(outputFacets=None),
     "$.outputs[0].outputFacets"),
    ("null_as_empty", job_event, lambda e: e.update(run=None), "$.run"),
    ("event_type_case", run_event, lambda e: e.update(eventType="complete"), "$.eventType"),
    ("unknown_event_type", run_event, lambda e: e.update(eventType="FINISHED"), "$.eventType"),
]
LENIENT_IDS = ["no-schema-url", "no-producer", "job-event-with-event-type", "dataset-event-with-event-type",
               "time-without-zone", "time-with-nanoseconds", "null-run-facets", "null-job-facets",
               "null-inputs", "null-output-facets", "null-run-on-job-event", "event-type-lower-case",
               "unknown-event-type"]

# What would corrupt the graph: refused even when lenient.
CORE: list[tuple[Mutation, str]] = [
    (lambda e: e["run"].pop("runId"), "$.run.runId"),
    (lambda e: e["run"].update(runId="not-a-uuid"), "$.run.runId"),
    (lambda e: e["job"].pop("name"), "$.job.name"),
    (lambda e: e["inputs"][0].pop("name"), "$.inputs[0].name"),
    (lambda e: e.pop("eventTime"), "$.eventTime"),
]
CORE_IDS = ["no-run-id", "run-id-not-uuid", "no-job-name", "dataset-without-name", "no-event-time"]


@pytest.mark.parametrize(("code", "build", "mutate", "path"), LENIENT, ids=LENIENT_IDS)
def test_lenient_row_is_accepted_with_a_warning_naming_its_rule(
        code: str, build: Callable[[], dict[str, Any]], mutate: Mutation, path: str) -> None:
    event = build()
    mutate(event)
    parsed = parse_event(event)
    assert (path, code) in [(w.path, w.code) for w in parsed.warnings]


@pytest.mark.parametrize(("code", "build", "mutate", "path"), LENIENT, ids=LENIENT_IDS)
def test_lenient_row_is_refused_in_strict_mode(
        code: str, build: Callable[[], dict[str, Any]], mutate: Mutation, path: str) -> None:
    event = build()
    mutate(event)
    with pytest.raises(InvalidEvent) as caught:
        parse_event(event, strict_facets=True)
    assert path in [e["path"] for e in caught.value.errors]


@pytest.mark.parametrize(("mutate", "path"), CORE, ids=CORE_IDS)
@pytest.mark.parametrize("strict", [False, True], ids=["lenient", "strict"])
def test_core_errors_that_would_corrupt_the_graph_stay_refused(mutate: Mutation, path: str,
                                                               strict: bool) -> None:
    event = run_event()
    mutate(event)
    with pytest.raises(InvalidEvent) as caught:
        parse_event(event, strict_facets=strict)
    assert path in [e["path"] for e in caught.value.errors]


def test_a_job_event_with_a_stray_event_type_is_read_as_a_job_event_with_its_lineage() -> None:
    event = job_event()
    event["eventType"] = "COMPLETE"
    parsed = parse_event(event)
    assert parsed.kind is EventKind.JOB and parsed.run_id is None and parsed.event_type is None
    assert [d.name for d in parsed.inputs] == [d["name"] for d in event["inputs"]]


def test_a_dataset_event_with_a_stray_event_type_is_read_as_a_dataset_event() -> None:
    event = dataset_event()
    event["eventType"] = "START"
    parsed = parse_event(event)
    assert parsed.kind is EventKind.DATASET and parsed.dataset is not None


def test_a_run_event_without_its_run_is_still_refused_when_it_names_no_job_either() -> None:
    with pytest.raises(InvalidEvent) as caught:
        parse_event({"eventType": "START", "eventTime": "2024-01-01T00:00:00Z", "producer": "p",
                     "schemaURL": "u"})
    assert {"$.run", "$.job"} <= {e["path"] for e in caught.value.errors}


def test_time_without_zone_is_utc_and_nanoseconds_are_truncated_to_microseconds() -> None:
    event = run_event()
    event["eventTime"] = "2024-05-01T10:11:12.123456789"
    parsed = parse_event(event)
    assert parsed.event_time.isoformat() == "2024-05-01T10:11:12.123456+00:00"


def test_event_type_in_lower_case_keeps_its_state_and_an_unknown_one_changes_nothing() -> None:
    event = run_event()
    event["eventType"] = "fail"
    assert parse_event(event).event_type is RunState.FAIL
    event["eventType"] = "FINISHED"
    assert parse_event(event).event_type is RunState.OTHER


def test_missing_producer_and_schema_url_are_stored_empty() -> None:
    event = run_event()
    del event["producer"], event["schemaURL"]
    parsed = parse_event(event)
    assert (parsed.producer, parsed.schema_url) == ("", "")


def test_relaxing_never_changes_the_event_as_sent() -> None:
    event = run_event()
    event["eventTime"] = "2024-05-01T10:11:12.123456789"
    event["run"]["facets"] = None
    del event["schemaURL"]
    sent = copy.deepcopy(event)
    relax(event)
    assert event == sent


def test_every_rule_has_a_row_in_the_docs_leniency_table() -> None:
    text = DOCS.read_text(encoding="utf-8")
    table = text[text.index("### Leniency"):]
    documented = set(re.findall(r"`([a-z_]+)`", table))
    assert {code for code, *_ in LENIENT} <= documented
