"""Ingest: validate events, commit them to the event log, then have them projected.

A valid event is committed before the receiver answers (concurrent requests share one commit); duplicates are
no-ops; the graph store being down never loses an event (it stays pending and the worker retries). By default
the answer comes at the commit and the worker projects in the background; a caller that needs to read its own
write asks to wait (``Prefer: wait=projected``), and ``PROJECTION_MODE=inline`` makes every request wait.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from lineagelens.receiver.errors import ApiError, InvalidEvent
from lineagelens.receiver.graph.base import GraphUnavailable
from lineagelens.receiver.metrics import Metrics
from lineagelens.receiver.openlineage import ParsedEvent, parse_event
from lineagelens.receiver.projection.projector import Projector
from lineagelens.receiver.projection.worker import CatchUpWorker
from lineagelens.receiver.state.event_log import EventLog, NewEvent
from lineagelens.receiver.state.group_commit import GroupCommit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Accepted:
    parsed: ParsedEvent
    duplicate: bool
    projected: bool = False  # in the graph when answered (only ever true when the caller waited)

    @property
    def warnings(self) -> list[dict[str, str]]:
        return [w.as_dict() for w in self.parsed.warnings]


@dataclass
class BatchOutcome:
    """The OpenLineage batch answer: ``{status, summary, failedEvents}``."""

    received: int = 0
    accepted: list[Accepted] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)

    def body(self) -> dict[str, Any]:
        successful = len(self.accepted)
        status = "SUCCESS" if not self.failed else ("FAILURE" if not successful else "PARTIAL_SUCCESS")
        warnings = [{"index": i, **w} for i, a in enumerate(self.accepted) for w in a.warnings]
        return {
            "status": status,
            "summary": {"received": self.received, "successful": successful, "failed": len(self.failed),
                        "retriable": sum(1 for f in self.failed if f["retriable"]),
                        "nonRetriable": sum(1 for f in self.failed if not f["retriable"])},
            "failedEvents": self.failed,
            "warnings": warnings,
        }


class Ingestor:
    def __init__(self, *, events: EventLog, projector: Projector, worker: CatchUpWorker, metrics: Metrics,
                 strict_facets: bool, inline: bool, wait_seconds: float = 5.0,
                 after_commit: Callable[[ParsedEvent], None] | None = None, projects_here: bool = True) -> None:
        """``projects_here``: this process's role projects (False in an API-only process, whose events
        another process projects: keeping their parsed form for projection would be wasted)."""
        self.events = events
        self.projects_here = projects_here
        self.group = GroupCommit(events)
        self.projector = projector
        self.worker = worker
        self.metrics = metrics
        self.strict_facets = strict_facets
        self.inline = inline
        self.wait_seconds = wait_seconds
        self.after_commit = after_commit

    def parse(self, raw: Any) -> ParsedEvent:
        try:
            parsed = parse_event(raw, strict_facets=self.strict_facets)
        except InvalidEvent:
            self.metrics.events.labels(kind="unknown", outcome="invalid").inc()
            raise
        for warning in parsed.warnings:
            if warning.facet is not None:
                self.metrics.facet_warnings.labels(facet=warning.facet).inc()
            else:
                self.metrics.leniency.labels(rule=warning.code).inc()
        return parsed

    def ingest(self, raw: Any, *, admit: Callable[[ParsedEvent], None] | None = None,
               wait: bool = False) -> Accepted:
        """Validate and commit one event. Raises InvalidEvent (422), or what ``admit`` raises for a valid
        event the caller may not send (an API key limited to other namespaces). With ``wait`` (or in inline
        mode) answer once it is projected, or after the wait's bound."""
        parsed = self.parse(raw)
        if admit is not None:
            admit(parsed)
        return self._commit([(parsed, raw)], wait=wait)[0]

    def ingest_batch(self, raws: Sequence[Any], *, admit: Callable[[ParsedEvent], None] | None = None,
                     wait: bool = False) -> BatchOutcome:
        """Validate every event, commit the valid ones together, report the others by index (with those
        ``admit`` refuses)."""
        outcome = BatchOutcome(received=len(raws))
        valid: list[tuple[ParsedEvent, Any]] = []
        for index, raw in enumerate(raws):
            try:
                parsed = self.parse(raw)
                if admit is not None:
                    admit(parsed)
                valid.append((parsed, raw))
            except ApiError as exc:
                outcome.failed.append({"index": index, "reason": exc.message, "errors": exc.errors,
                                       "retriable": False})
        outcome.accepted = self._commit(valid, wait=wait)
        return outcome

    def _commit(self, items: list[tuple[ParsedEvent, Any]], *, wait: bool) -> list[Accepted]:
        if not items:
            return []
        new_events = [NewEvent.of(parsed, raw) for parsed, raw in items]
        # Remembered before the commit: the worker may project an event the instant it commits. Only when this
        # process projects it (its role, or this request drains): under `serve` the background process
        # projects, and what it reads from the log it parses itself.
        remembered = new_events if self.projects_here or wait or self.inline else []
        for event in remembered:
            self.projector.remember(event.content_hash, event.parsed, len(event.payload))
        try:
            ids = self.group.append(new_events)
        except BaseException:
            self.projector.forget([e.content_hash for e in remembered])
            raise
        # what was not appended (duplicates, also of an event earlier in this batch) nobody will take
        appended = {e.content_hash for e, new_id in zip(new_events, ids, strict=True) if new_id is not None}
        self.projector.forget([e.content_hash for e in remembered if e.content_hash not in appended])
        accepted = [Accepted(parsed, duplicate=new_id is None)
                    for (parsed, _), new_id in zip(items, ids, strict=True)]
        for item in accepted:
            self.metrics.events.labels(kind=item.parsed.kind.value,
                                       outcome="duplicate" if item.duplicate else "accepted").inc()
            if not item.duplicate and self.after_commit:
                self.after_commit(item.parsed)
        wait = wait or self.inline
        fresh = [i for i in ids if i is not None]
        if wait and len(fresh) < len(ids):  # a duplicate's first copy may still be pending: wait for it too
            first = self.events.ids_of([e.content_hash for e, i in zip(new_events, ids, strict=True) if i is None])
            fresh += sorted(set(first) - self.events.projected_among(first))
        projected = self._project(sorted(set(fresh)), wait=wait)
        return [Accepted(a.parsed, a.duplicate, projected=projected) for a in accepted]

    def _project(self, ids: list[int], *, wait: bool) -> bool:
        """Without ``wait``, wake the worker and answer. With it, answer once the events are in the graph
        (True) or after ``wait_seconds`` (False; the events are durable either way): the worker projects
        them, sharing one pass with concurrent requests, while this thread waits; without a worker thread,
        this thread projects. Nobody waits while the graph store is known to be down."""
        if not wait:
            self.worker.wake()
            return False
        if not ids:
            return True
        if self.worker.running:
            return self.worker.wait_projected(ids, timeout=self.wait_seconds)
        if self.worker.backoff:
            return False
        try:
            self.projector.drain()
        except GraphUnavailable as exc:
            log.warning("graph store unavailable, event kept pending: %s", exc)
            self.worker.report_failure()
            return False
        return True
