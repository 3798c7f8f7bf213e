"""Applying the event log to the graph and state stores, in batches, one drainer at a time.

``drain()`` projects every pending event: parse, resolve aliases, build (pure), write the graph, write the
state records, mark the events projected. Three stages overlap (:class:`_Pipeline`): while one thread writes
batch *n*'s graph and another batch *n - 1*'s records and marks, the drainer reads, parses and builds batch
*n + 1* — the graph store (Neo4j) and the state database work on other cores instead of in turn. Each stage
keeps batch order, and a batch's records and marks are written only once its graph is: an event marked
projected is in the graph. Aliases that batch *n* learns are handed to batch *n + 1* in memory, since its
records may not be written yet. On SQLite the stages take turns instead (``overlap_writes``): a writing thread
would hold the one writer lock, which ingest waits for, while waiting for the GIL that the building thread
keeps busy.

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

from lineagelens.receiver import gc_tuning
from lineagelens.receiver.errors import InvalidEvent
from lineagelens.receiver.graph.base import GraphStore, GraphUnavailable
from lineagelens.receiver.openlineage import ParsedEvent, parse_event, parse_stored
from lineagelens.receiver.projection import facets as F
from lineagelens.receiver.projection.build import Normalize, Projection, build, same_name
from lineagelens.receiver.projection.parsed_cache import ParsedCache
from lineagelens.receiver.state import db
from lineagelens.receiver.state.db import LOCK_PROJECT, WriteStep, write_in_steps
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
        # Called for each batch with a read connection before its records are written, returning writes to make
        # right after them: live monitoring tells what the batch changes and records it.
        self.on_project: Callable[[sa.Connection, Projection], list[WriteStep]] | None = None

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
        """Project every pending event, or stop once ``stopping()`` says so, after the batches being written (a
        graceful shutdown; the batch just built stays pending). Raises GraphUnavailable (the events stay
        pending)."""
        result = DrainResult()
        pipeline = _Pipeline(self) if self.overlap_writes else None
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
                    if len(batch) >= gc_tuning.SETTLE_MIN_EVENTS:
                        gc_tuning.settle()  # it lives until written: collections need not walk it meanwhile
                    if pipeline is None:
                        self._written(self._write(prepared), result, progress)
                    else:
                        for done in pipeline.advance():
                            self._written(done, result, progress)
                        if stopping and stopping():
                            break  # stopping: the batch just built stays pending, like every later one
                        pipeline.start(prepared)
                    if len(batch) < self.batch_size:
                        break
            finally:
                if pipeline is not None:
                    for done in pipeline.finish():
                        self._written(done, result, progress)
                gc_tuning.rest()  # the cyclic garbage among what was settled, after a large enough drain
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
        """Graph first, then the records, then the projected marks."""
        return self._write_records(self._write_graph(prepared))

    def _write_graph(self, prepared: _Prepared) -> _Prepared:
        try:
            self.graph.apply(batch=prepared.projection.graph)
        except GraphUnavailable as exc:
            self.events.mark_failed(prepared.ids, str(exc))
            if self.on_batch:
                self.on_batch(0, len(prepared.ids))
            raise
        return prepared

    def _write_records(self, prepared: _Prepared) -> _Prepared:
        ids, projection = prepared.ids, prepared.projection
        # Read what the batch merges with before writing (on SQLite writes hold the lock ingest waits for): only
        # projection writes these rows, and the previous batch's have committed.
        with self.engine.connect() as conn:
            changes = self.on_project(conn, projection) if self.on_project else []
            records = self.records.merged(conn, projection.state)
        # One transaction on PostgreSQL; short ones on SQLite (write_in_steps): the records, then the change rows
        # (a change seen is a change stored), the projected marks last. A crash in between leaves the events
        # pending, and projecting them again merges to the same records.
        write_in_steps(self.engine, [*self.records.steps(records), *changes, *self.events.projected_steps(ids)])
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


class _Pipeline:
    """The two writing stages of a drain, each on a thread of its own and in batch order: graphs, then (once a
    batch's graph is written) records and projected marks. :meth:`start` hands over a built batch;
    :meth:`advance` waits for the graph in flight, passes it on to the records stage and returns the batches
    whose records are written since; :meth:`finish` waits for everything in flight. At most one batch is in
    each stage, so the drainer builds at most one batch ahead."""

    def __init__(self, projector: Projector) -> None:
        self._projector = projector
        self._graphs = ThreadPoolExecutor(1, thread_name_prefix="lineagelens-projection-graph")
        self._records = ThreadPoolExecutor(1, thread_name_prefix="lineagelens-projection-records")
        self._graphing: Future[_Prepared] | None = None
        self._recording: Future[_Prepared] | None = None

    def start(self, prepared: _Prepared) -> None:
        assert self._graphing is None, "advance() first"
        self._graphing = self._graphs.submit(self._projector._write_graph, prepared)

    def advance(self) -> list[_Prepared]:
        """Raises what the graph write in flight raised (its batch marked failed); the records in flight are
        left to :meth:`finish`."""
        if self._graphing is None:
            return []
        graphing, self._graphing = self._graphing, None
        graphed = graphing.result()
        done = self._recorded()
        self._recording = self._records.submit(self._projector._write_records, graphed)
        return done

    def finish(self) -> list[_Prepared]:
        """The batches whose records are written since; raises what a stage in flight raised. Either way
        both threads are done when it returns (a drainer's successor must not overlap them)."""
        try:
            done = self.advance()
            return done + self._recorded()
        finally:
            self._graphs.shutdown()
            self._records.shutdown()

    def _recorded(self) -> list[_Prepared]:
        if self._recording is None:
            return []
        recording, self._recording = self._recording, None
        return [recording.result()]
