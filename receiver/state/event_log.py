"""The event log: every accepted event, raw, committed before the receiver answers.

A content hash of the canonical JSON makes a re-sent event a no-op. ``projected`` marks what the
projector has applied; what is not projected yet is the backlog.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from lineagelens.receiver.openlineage.model import ParsedEvent
from lineagelens.receiver.state.autocommit import AutocommitWriter
from lineagelens.receiver.state.db import STEP_ROWS, WriteStep, chunks, insert, transaction
from lineagelens.receiver.state.key_sets import KeySet
from lineagelens.receiver.state.tables import lineage_events

log = logging.getLogger(__name__)


def canonical_json(raw: Any) -> str:
    return json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(payload: str) -> str:
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass
class NewEvent:
    """An accepted event ready to append: the parsed event and its canonical JSON."""

    parsed: ParsedEvent
    payload: str

    @classmethod
    def of(cls, parsed: ParsedEvent, raw: Any) -> NewEvent:
        return cls(parsed=parsed, payload=canonical_json(raw))

    @functools.cached_property
    def content_hash(self) -> str:
        return content_hash(self.payload)

    def row(self, received_at: datetime) -> dict[str, Any]:
        p = self.parsed
        return {
            "content_hash": self.content_hash,
            "kind": p.kind.value,
            "event_type": p.event_type.value if p.event_type else None,
            "event_time": p.event_time,
            "run_id": p.run_id,
            "job_namespace": p.job_namespace,
            "job_name": p.job_name,
            "producer": p.producer,
            "payload": self.payload,
            "received_at": received_at,
            "dropped_facets": [w.path for w in p.warnings if w.facet is not None],
        }


@dataclass(frozen=True)
class StoredEvent:
    id: int
    payload: str
    content_hash: str
    dropped_facets: tuple[str, ...] | None = None  # None: not recorded (an event stored by an older version)


# run for every projection batch: built once (building a statement costs more than a small batch's query)
_PENDING = (sa.select(lineage_events.c.id, lineage_events.c.payload, lineage_events.c.content_hash,
                      lineage_events.c.dropped_facets)
            .where(lineage_events.c.projected == sa.false(), lineage_events.c.id > sa.bindparam("after"))
            .order_by(lineage_events.c.id).limit(sa.bindparam("limit")))


class EventLog:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._ids = KeySet(engine, (lineage_events.c.id,), name="ids")
        self._mark_projected = lineage_events.update().where(self._ids.clause).values(projected=True, last_error=None)
        self._autocommit = AutocommitWriter(engine)  # a commit group's one statement (receiver/state/autocommit.py)

    @functools.cached_property
    def _append_statement(self) -> Any:
        """One statement for a whole commit group: rows whose hash is already stored are skipped, and only the
        inserted rows come back. Built once: building it cost a request more than its share of the commit."""
        return (insert(self.engine, lineage_events).on_conflict_do_nothing(index_elements=["content_hash"])
                .returning(lineage_events.c.content_hash, lineage_events.c.id))

    def append(self, events: Sequence[NewEvent]) -> list[int | None]:
        """Commit ``events`` in one transaction; for each, its new id, or None for a duplicate."""
        if not events:
            return []
        now = datetime.now(UTC)
        rows = [e.row(now) for e in events]
        hashes = [r["content_hash"] for r in rows]
        fresh: dict[str, dict[str, Any]] = {}
        for row in rows:
            fresh.setdefault(row["content_hash"], row)  # a hash sent twice in one batch: only the first is new
        new = list(fresh.values())
        found: list[sa.Row[Any]]
        if self._autocommit.fits(len(new), len(new[0])):
            found = self._autocommit.execute(self._append_statement, new)
        else:
            with transaction(self.engine) as conn:
                found = list(conn.execute(self._append_statement, new))
        ids: dict[str, int] = {row.content_hash: row.id for row in found}
        result: list[int | None] = []
        for h in hashes:
            result.append(ids.pop(h, None))
        return result

    def close(self) -> None:
        self._autocommit.close()

    def ids_of(self, hashes: Sequence[str]) -> list[int]:
        """The ids of the stored events with these content hashes."""
        with self.engine.connect() as conn:
            return list(conn.scalars(sa.select(lineage_events.c.id).where(
                lineage_events.c.content_hash.in_(list(hashes)))))

    def projected_among(self, ids: Sequence[int]) -> set[int]:
        """Which of ``ids`` are projected (by this process or another)."""
        with self.engine.connect() as conn:
            return set(conn.scalars(sa.select(lineage_events.c.id).where(
                lineage_events.c.id.in_(list(ids)), lineage_events.c.projected == sa.true())))

    def pending(self, *, limit: int, after: int = 0) -> list[StoredEvent]:
        """The oldest ``limit`` events not projected yet, with ids above ``after`` (a drainer's position while
        the batch before is still being written)."""
        with self.engine.connect() as conn:
            return [StoredEvent(r.id, r.payload, r.content_hash,
                                None if r.dropped_facets is None else tuple(r.dropped_facets))
                    for r in conn.execute(_PENDING, {"after": after, "limit": limit})]

    def mark_projected(self, conn: sa.Connection, ids: Sequence[int]) -> None:
        """Inside the caller's transaction (the one writing the projected records)."""
        conn.execute(self._mark_projected, self._ids.params_of(ids))

    def projected_steps(self, ids: Sequence[int]) -> list[WriteStep]:
        """Marking ``ids`` projected, as steps of ``db.write_in_steps`` (after the steps writing their records)."""
        return [functools.partial(self.mark_projected, ids=page) for page in chunks(ids, STEP_ROWS)]

    def mark_failed(self, ids: Sequence[int], error: str) -> None:
        with transaction(self.engine) as conn:
            conn.execute(lineage_events.update().where(lineage_events.c.id.in_(ids))
                         .values(attempts=lineage_events.c.attempts + 1, last_error=error[:2000]))

    def backlog(self) -> int:
        stmt = sa.select(sa.func.count()).select_from(lineage_events).where(
            lineage_events.c.projected == sa.false())
        with self.engine.connect() as conn:
            return int(conn.scalar(stmt) or 0)

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(sa.select(sa.func.count()).select_from(lineage_events)) or 0)

    def reset_projection(self) -> None:
        """Mark every event unprojected (``graph rebuild``)."""
        with transaction(self.engine) as conn:
            conn.execute(lineage_events.update().values(projected=False, attempts=0, last_error=None))

    def between(self, *, since: datetime | None, until: datetime | None, limit: int, offset: int,
                oldest_first: bool = False) -> tuple[list[str], int]:
        """Payloads of events whose eventTime lies in [since, until], newest first (oldest first when
        ``oldest_first``), and the total."""
        where = []
        if since is not None:
            where.append(lineage_events.c.event_time >= since)
        if until is not None:
            where.append(lineage_events.c.event_time <= until)
        order = [lineage_events.c.event_time, lineage_events.c.id]
        stmt = (sa.select(lineage_events.c.payload).where(*where)
                .order_by(*(order if oldest_first else [c.desc() for c in order]))
                .limit(limit).offset(offset))
        total = sa.select(sa.func.count()).select_from(lineage_events).where(*where)
        with self.engine.connect() as conn:
            return list(conn.scalars(stmt)), int(conn.scalar(total) or 0)
