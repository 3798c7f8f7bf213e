"""Validation of *standard* facets against the OpenLineage facet JSON Schemas shipped in ``spec/``.

Each schema file declares one facet key (``ownership``, ``outputStatistics`` ...) for one place in an
event (run, job, dataset, input dataset, output dataset). A facet key no schema declares for that place is a
custom facet and is kept as it is. ``$ref``s resolve offline against the packaged core spec.

A verdict is the quick check's "valid" (:mod:`.quick_schema`, compiled once per schema) or else jsonschema's,
with its messages; verdicts on small facets are cached by their value (:mod:`.value_keys`), since producers
repeat facets.
"""

from __future__ import annotations

import enum
import functools
import json
import logging
from collections.abc import Iterator
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from lineagelens.receiver.openlineage.quick_schema import Check, Unsupported, compile_check
from lineagelens.receiver.openlineage.value_keys import value_key, value_of

log = logging.getLogger(__name__)

# The base-facet fields every facet should carry; producers omit them often enough that a missing one
# is not worth dropping the facet's content for.
_BASE_FIELDS = {"_producer", "_schemaURL"}


class FacetPlace(enum.StrEnum):
    RUN = "RunFacet"
    JOB = "JobFacet"
    DATASET = "DatasetFacet"
    INPUT = "InputDatasetFacet"
    OUTPUT = "OutputDatasetFacet"


def _spec_files() -> Iterator[dict[str, Any]]:
    root = resources.files("lineagelens.receiver.openlineage").joinpath("spec")
    yield json.loads(root.joinpath("OpenLineage.json").read_text(encoding="utf-8"))
    for entry in sorted(root.joinpath("facets").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            yield json.loads(entry.read_text(encoding="utf-8"))


def _places_of(schema: dict[str, Any], key: str) -> list[FacetPlace]:
    """Where facet ``key`` of a schema applies: from the base facet each of its definitions extends, else
    from the definition's name (``...InputDatasetFacet``, ``...RunFacet`` ...)."""
    prop = schema["properties"][key]
    refs = [prop["$ref"]] if "$ref" in prop else [p["$ref"] for p in prop.get("anyOf", prop.get("oneOf", []))]
    return [_place_of_definition(ref.rsplit("/", 1)[-1], schema["$defs"]) for ref in refs]


def _place_of_definition(def_name: str, defs: dict[str, Any]) -> FacetPlace:
    for part in defs[def_name].get("allOf", []):
        base = part.get("$ref", "").rsplit("/", 1)[-1]
        if base in FacetPlace._value2member_map_:
            return FacetPlace(base)
    for place in (FacetPlace.INPUT, FacetPlace.OUTPUT, FacetPlace.DATASET, FacetPlace.JOB, FacetPlace.RUN):
        if def_name.endswith(place.value):
            return place
    raise ValueError(f"cannot tell where facet definition {def_name} applies")


@functools.cache
def _facet_schemas() -> tuple[Registry, dict[tuple[FacetPlace, str], dict[str, Any]]]:
    """The registry of every shipped schema, and the facet file that declares each (place, facet key)."""
    schemas = list(_spec_files())
    registry: Registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas
    )
    found: dict[tuple[FacetPlace, str], dict[str, Any]] = {}
    for schema in schemas[1:]:
        for key in schema.get("properties", {}):
            for place in _places_of(schema, key):
                found[(place, key)] = schema
    return registry, found


@functools.cache
def _validators() -> dict[tuple[FacetPlace, str], Draft202012Validator]:
    registry, schemas = _facet_schemas()
    by_file: dict[str, Draft202012Validator] = {}
    return {where: by_file.setdefault(schema["$id"], Draft202012Validator(schema, registry=registry))
            for where, schema in schemas.items()}


@functools.cache
def _quick_checks() -> dict[tuple[FacetPlace, str], Check]:
    """Quick checks of the facets whose schemas :mod:`.quick_schema` can compile (all shipped ones today)."""
    registry, schemas = _facet_schemas()
    by_file: dict[str, Check | None] = {}
    for schema in schemas.values():
        if schema["$id"] not in by_file:
            try:
                by_file[schema["$id"]] = compile_check(schema, registry.resolver(schema["$id"]), lenient=_BASE_FIELDS)
            except Unsupported as exc:
                log.info("facet schema %s is checked by jsonschema alone: %s", schema["$id"], exc)
                by_file[schema["$id"]] = None
    return {where: check for where, schema in schemas.items() if (check := by_file[schema["$id"]]) is not None}


def _message(error: ValidationError) -> str:
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in list(error.path)[1:])
    return f"{where.lstrip('.') or '(facet)'}: {error.message}" if where else error.message


def _relevant(error: ValidationError) -> bool:
    if error.validator == "required":
        missing = {m for m in _BASE_FIELDS if f"'{m}'" in error.message}
        return not missing
    return True


def check_facet(place: FacetPlace, key: str, value: Any) -> str | None:
    """Return why a standard facet breaks its schema, or None when it is valid or not a standard facet."""
    if not isinstance(value, dict):
        return "a facet must be a JSON object"
    if (place, key) not in _validators():
        return None
    try:
        # Producers repeat the same facets event after event (START, RUNNING, COMPLETE ...): remember verdicts,
        # for facets small enough that 4,096 cached keys stay a few MB (a SQL facet can be 100 KB). The verdict
        # is worked out from the value the key gives back.
        cache_key = value_key(value)
        if len(cache_key) <= _CACHED_BYTES_MAX:
            return _cached_verdict(place, key, cache_key)
        return _verdict(place, key, value)
    except (RecursionError, ValueError):
        return "facet is nested too deeply to validate"


_CACHED_BYTES_MAX = 8192  # bytes of serialized facet (4,096 of them: ~32 MB at most); larger: not cached


@functools.lru_cache(maxsize=4096)
def _cached_verdict(place: FacetPlace, key: str, cache_key: bytes) -> str | None:
    return _verdict(place, key, value_of(cache_key))


def _verdict(place: FacetPlace, key: str, value: Any) -> str | None:
    """The quick check's "valid" (quick_schema.py: jsonschema would find nothing either), else jsonschema's."""
    quick = _quick_checks().get((place, key))
    if quick is not None and quick({key: value}):
        return None
    return jsonschema_verdict(place, key, value)


def jsonschema_verdict(place: FacetPlace, key: str, value: Any) -> str | None:
    """Why jsonschema finds the standard facet ``value`` broken (its first five errors), or None."""
    validator = _validators()[(place, key)]
    errors = [e for e in validator.iter_errors({key: value}) if _relevant(e)]
    if not errors:
        return None
    errors.sort(key=lambda e: list(e.path))
    return "; ".join(_message(e) for e in errors[:5])


def warm() -> None:
    """Compile every facet validator now rather than on the first event."""
    _validators()
    _quick_checks()
