"""The leniency rule: accept what real producers send whenever it can be projected without guessing.

:func:`relax` takes a decoded event and returns the event as validation should see it, with one
:class:`EventWarning` per rule it applied (docs/api.md "Leniency" has the table, one test per row). It never
changes the caller's object: the raw event, exactly as sent, is what the event log keeps, and a replay relaxes it
again the same way. What would corrupt the graph — no run id, a run id that is not a UUID, no job name, a
dataset without a name — is left for validation to refuse.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from lineagelens.receiver.openlineage.model import EventKind, EventWarning, RunState

log = logging.getLogger(__name__)

# The parts of an RFC 3339 time the rules look at: the fraction of a second and the zone.
_TIME_PARTS = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.(?P<fraction>\d+))?)?"
                         r"(?P<zone>[Zz]|[+-]\d{2}:?\d{2})?$")
_STATES = {s.value: s for s in RunState}

# Optional objects (and lists) that some producers send as null: read as empty.
_OBJECT_KEYS = ("facets", "inputFacets", "outputFacets")


def classify(raw: dict[str, Any]) -> EventKind:
    """RunEvent has a run; DatasetEvent a dataset and no job; JobEvent a job and no run. ``eventType`` alone
    does not make a run event (job and dataset events with a stray eventType are real). Neither run, job nor
    dataset: a run event, so validation reports the missing run and job."""
    if raw.get("run") is not None:
        return EventKind.RUN
    if raw.get("dataset") is not None and raw.get("job") is None:
        return EventKind.DATASET
    if raw.get("job") is not None:
        return EventKind.JOB
    return EventKind.RUN


class _Relaxer:
    def __init__(self) -> None:
        self.warnings: list[EventWarning] = []

    def warn(self, path: str, code: str, message: str) -> None:
        self.warnings.append(EventWarning(path=path, code=code, message=message))

    def text(self, event: dict[str, Any], key: str, code: str) -> None:
        """``producer`` / ``schemaURL``: missing, null, empty or not text -> "" with a warning."""
        value = event.get(key)
        if isinstance(value, str) and value:
            return
        shown = "missing" if key not in event else f"{type(value).__name__ if value is not None else 'null'}"
        if isinstance(value, str):
            shown = "empty"
        self.warn(f"$.{key}", code, f"{key} is {shown}: stored as empty")
        event[key] = ""

    def event_time(self, event: dict[str, Any]) -> None:
        value = event.get("eventTime")
        if not isinstance(value, str) or (match := _TIME_PARTS.match(value)) is None:
            return  # validation refuses it with the path
        fraction = match.group("fraction") or ""
        if len(fraction) > 6:
            self.warn("$.eventTime", "time_precision_truncated",
                      f"eventTime has {len(fraction)} fractional digits: truncated to microseconds")
            event["eventTime"] = value.replace("." + fraction, "." + fraction[:6], 1)
        if match.group("zone") is None:
            self.warn("$.eventTime", "time_without_zone", "eventTime has no time zone: read as UTC")

    def event_type(self, event: dict[str, Any], kind: EventKind) -> None:
        if "eventType" not in event:
            return
        value = event["eventType"]
        if kind is not EventKind.RUN:
            self.warn("$.eventType", "stray_event_type",
                      f"eventType on a {kind.value} event (no run): read as a {kind.value} event, eventType ignored")
            del event["eventType"]
            return
        if value is None or not isinstance(value, str) or value in _STATES:
            return  # validation refuses what is not text
        state = _STATES.get(value.upper())
        if state is not None:
            self.warn("$.eventType", "event_type_case", f"eventType {value!r} read as {state.value}")
            event["eventType"] = state.value
        else:
            self.warn("$.eventType", "unknown_event_type",
                      f"eventType {value!r} is not a run state: the run's state is left as it was (OTHER)")
            event["eventType"] = RunState.OTHER.value

    def nulls(self, obj: dict[str, Any], path: str, keys: tuple[str, ...], empty: Callable[[], Any]) -> None:
        for key in keys:
            if key in obj and obj[key] is None:
                self.warn(f"{path}.{key}", "null_as_empty", f"{key} is null: read as empty")
                obj[key] = empty()

    def copy_dict(self, value: Any) -> Any:
        return dict(value) if isinstance(value, dict) else value


def relax(raw: dict[str, Any], *, kind: EventKind | None = None) -> tuple[dict[str, Any], EventKind,
                                                                         list[EventWarning]]:
    """The event as validation should read it, its kind, and the rules applied. ``raw`` is not modified."""
    found = kind or classify(raw)
    r = _Relaxer()
    event = dict(raw)
    for key in ("run", "dataset"):
        if key in event and event[key] is None and not (key == "run" and found is EventKind.RUN):
            r.warn(f"$.{key}", "null_as_empty", f"{key} is null: read as absent")
            del event[key]
    r.text(event, "producer", "missing_producer")
    r.text(event, "schemaURL", "missing_schema_url")
    r.event_time(event)
    r.event_type(event, found)
    r.nulls(event, "$", ("inputs", "outputs"), list)
    for key in ("run", "job", "dataset"):
        part = event.get(key)
        if isinstance(part, dict):
            event[key] = part = dict(part)
            r.nulls(part, f"$.{key}", ("facets",), dict)
    for key in ("inputs", "outputs"):
        items = event.get(key)
        if isinstance(items, list):
            event[key] = items = [r.copy_dict(item) for item in items]
            for i, item in enumerate(items):
                if isinstance(item, dict):
                    r.nulls(item, f"$.{key}[{i}]", _OBJECT_KEYS, dict)
    return event, found, r.warnings
