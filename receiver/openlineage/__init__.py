"""OpenLineage events: parsing, validation (core structure and standard facets) and the parsed model."""

from __future__ import annotations

from lineagelens.receiver.openlineage.model import DatasetRef, EventKind, ParsedEvent
from lineagelens.receiver.openlineage.validate import parse_event, parse_stored

__all__ = ["DatasetRef", "EventKind", "ParsedEvent", "parse_event", "parse_stored"]
