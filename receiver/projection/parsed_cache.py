"""Events ingest has just parsed, kept for the projector so it need not parse them again.

Parsing a Spark-sized event costs milliseconds, and with background projection the worker projects an event
a moment after ingest parsed it. The cache is bounded by **bytes** (an event's canonical JSON length: its
parsed form, with the decoded JSON it holds on to, is ~4.5 times that in memory) and by **age**: an entry nobody
took within ``max_age`` seconds was projected elsewhere (another receiver process on the same database) or is
far behind in a backlog, and parsing it again then is cheaper than keeping it. Ingest remembers events before
their commit is acknowledged (so the worker, which may project them the instant they commit, always finds
them) and forgets those that turned out to be duplicates; the projector takes (pops) what it projects.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from lineagelens.receiver.openlineage import ParsedEvent

log = logging.getLogger(__name__)

MAX_BYTES = 16 * 1024 * 1024  # of canonical JSON: ~1,800 Spark-sized events, ~75 MB of parsed objects at most
MAX_AGE_SECONDS = 120.0


@dataclass(frozen=True)
class _Entry:
    event: ParsedEvent
    size: int
    at: float


class ParsedCache:
    """Content hash -> parsed event, oldest first, at most ``max_bytes`` of payload and ``max_age`` seconds."""

    def __init__(self, *, max_bytes: int = MAX_BYTES, max_age: float = MAX_AGE_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_bytes = max_bytes
        self.max_age = max_age
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def bytes(self) -> int:
        """Payload bytes held now."""
        return self._bytes

    def put(self, content_hash: str, event: ParsedEvent, size: int) -> None:
        """Keep ``event`` (``size``: its payload length). An event larger than the whole budget is not kept."""
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(content_hash, None)
            if old is not None:
                self._bytes -= old.size
            self._entries[content_hash] = _Entry(event, size, self._clock())
            self._bytes += size
            self._evict()

    def take(self, content_hash: str) -> ParsedEvent | None:
        """The event, removed from the cache; None when it is not (or no longer) there."""
        with self._lock:
            entry = self._entries.pop(content_hash, None)
            if entry is not None:
                self._bytes -= entry.size
            self._evict()
        return entry.event if entry is not None else None

    def forget(self, hashes: Iterable[str]) -> None:
        """Drop these entries (events that were not appended: duplicates, or a failed commit)."""
        with self._lock:
            for content_hash in hashes:
                entry = self._entries.pop(content_hash, None)
                if entry is not None:
                    self._bytes -= entry.size

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def _evict(self) -> None:
        """Oldest first: while over budget, or older than ``max_age`` (insertion order is age order)."""
        horizon = self._clock() - self.max_age
        while self._entries:
            content_hash, entry = next(iter(self._entries.items()))
            if self._bytes <= self.max_bytes and entry.at >= horizon:
                break
            del self._entries[content_hash]
            self._bytes -= entry.size
