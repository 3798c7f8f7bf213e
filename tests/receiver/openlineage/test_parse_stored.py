"""Projection re-reads stored events without validating them again (``parse_stored``): given the facet paths
ingest dropped, it yields the parsed event ``parse_event`` gave at ingest, for every kind of event and every
leniency row."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import pytest

from lineagelens.receiver.errors import InvalidEvent
from lineagelens.receiver.openlineage import ParsedEvent, parse_event, parse_stored
from tests.conftest import DATA, load, scenario
from tests.receiver.openlineage.test_leniency import LENIENT, LENIENT_IDS, run_event

EXAMPLES = sorted((DATA / "examples").glob("*.json"))
SCENARIOS = ["CLL", "airflow", "spark_dataproc_bigquery_shakespare", "spark_dataproc_simple_producer_test"]


def _without_warning_text(event: ParsedEvent) -> ParsedEvent:
    """Everything but the facet warnings' messages (a stored event says "dropped at ingest")."""
    return dataclasses.replace(event, warnings=tuple((w.path, w.code, w.facet) for w in event.warnings))  # type: ignore[arg-type]


def _stored_like_ingest(raw: dict[str, Any]) -> ParsedEvent:
    at_ingest = parse_event(copy.deepcopy(raw))
    dropped = tuple(w.path for w in at_ingest.warnings if w.facet is not None)
    again = parse_stored(copy.deepcopy(raw), dropped)
    assert _without_warning_text(again) == _without_warning_text(at_ingest)
    return again


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_a_stored_example_event_parses_to_what_ingest_parsed(path: Any) -> None:
    _stored_like_ingest(load(path))


@pytest.mark.parametrize("name", SCENARIOS)
def test_stored_scenario_events_parse_to_what_ingest_parsed(name: str) -> None:
    stored = 0
    for raw in scenario(name):
        try:
            parse_event(copy.deepcopy(raw))
        except InvalidEvent:
            continue  # refused at ingest: never stored
        _stored_like_ingest(raw)
        stored += 1
    assert stored


@pytest.mark.parametrize(("code", "build", "mutate", "path"), LENIENT, ids=LENIENT_IDS)
def test_a_stored_lenient_event_parses_to_what_ingest_parsed(code: str, build: Any, mutate: Any, path: str) -> None:
    event = build()
    mutate(event)
    assert any(w.code == code for w in _stored_like_ingest(event).warnings)


def test_a_facet_dropped_at_ingest_stays_out_without_being_validated_again() -> None:
    event = run_event()
    event["outputs"][0]["facets"]["schema"]["fields"] = "not a list"  # breaks SchemaDatasetFacet
    again = _stored_like_ingest(event)
    assert "schema" not in again.outputs[0].facets
    assert [w.path for w in again.warnings if w.facet] == ["$.outputs[0].facets.schema"]


def test_a_stored_event_that_is_not_what_ingest_stores_raises_for_the_caller_to_validate_it() -> None:
    event = run_event()
    event["run"]["runId"] = "not-a-uuid"
    with pytest.raises(ValueError):
        parse_stored(event, ())
