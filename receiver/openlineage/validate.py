"""Parse and validate one OpenLineage event (spec 2-0-2).

What real producers send but the spec does not allow (no ``schemaURL``, a stray ``eventType``, a time without
zone, ...) is first relaxed by the leniency rule (:mod:`.leniency`), each with a warning; strict mode refuses
it instead. Core structure is then checked with marshmallow; a broken core (no runId, a runId that is not a
UUID, a job or dataset without a name, wrong types) raises :class:`InvalidEvent` naming the JSON paths.
Standard facets are checked against their JSON Schemas: a broken one is dropped from the parsed event and
reported as a warning, or raises in strict mode. Unknown fields and custom facets are kept (in the raw event).
The kind of event is told by its structure, never by ``schemaURL``, and no URL is ever fetched.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from marshmallow import INCLUDE, Schema, ValidationError, fields, validate

from lineagelens.receiver.errors import InvalidEvent, validation_errors
from lineagelens.receiver.openlineage.core import core_data, event_time, looks_valid
from lineagelens.receiver.openlineage.facets import FacetPlace, check_facet
from lineagelens.receiver.openlineage.leniency import relax
from lineagelens.receiver.openlineage.model import (
    DatasetRef,
    EventKind,
    EventWarning,
    ParsedEvent,
    RunState,
)

log = logging.getLogger(__name__)



class EventTime(fields.Field):
    """RFC 3339 date-time; a missing offset is read as UTC (producers send that)."""

    default_error_messages = {"invalid": "Not an RFC 3339 date-time."}

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None,
                     **kwargs: Any) -> datetime:
        try:
            return event_time(value)
        except ValueError as exc:
            raise self.make_error("invalid") from exc



class RunId(fields.String):
    default_error_messages = {"invalid_uuid": "Not a UUID."}

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None,
                     **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return str(uuid.UUID(text))
        except ValueError as exc:
            raise self.make_error("invalid_uuid") from exc


_NON_EMPTY = validate.Length(min=1)


class _Open(Schema):
    class Meta:
        unknown = INCLUDE


class FacetsField(fields.Dict):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(keys=fields.String(), values=fields.Raw(allow_none=True), **kwargs)


class Text(fields.String):
    """A string the leniency rule may have left empty (``producer``, ``schemaURL``)."""


class RunSchema(_Open):
    runId = RunId(required=True)
    facets = FacetsField()


class JobSchema(_Open):
    namespace = fields.String(required=True, validate=_NON_EMPTY)
    name = fields.String(required=True, validate=_NON_EMPTY)
    facets = FacetsField()


class DatasetSchema(_Open):
    namespace = fields.String(required=True, validate=_NON_EMPTY)
    name = fields.String(required=True, validate=_NON_EMPTY)
    facets = FacetsField()


class InputSchema(DatasetSchema):
    inputFacets = FacetsField()


class OutputSchema(DatasetSchema):
    outputFacets = FacetsField()


class BaseEventSchema(_Open):
    eventTime = EventTime(required=True)
    producer = Text(required=True)
    schemaURL = Text(required=True)


class RunEventSchema(BaseEventSchema):
    eventType = fields.String(validate=validate.OneOf([s.value for s in RunState]), allow_none=True)
    run = fields.Nested(RunSchema, required=True)
    job = fields.Nested(JobSchema, required=True)
    inputs = fields.List(fields.Nested(InputSchema), allow_none=True)
    outputs = fields.List(fields.Nested(OutputSchema), allow_none=True)


class DatasetEventSchema(BaseEventSchema):
    dataset = fields.Nested(DatasetSchema, required=True)


class JobEventSchema(BaseEventSchema):
    job = fields.Nested(JobSchema, required=True)
    inputs = fields.List(fields.Nested(InputSchema), allow_none=True)
    outputs = fields.List(fields.Nested(OutputSchema), allow_none=True)


_SCHEMAS: dict[EventKind, Schema] = {
    EventKind.RUN: RunEventSchema(),
    EventKind.DATASET: DatasetEventSchema(),
    EventKind.JOB: JobEventSchema(),
}


class _FacetFilter:
    """Checks the facets of one event, keeping the valid ones and collecting warnings. Without ``dropped`` each
    standard facet is checked against its schema; with it (the paths ingest dropped from a stored event) those
    and only those are left out, without validating again."""

    def __init__(self, dropped: frozenset[str] | None = None) -> None:
        self.warnings: list[EventWarning] = []
        self.dropped = dropped

    def _problem(self, place: FacetPlace, key: str, value: Any, path: str) -> str | None:
        if self.dropped is None:
            return check_facet(place, key, value)
        return "dropped at ingest: breaks its schema" if path in self.dropped else None

    def keep(self, facets: Mapping[str, Any] | None, place: FacetPlace, path: str) -> dict[str, Any]:
        kept: dict[str, Any] = {}
        for key, value in (facets or {}).items():
            problem = self._problem(place, key, value, f"{path}.{key}")
            if problem is None:
                kept[key] = value
            else:
                self.warnings.append(EventWarning(path=f"{path}.{key}", facet=key, message=problem))
        return kept

    def dataset(self, data: Mapping[str, Any], path: str) -> DatasetRef:
        return DatasetRef(
            namespace=data["namespace"],
            name=data["name"],
            facets=self.keep(data.get("facets"), FacetPlace.DATASET, f"{path}.facets"),
            input_facets=self.keep(data.get("inputFacets"), FacetPlace.INPUT, f"{path}.inputFacets"),
            output_facets=self.keep(data.get("outputFacets"), FacetPlace.OUTPUT, f"{path}.outputFacets"),
        )


def _core(kind: EventKind, relaxed: dict[str, Any]) -> dict[str, Any]:
    """The checked core: the quick path for the common valid event, the schemas for the rest (and for their
    precise errors). Raises ValidationError."""
    if looks_valid(kind, relaxed):
        try:
            return core_data(kind, relaxed)
        except ValueError:
            pass  # a time or run id that does not parse: the schemas report it
    return _SCHEMAS[kind].load(relaxed)


def parse_event(raw: Any, *, strict_facets: bool = False) -> ParsedEvent:
    """Validate ``raw`` (decoded JSON) and return the parsed event.

    Raises :class:`InvalidEvent` (422) with the failing JSON paths when the core structure is broken, or
    when ``strict_facets`` is set and the event needed the leniency rule or a standard facet breaks its schema.
    """
    if not isinstance(raw, dict):
        raise InvalidEvent("an OpenLineage event must be a JSON object",
                           [{"path": "$", "message": f"got {type(raw).__name__}"}])
    relaxed, kind, lenient = relax(raw)
    if strict_facets and lenient:
        raise InvalidEvent("event breaks the OpenLineage spec (strict mode)",
                           [{"path": w.path, "message": w.message} for w in lenient])
    try:
        data = _core(kind, relaxed)
    except ValidationError as exc:
        raise InvalidEvent(f"invalid OpenLineage {kind.value} event", validation_errors(exc.messages)) from exc
    except RecursionError as exc:
        raise InvalidEvent("event is nested too deeply", [{"path": "$", "message": "too deep"}]) from exc

    parsed = _assemble(kind, data, lenient, _FacetFilter())
    if strict_facets and parsed.warnings:
        raise InvalidEvent("standard facets break their schema",
                           [{"path": w.path, "message": w.message} for w in parsed.warnings])
    return parsed


def _assemble(kind: EventKind, data: Mapping[str, Any], lenient: list[EventWarning],
              facets: _FacetFilter) -> ParsedEvent:
    """The parsed event from core data already checked (``eventTime`` a datetime, ``runId`` a canonical UUID)."""
    facets.warnings.extend(lenient)
    run = data.get("run") or {}
    job = data.get("job") or {}
    event_type = data.get("eventType")
    return ParsedEvent(
        kind=kind,
        event_time=data["eventTime"],
        producer=data["producer"],
        schema_url=data["schemaURL"],
        event_type=RunState(event_type) if event_type else None,
        run_id=run.get("runId"),
        run_facets=facets.keep(run.get("facets"), FacetPlace.RUN, "$.run.facets"),
        job_namespace=job.get("namespace"),
        job_name=job.get("name"),
        job_facets=facets.keep(job.get("facets"), FacetPlace.JOB, "$.job.facets"),
        inputs=tuple(facets.dataset(d, f"$.inputs[{i}]") for i, d in enumerate(data.get("inputs") or [])),
        outputs=tuple(facets.dataset(d, f"$.outputs[{i}]") for i, d in enumerate(data.get("outputs") or [])),
        dataset=facets.dataset(data["dataset"], "$.dataset") if kind is EventKind.DATASET else None,
        warnings=tuple(facets.warnings),
    )


def parse_stored(raw: Any, dropped_facets: tuple[str, ...]) -> ParsedEvent:
    """Parse an event the receiver accepted and stored, without validating it again: its core passed at
    ingest, and ``dropped_facets`` are the paths of the standard facets ingest left out. The same
    :class:`ParsedEvent` as :func:`parse_event` gave then (facet warnings say "dropped at ingest"). Raises
    ValueError (or another error of a broken core) for an event that is not what ingest stores: callers fall
    back to :func:`parse_event`."""
    relaxed, kind, lenient = relax(raw)
    return _assemble(kind, core_data(kind, relaxed), lenient, _FacetFilter(frozenset(dropped_facets)))
