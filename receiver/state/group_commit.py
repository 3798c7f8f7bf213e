"""Group commit for the event log: concurrent requests share one transaction, so one fsync serves many.

The request path of ingest ends at the durable commit of its events. With a transaction per request, a
receiver under load spends its time waiting for fsyncs (SQLite with ``synchronous=FULL``, PostgreSQL's WAL
flush). Here each request queues its events; whoever finds the log free becomes the leader, takes every event
queued meanwhile, commits them in one transaction and hands each request its ids. No extra thread and no
added latency when a request is alone: it leads its own commit at once.

Each waiting request sleeps on an event of its own. A leader wakes exactly the requests it committed, and
after letting go of the log the oldest request still queued, which leads next (taking every request queued by
then). Waiters never pass the log's lock from one to the next just to learn that they are done: under load,
with the request threads of a worker contending for the interpreter lock, each such pass cost a wait for the
interpreter lock, and the next commit started only after the chain.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from lineagelens.receiver.state.event_log import EventLog, NewEvent

log = logging.getLogger(__name__)

WAIT_SECONDS = 1.0  # a waiting request looks at the log again after this long, woken or not


@dataclass
class _Pending:
    events: Sequence[NewEvent]
    ids: list[int | None] = field(default_factory=list)
    error: BaseException | None = None
    done: bool = False
    # set when ``done``, or when this request is the oldest queued one as the log comes free (it then leads)
    woken: threading.Event = field(default_factory=threading.Event)

    def finish(self) -> None:
        self.done = True
        self.woken.set()


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
        while not mine.done:
            if self._commit_lock.acquire(blocking=False):
                try:
                    if not mine.done:
                        self._lead()
                finally:
                    self._commit_lock.release()
                self._wake_next()
            else:
                # The leader wakes us once our events are committed, or, if they are still queued when it lets
                # go of the log, to lead. We queued before trying the lock, so a leader that held it sees us;
                # the timeout only bounds what an unforeseen missed wake would cost.
                mine.woken.wait(WAIT_SECONDS)
                mine.woken.clear()
        if mine.error is not None:
            raise mine.error
        return mine.ids

    def _wake_next(self) -> None:
        """The log is free: wake the oldest queued request to lead (it takes every request queued by then)."""
        with self._queue_lock:
            head = self._queue[0] if self._queue else None
        if head is not None:
            head.woken.set()

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
            self._commit(group)
        except BaseException as exc:  # interrupted (a worker stopping): no request it took may wait for ever
            for pending in group:
                if not pending.done:
                    pending.error = exc
                    pending.finish()
            raise

    def _commit(self, group: list[_Pending]) -> None:
        try:
            ids = self.events.append([e for p in group for e in p.events])
        except Exception as exc:
            if len(group) == 1:
                group[0].error = exc
                group[0].finish()
                return
            log.warning("group commit of %d requests failed, committing them one by one: %s", len(group), exc)
            for pending in group:
                try:
                    pending.ids = self.events.append(pending.events)
                except Exception as single:
                    pending.error = single
                pending.finish()
            self.commits += len(group)
            return
        self.commits += 1
        start = 0
        for pending in group:
            pending.ids = ids[start:start + len(pending.events)]
            start += len(pending.events)
            pending.finish()
