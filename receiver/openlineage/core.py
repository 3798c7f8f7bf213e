"""The quick path through core validation: most events are valid, and checking that takes a fraction of what
marshmallow's schemas (:mod:`.validate`) take. :func:`looks_valid` is true only for an event the schemas would
accept as it is; anything else goes to the schemas, which say exactly what is wrong. :func:`core_data` then gives
the core as the schemas' ``load`` would (``eventTime`` a datetime, ``runId`` a canonical UUID), for
:func:`.validate._assemble`.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from lineagelens.receiver.openlineage.model import EventKind, RunState

log = logging.getLogger(__name__)

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?$")
_RUN_STATES = frozenset(s.value for s in RunState)
_FACET_KEYS = ("facets",)
_INPUT_KEYS = ("facets", "inputFacets")
_OUTPUT_KEYS = ("facets", "outputFacets")


def event_time(value: Any) -> datetime:
    """An RFC 3339 date-time, read as UTC when it has no offset. ValueError when it is not one."""
    if not isinstance(value, str) or not _RFC3339.match(value):
        raise ValueError(f"not an RFC 3339 date-time: {value!r}")
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _named(value: Any, facet_keys: tuple[str, ...]) -> bool:
    """A job or dataset: non-empty ``namespace`` and ``name``, facet maps that are objects when present."""
    if not isinstance(value, Mapping):
        return False
    namespace, name = value.get("namespace"), value.get("name")
    if not (isinstance(namespace, str) and namespace and isinstance(name, str) and name):
        return False
    return all(isinstance(value.get(k, {}), Mapping) for k in facet_keys)


def _datasets(value: Any, facet_keys: tuple[str, ...]) -> bool:
    return value is None or (isinstance(value, list) and all(_named(d, facet_keys) for d in value))


def looks_valid(kind: EventKind, event: Mapping[str, Any]) -> bool:
    """True when the core schema of ``kind`` would accept ``event`` (already relaxed by the leniency rule)."""
    if not all(isinstance(event.get(k), str) for k in ("eventTime", "producer", "schemaURL")):
        return False
    if not _RFC3339.match(event["eventTime"]):
        return False
    if kind is EventKind.DATASET:
        return _named(event.get("dataset"), _FACET_KEYS)
    if kind is EventKind.RUN:
        event_type, run = event.get("eventType"), event.get("run")
        if event_type is not None and not (isinstance(event_type, str) and event_type in _RUN_STATES):
            return False
        if not (isinstance(run, Mapping) and isinstance(run.get("runId"), str)
                and isinstance(run.get("facets", {}), Mapping)):
            return False
    return (_named(event.get("job"), _FACET_KEYS) and _datasets(event.get("inputs"), _INPUT_KEYS)
            and _datasets(event.get("outputs"), _OUTPUT_KEYS))


def core_data(kind: EventKind, event: Mapping[str, Any]) -> dict[str, Any]:
    """The core of an event whose structure is valid, as the schemas' ``load`` returns it. ValueError for a
    time or run id that does not parse (KeyError/TypeError for a broken structure: check it first)."""
    data = dict(event)
    data["eventTime"] = event_time(event["eventTime"])
    if kind is EventKind.RUN:
        data["run"] = {**event["run"], "runId": str(uuid.UUID(event["run"]["runId"]))}
    return data
