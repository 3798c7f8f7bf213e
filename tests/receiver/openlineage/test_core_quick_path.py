"""The quick path through core validation accepts exactly what the marshmallow schemas accept, and gives the same
core data: for every example, scenario and invalid event, every leniency row and core error, and a set of
broken shapes."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from marshmallow import ValidationError

from lineagelens.receiver.openlineage.core import core_data, looks_valid
from lineagelens.receiver.openlineage.leniency import relax
from lineagelens.receiver.openlineage.validate import _SCHEMAS
from tests.conftest import DATA, load
from tests.receiver.openlineage.test_leniency import CORE, LENIENT, dataset_event, job_event, run_event

FILES = sorted((DATA / "examples").glob("*.json")) + sorted((DATA / "invalid").glob("*.json")) + sorted(
    (DATA / "scenarios").glob("*/events/*.json"))

BROKEN: list[tuple[Callable[[], dict[str, Any]], Callable[[dict[str, Any]], Any]]] = [
    (run_event, lambda e: e.update(producer=5)),
    (run_event, lambda e: e.update(schemaURL=None)),
    (run_event, lambda e: e.update(eventTime="yesterday")),
    (run_event, lambda e: e.update(eventTime="2024-13-45T10:00:00Z")),  # the right shape, not a date
    (run_event, lambda e: e.update(eventType=3)),
    (run_event, lambda e: e.update(eventType=["START"])),  # unhashable: must not raise
    (run_event, lambda e: e.update(eventType={})),
    (run_event, lambda e: e.update(run="r1")),
    (run_event, lambda e: e["run"].update(runId=12)),
    (run_event, lambda e: e["run"].update(facets=[])),
    (run_event, lambda e: e["job"].update(namespace="")),
    (run_event, lambda e: e["job"].update(name=None)),
    (run_event, lambda e: e["job"].update(facets="x")),
    (run_event, lambda e: e.update(inputs={"namespace": "a", "name": "b"})),
    (run_event, lambda e: e["inputs"].append("not a dataset")),
    (run_event, lambda e: e["inputs"][0].update(inputFacets=[1])),
    (run_event, lambda e: e["outputs"][0].update(outputFacets=7)),
    (run_event, lambda e: e["outputs"][0].update(inputFacets=7)),  # not declared on outputs: kept, valid
    (run_event, lambda e: e["run"].update(runId="{6F9619FF-8B86-D011-B42D-00C04FC964FF}")),  # braces: a UUID
    (job_event, lambda e: e.update(outputs=[{"namespace": "a"}])),
    (dataset_event, lambda e: e["dataset"].update(name="")),
    (dataset_event, lambda e: e["dataset"].update(facets=None)),
]


def _schemas(kind: Any, relaxed: dict[str, Any]) -> dict[str, Any] | None:
    try:
        return dict(_SCHEMAS[kind].load(copy.deepcopy(relaxed)))
    except ValidationError:
        return None


def _quick(kind: Any, relaxed: dict[str, Any]) -> dict[str, Any] | None:
    if not looks_valid(kind, relaxed):
        return None
    try:
        return core_data(kind, relaxed)
    except ValueError:
        return None


def _agree(raw: Any) -> None:
    if not isinstance(raw, dict):
        return
    relaxed, kind, _ = relax(raw)
    slow = _schemas(kind, relaxed)
    fast = _quick(kind, relaxed)
    if fast is None:
        return  # the schemas decide (and report) whatever the quick path does not accept
    assert slow is not None, "the quick path accepted what the schemas refuse"
    for key in ("eventTime", "producer", "schemaURL", "eventType", "job", "inputs", "outputs", "dataset"):
        assert fast.get(key) == slow.get(key), key
    if "run" in slow:
        assert fast["run"]["runId"] == slow["run"]["runId"] and fast["run"].get("facets") == slow["run"].get("facets")


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def test_quick_path_agrees_with_the_schemas_on_every_stored_example(path: Any) -> None:
    _agree(load(path))


@pytest.mark.parametrize(("code", "build", "mutate", "path"), LENIENT)
def test_quick_path_agrees_on_every_leniency_row(code: str, build: Any, mutate: Any, path: str) -> None:
    event = build()
    mutate(event)
    _agree(event)


@pytest.mark.parametrize(("mutate", "path"), CORE)
def test_quick_path_never_accepts_a_core_error(mutate: Any, path: str) -> None:
    event = run_event()
    mutate(event)
    relaxed, kind, _ = relax(event)
    assert _quick(kind, relaxed) is None


@pytest.mark.parametrize(("build", "mutate"), BROKEN)
def test_quick_path_agrees_on_broken_shapes(build: Any, mutate: Any) -> None:
    event = build()
    mutate(event)
    _agree(event)


def test_the_common_valid_event_takes_the_quick_path() -> None:
    relaxed, kind, _ = relax(run_event())
    assert looks_valid(kind, relaxed)
