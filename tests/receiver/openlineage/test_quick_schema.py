"""The quick facet check (receiver/openlineage/quick_schema.py) gives jsonschema's verdict: every shipped facet
schema compiles, and on every facet of the reference data and thousands of broken variants of them, the quick
check calls valid exactly what jsonschema (with the base-field leniency of facets.py) finds nothing wrong with.
It must never call valid what jsonschema would not; the reverse would only cost speed, and is held too."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from lineagelens.receiver.openlineage import facets
from lineagelens.receiver.openlineage.facets import FacetPlace
from lineagelens.receiver.openlineage.quick_schema import Unsupported, compile_check, json_equal
from tests.conftest import DATA, load

ODD_VALUES: list[Any] = [None, 0, 1, -1, 1.0, 2.5, True, False, "", "x", "2024-01-01T00:00:00Z", [], [1], {},
                         {"a": 1}]


def _event_facets() -> Iterator[tuple[FacetPlace, str, Any]]:
    files = [*sorted((DATA / "examples").glob("*.json")), *sorted((DATA / "invalid").glob("*.json")),
             *sorted((DATA / "scenarios").glob("*/events/*.json"))]
    for path in files:
        event = load(path)
        if not isinstance(event, dict):
            continue
        groups = [(FacetPlace.RUN, (event.get("run") or {}).get("facets")),
                  (FacetPlace.JOB, (event.get("job") or {}).get("facets"))]
        for ds in [*(event.get("inputs") or []), *(event.get("outputs") or []), event.get("dataset") or {}]:
            if isinstance(ds, dict):
                groups += [(FacetPlace.DATASET, ds.get("facets")), (FacetPlace.INPUT, ds.get("inputFacets")),
                           (FacetPlace.OUTPUT, ds.get("outputFacets"))]
        for place, found in groups:
            for key, value in (found or {}).items() if isinstance(found, dict) else ():
                yield place, key, value


def _example_facets() -> Iterator[tuple[FacetPlace, str, Any]]:
    """The spec's facet examples (one folder per facet definition), at every place their key is standard."""
    known = facets._validators()
    for path in sorted((DATA / "facet-examples").glob("*/*.json")):
        for key, value in load(path).items():
            for place in FacetPlace:
                if (place, key) in known:
                    yield place, key, value


def _standard() -> list[tuple[FacetPlace, str, Any]]:
    known = facets._validators()
    return [(p, k, v) for p, k, v in [*_event_facets(), *_example_facets()] if (p, k) in known]


def _variants(value: Any, rng: random.Random, depth: int = 0) -> Iterator[Any]:
    """``value`` broken one place at a time: a key removed, a value replaced by an odd one, the same inside."""
    if isinstance(value, dict):
        for key in value:
            yield {k: v for k, v in value.items() if k != key}
            for odd in rng.sample(ODD_VALUES, 4):
                yield {**value, key: odd}
            if depth < 4:
                for inner in _variants(value[key], rng, depth + 1):
                    yield {**value, key: inner}
        yield {**value, "_extra": rng.choice(ODD_VALUES)}
    elif isinstance(value, list) and value:
        for odd in rng.sample(ODD_VALUES, 3):
            yield [*value, odd]
        if depth < 4:
            for inner in _variants(value[0], rng, depth + 1):
                yield [inner, *value[1:]]
    else:
        yield from rng.sample(ODD_VALUES, 3)


def _jsonschema_finds_nothing(place: FacetPlace, key: str, value: Any) -> bool:
    return facets.jsonschema_verdict(place, key, value) is None


def test_every_shipped_facet_schema_compiles_to_a_quick_check() -> None:
    assert set(facets._quick_checks()) == set(facets._validators())


def test_the_quick_check_agrees_with_jsonschema_on_reference_facets_and_their_broken_variants() -> None:
    checks, rng = facets._quick_checks(), random.Random(8)
    standard = _standard()
    assert len({(p, k) for p, k, _ in standard}) >= 30  # the reference data covers most standard facets
    compared = disagreements = valid = 0
    for place, key, value in standard:
        for candidate in [value, *_variants(copy.deepcopy(value), rng)]:
            quick = checks[(place, key)]({key: candidate})
            slow = _jsonschema_finds_nothing(place, key, candidate)
            compared += 1
            valid += slow
            if quick != slow:
                disagreements += 1
                assert not quick, f"quick check calls valid what jsonschema rejects: {place} {key} {candidate!r}"
    assert compared > 5_000 and 0 < valid < compared
    assert disagreements == 0


def test_a_facet_the_quick_check_calls_valid_never_reaches_jsonschema(monkeypatch: pytest.MonkeyPatch) -> None:
    facets._cached_verdict.cache_clear()
    monkeypatch.setattr(Draft202012Validator, "iter_errors", lambda *_a, **_k: pytest.fail("jsonschema ran"))
    sql = {"_producer": "https://example.com/p", "_schemaURL": "https://example.com/s", "query": "SELECT 1"}
    assert facets.check_facet(FacetPlace.JOB, "sql", sql) is None
    assert facets.check_facet(FacetPlace.JOB, "sql", sql | {"query": "x" * 10_000}) is None  # not cached either
    monkeypatch.undo()
    assert facets.check_facet(FacetPlace.JOB, "sql", sql | {"query": 1}) is not None  # jsonschema: the message


def test_base_fields_may_be_missing_at_the_top_but_not_inside_a_failing_any_of() -> None:
    schema = {"type": "object", "required": ["_producer", "name"], "properties": {
        "choice": {"anyOf": [{"type": "object", "required": ["_producer"]}, {"type": "string"}]}}}
    check = compile_check(schema, Registry().resolver(), lenient={"_producer"})
    assert check({"name": "n"})  # jsonschema's lone "'_producer' is a required property": ignored
    assert not check({"_producer": "p"})  # name is required
    assert check({"name": "n", "choice": "s"})
    assert not check({"name": "n", "choice": {}})  # reported as one anyOf error, which is not ignored


def test_recursive_references_and_draft_2020_meanings_match_jsonschema() -> None:
    schema = {"$id": "urn:tree", "$defs": {"node": {"type": "object", "properties": {
        "value": {"type": "integer", "minimum": 0}, "kind": {"enum": [1, "a", None]},
        "flag": {"const": False}, "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}},
        "dependentRequired": {"value": ["kind"]}, "additionalProperties": False}},
        "oneOf": [{"$ref": "#/$defs/node"}, {"type": "null"}]}
    registry = Registry().with_resource("urn:tree", Resource.from_contents(schema, default_specification=DRAFT202012))
    check = compile_check(schema, registry.resolver("urn:tree"))
    validator = Draft202012Validator(schema, registry=registry)
    for instance in [None, {}, {"value": 1, "kind": 1}, {"value": 1.0, "kind": 1.0}, {"value": 1.5, "kind": 1},
                     {"value": -1, "kind": 1}, {"value": True, "kind": 1}, {"value": 1}, {"kind": True},
                     {"flag": 0}, {"flag": False}, {"other": 1}, {"children": [{"children": [{"value": 2}]}]},
                     {"children": [{"children": [{"value": 2, "kind": "a"}]}]}, {"children": {}}, [], "x"]:
        assert check(instance) == validator.is_valid(instance), instance


@pytest.mark.parametrize("schema", [{"pattern": "^a"}, {"type": "object", "patternProperties": {"^a": {}}},
                                    {"prefixItems": [{}]}, {"type": "decimal"}, {"items": [{}]}])
def test_a_keyword_it_does_not_implement_is_refused_rather_than_ignored(schema: dict[str, Any]) -> None:
    with pytest.raises(Unsupported):
        compile_check(schema, Registry().resolver())


def test_json_equality_tells_booleans_from_numbers() -> None:
    assert json_equal(1, 1.0) and json_equal({"a": [1, None]}, {"a": [1.0, None]})
    assert not json_equal(True, 1) and not json_equal(0, False) and not json_equal([True], [1])
    assert not json_equal({"a": 1}, {"a": 1, "b": 2}) and not json_equal("1", 1) and not json_equal([], {})
