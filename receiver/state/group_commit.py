"""Group commit for the event log: concurrent requests share one transaction, so one fsync serves many.

The request path of ingest ends at the durable commit of its events. With a transaction per request, a
receiver under load spends its time waiting for fsyncs (SQLite with ``synchronous=FULL``, PostgreSQL's WAL
flush). Here each request queues its events; whoever finds the log free becomes the leader, takes every event
queued meanwhile, commits them in one transaction and hands each request its ids. No extra thread and no
added latency when a request is alone: it leads its own commit at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from lineagelens.receiver.state.event_log import EventLog, NewEvent

log = logging.getLogger(__name__)


@dataclass
class _Pending:
    events: Sequence[NewEvent]
    ids: list[int | None] = field(default_factory=list)
    error: BaseException | None = None
    done: bool = False


class GroupCommit:
    def __init__(self, events: EventLog, *, max_events: int = 2000) -> None:
        self.events = events
        self.max_events = max_events
        self._queue: list[_Pending] = []
        self._queue_lock = threading.Lock()
        self._commit_lock = threading.Lock()
        self.commits = 0  # transactions made (for tests and metrics)

    def append(self, events: Sequence[NewEvent]) -> list[int | None]:
        """Commit ``events`` durably (sharing a transaction with concurrent callers); for each, its new id
        or None for a duplicate — exactly what :meth:`EventLog.append` answers."""
        if not events:
            return []
        mine = _Pending(events)
        with self._queue_lock:
            self._queue.append(mine)
        while True:
            with self._commit_lock:
                if not mine.done:
                    self._lead()
            if mine.done:
                break
        if mine.error is not None:
            raise mine.error
        return mine.ids

    def _take(self) -> list[_Pending]:
        """The queued requests, oldest first, up to ``max_events`` events (always at least one request)."""
        with self._queue_lock:
            taken: list[_Pending] = []
            count = 0
            while self._queue and (not taken or count + len(self._queue[0].events) <= self.max_events):
                item = self._queue.pop(0)
                taken.append(item)
                count += len(item.events)
            return taken

    def _lead(self) -> None:
        group = self._take()
        if not group:
            return
        try:
            ids = self.events.append([e for p in group for e in p.events])
        except Exception as exc:
            if len(group) == 1:
                group[0].error, group[0].done = exc, True
                return
            log.warning("group commit of %d requests failed, committing them one by one: %s", len(group), exc)
            for pending in group:
                try:
                    pending.ids = self.events.append(pending.events)
                except Exception as single:
                    pending.error = single
                pending.done = True
            self.commits += len(group)
            return
        self.commits += 1
        start = 0
        for pending in group:
            pending.ids = ids[start:start + len(pending.events)]
            start += len(pending.events)
            pending.done = True
