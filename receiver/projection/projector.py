"""Applying the event log to the graph and state stores, in batches, one drainer at a time.

``drain()`` projects every pending event: parse, resolve aliases, build (pure), write the graph, write the
state records, mark the events projected. Two stages overlap: while one thread writes batch *n* (graph, then
records and marks, in order), the drainer reads, parses and builds batch *n + 1* — a graph store working on
another core (Neo4j, PostgreSQL) no longer leaves the drainer idle. Writes stay in batch order, one at a time;
aliases that batch *n* learns are handed to batch *n + 1* in memory, since its records may not be written yet.
On SQLite the two stages take turns instead (``overlap_writes``): the writing thread would hold the one writer
lock, which ingest waits for, while waiting for the GIL that the building thread keeps busy.

When the graph store is down the events stay pending (with the error and an attempt count) and the worker
(:mod:`.worker`) retries with exponential backoff.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import sqlalchemy as sa

from lineagelens.receiver.errors import InvalidEvent
from lineagelens.receiver.graph.base import GraphStore, GraphUnavailable
from lineagelens.receiver.openlineage import ParsedEvent, parse_event, parse_stored
from lineagelens.receiver.projection import facets as F
from lineagelens.receiver.projection.build import Normalize, Projection, build, same_name
from lineagelens.receiver.projection.parsed_cache import ParsedCache
from lineagelens.receiver.state import db
from lineagelens.receiver.state.db import LOCK_PROJECT, transaction
from lineagelens.receiver.state.event_log import EventLog, StoredEvent
from lineagelens.receiver.state.record_store import RecordStore
from lineagelens.receiver.state.records import Key

log = logging.getLogger(__name__)


@dataclass
class DrainResult:
    projected: int = 0
    ids: list[int] = field(default_factory=list)


@dataclass
class _Prepared:
    """A batch read, parsed and built, ready to write."""

    ids: list[int]
    projection: Projection


def memoized(normalize: Normalize) -> Normalize:
    """``normalize`` remembering its answers (the naming hook runs for every name of every event; a batch
    names the same few datasets over and over). For one batch: plugins may change between batches."""
    answers: dict[Key, Key] = {}

    def cached(namespace: str, name: str) -> Key:
        key = (namespace, name)
        found = answers.get(key)
        if found is None:
            found = answers[key] = normalize(namespace, name)
        return found

    return cached


def _keys(events: list[ParsedEvent], normalize: Normalize) -> set[Key]:
    """Every dataset identity the events name (after the naming rules): whose aliases to load."""
    keys: set[Key] = set()
    for event in events:
        refs = [*event.inputs, *event.outputs, *([event.dataset] if event.dataset else [])]
        for ref in refs:
            keys.add((ref.namespace, ref.name))
            keys.update(F.symlinks(ref.facets))
            keys.update(F.column_lineage_sources(ref.facets))
    return {normalize(*k) for k in keys}


class Projector:
    def __init__(self, *, engine: sa.Engine, events: EventLog, records: RecordStore, graph: GraphStore,
                 batch_size: int, normalize: Normalize = same_name,
                 on_batch: Callable[[int, int], None] | None = None) -> None:
        self.engine = engine
        self.events = events
        self.records = records
        self.graph = graph
        self.batch_size = batch_size
        self.normalize = normalize
        self.on_batch = on_batch  # (projected, failed) after each batch: metrics
        self._lock = threading.Lock()
        self._file_lock = db.sqlite_lock(engine, db.PROJECTION_LOCK_SUFFIX) \
            if engine.dialect.name == "sqlite" else None
        # Write a batch while the next one is prepared, except on SQLite: there the writing thread holds the one
        # writer lock (which ingest commits wait for) and, between the rows it hands the driver, waits for the
        # GIL that the preparing thread keeps busy: the graph's transaction held the lock ~7x longer (median 71
        # against 11 ms a 100-event batch, docs/benchmarks.md), and the drain was slower too.
        self.overlap_writes = engine.dialect.name != "sqlite"
        self.parsed = ParsedCache()  # content hash -> event, from ingest; bounded by payload bytes and age
        # Called after a rebuild, e.g. to restore manual lineage that lives outside the event log.
        self.after_rebuild: Callable[[], None] | None = None
        # Called for each batch with a read connection before its transaction (its records not yet written),
        # returning a write to make inside that transaction: live monitoring tells what the batch changes and
        # records it, committed with the records.
        self.on_project: Callable[[sa.Connection, Projection], Callable[[sa.Connection], None]] | None = None

    def remember(self, content_hash: str, event: ParsedEvent, size: int) -> None:
        """Keep an event ingest has just parsed (``size``: its payload length), so projecting it soon after
        need not parse it again. Ingest calls this *before* the commit: the worker may project the event the
        moment it is committed, and an entry remembered after that would never be taken."""
        self.parsed.put(content_hash, event, size)

    def forget(self, content_hashes: list[str]) -> None:
        """Drop remembered events that were not appended (duplicates, a failed commit)."""
        self.parsed.forget(content_hashes)

    def _parse(self, stored: StoredEvent) -> ParsedEvent | None:
        cached = self.parsed.take(stored.content_hash)
        if cached is not None:
            return cached
        try:
            raw = json.loads(stored.payload)
        except ValueError as exc:
            log.warning("event %s no longer parses, not projected: %s", stored.id, exc)
            return None
        if stored.dropped_facets is not None:
            try:
                return parse_stored(raw, stored.dropped_facets)  # validated at ingest: not again
            except Exception as exc:  # not what ingest stores: validate it as a new event would be
                log.warning("event %s: stored form not as expected (%s), validating it again", stored.id, exc)
        try:
            return parse_event(raw)
        except (InvalidEvent, ValueError) as exc:  # accepted under older rules: keep it, skip it
            log.warning("event %s no longer parses, not projected: %s", stored.id, exc)
            return None

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """One drainer per process (a lock) and per database (a PostgreSQL advisory lock; on a SQLite file,
        a lock on a companion file that every process of the machine takes)."""
        with self._lock:
            if self.engine.dialect.name != "postgresql":
                if self._file_lock is None:
                    yield
                    return
                with self._file_lock:
                    yield
                return
            with self.engine.connect() as conn:
                conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": LOCK_PROJECT})
                try:
                    yield
                finally:
                    conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_PROJECT})
                    conn.commit()

    def drain(self, *, progress: Callable[[int], None] | None = None,
              stopping: Callable[[], bool] | None = None) -> DrainResult:
        """Project every pending event, or stop after the current batch once ``stopping()`` says so (a
        graceful shutdown). Raises GraphUnavailable (the events stay pending)."""
        result = DrainResult()
        writer: ThreadPoolExecutor | None = None  # only when a second batch follows: a lone batch is written here
        writing: Future[_Prepared] | None = None
        learned: dict[Key, Key] = {}  # aliases learned by batches whose records may not be written yet
        after = 0
        with self._exclusive():
            try:
                while not (stopping and stopping()):
                    batch = self.events.pending(limit=self.batch_size, after=after)
                    if not batch:
                        break
                    after = batch[-1].id
                    prepared = self._prepare(batch, learned)
                    learned.update(prepared.projection.state.aliases)
                    if not self.overlap_writes:
                        self._written(self._write(prepared), result, progress)
                        if len(batch) < self.batch_size:
                            break
                        continue
                    if writing is not None:
                        done, writing = writing, None
                        self._written(done.result(), result, progress)
                        if stopping and stopping():
                            break  # stopping: the batch just built stays pending, like every later one
                    if len(batch) < self.batch_size:  # the last batch: nothing to overlap it with
                        self._written(self._write(prepared), result, progress)
                        break
                    writer = writer or ThreadPoolExecutor(1, thread_name_prefix="lineagelens-projection-write")
                    writing = writer.submit(self._write, prepared)
            finally:
                if writing is not None:
                    self._written(writing.result(), result, progress)
                if writer is not None:
                    writer.shutdown()
        return result

    def _written(self, done: _Prepared, result: DrainResult, progress: Callable[[int], None] | None) -> None:
        result.projected += len(done.ids)
        result.ids.extend(done.ids)
        if progress:
            progress(len(done.ids))

    def _prepare(self, batch: list[StoredEvent], learned: dict[Key, Key]) -> _Prepared:
        normalize = memoized(self.normalize)
        parsed = [event for stored in batch if (event := self._parse(stored)) is not None]
        aliases = {**self.records.aliases_for(_keys(parsed, normalize)), **learned}
        return _Prepared([s.id for s in batch], build(parsed, aliases, normalize))

    def _write(self, prepared: _Prepared) -> _Prepared:
        """Graph first, then the records and the projected marks in one transaction."""
        ids, projection = prepared.ids, prepared.projection
        try:
            self.graph.apply(batch=projection.graph)
        except GraphUnavailable as exc:
            self.events.mark_failed(ids, str(exc))
            if self.on_batch:
                self.on_batch(0, len(ids))
            raise
        # Read what the batch merges with before the transaction (on SQLite it holds the writer lock ingest
        # waits for): only projection writes these rows, and the previous batch's transaction has committed.
        with self.engine.connect() as conn:
            changes = self.on_project(conn, projection) if self.on_project else None
            records = self.records.merged(conn, projection.state)
        with transaction(self.engine, durable=False) as conn:  # lost in a crash only with what follows it
            if changes:
                changes(conn)
            self.records.write(conn, records)
            self.events.mark_projected(conn, ids)
        if self.on_batch:
            self.on_batch(len(ids), 0)
        return prepared

    def rebuild(self, *, progress: Callable[[int], None] | None = None) -> DrainResult:
        """Clear the graph and the projected records, then re-project the whole event log."""
        with self._exclusive():
            self.graph.clear()
            self.records.clear()
            self.events.reset_projection()
        result = self.drain(progress=progress)
        if self.after_rebuild:
            self.after_rebuild()
        return result
