"""Merge rules of the identity console, as stored in ``identity_merges``.

A rule folds an alias dataset into a canonical one. Its life: ``pending`` (stored; projection already reads
the alias as the canonical name) -> ``applying`` (the background re-projection of the event log runs) ->
``applied``; an undo moves it to ``undoing`` (projection no longer reads it) -> ``undone`` once the event log
has been re-projected without it. ``progress`` (0..1) is the share of the event log re-projected by the
current run; ``error`` the last failure (the run is retried).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from lineagelens.receiver.state.db import transaction
from lineagelens.receiver.state.record_store import ACTIVE_MERGE_STATES
from lineagelens.receiver.state.tables import identity_merges

log = logging.getLogger(__name__)

Key = tuple[str, str]
STATES = ("pending", "applying", "applied", "undoing", "undone")
ACTIVE = ACTIVE_MERGE_STATES


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class MergeRule:
    id: str
    alias: Key
    canonical: Key
    created_by: str
    created_at: datetime
    state: str
    progress: float
    error: str | None
    updated_at: datetime

    @property
    def active(self) -> bool:
        return self.state in ACTIVE


def _rule(row: Any) -> MergeRule:
    return MergeRule(id=row.id, alias=(row.alias_namespace, row.alias_name),
                     canonical=(row.canonical_namespace, row.canonical_name), created_by=row.created_by,
                     created_at=row.created_at, state=row.state, progress=float(row.progress), error=row.error,
                     updated_at=row.updated_at)


@dataclass(frozen=True)
class Claim:
    """The rules one background run covers."""

    applying: tuple[str, ...]
    undoing: tuple[str, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return self.applying + self.undoing


class MergeRules:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def create(self, *, alias: Key, canonical: Key, created_by: str) -> MergeRule:
        now, rule_id = _now(), str(uuid.uuid4())
        row = {"id": rule_id, "alias_namespace": alias[0], "alias_name": alias[1],
               "canonical_namespace": canonical[0], "canonical_name": canonical[1], "created_by": created_by,
               "created_at": now, "state": "pending", "progress": 0.0, "error": None, "updated_at": now}
        with transaction(self.engine) as conn:
            conn.execute(identity_merges.insert().values(**row))
        return MergeRule(id=rule_id, alias=alias, canonical=canonical, created_by=created_by, created_at=now,
                         state="pending", progress=0.0, error=None, updated_at=now)

    def get(self, rule_id: str) -> MergeRule | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(identity_merges).where(identity_merges.c.id == rule_id)).first()
        return _rule(row) if row is not None else None

    def all(self) -> list[MergeRule]:
        """Every rule, newest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(identity_merges).order_by(identity_merges.c.created_at.desc(),
                                                                     identity_merges.c.id))
            return [_rule(r) for r in rows]

    def active_for(self, alias: Key) -> MergeRule | None:
        """The rule in force for ``alias``, if any."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(identity_merges).where(
                identity_merges.c.alias_namespace == alias[0], identity_merges.c.alias_name == alias[1],
                identity_merges.c.state.in_(ACTIVE))).first()
        return _rule(row) if row is not None else None

    def request_undo(self, rule_id: str) -> bool:
        """Move an active rule to ``undoing``; False when it is no longer active (already undone)."""
        with transaction(self.engine) as conn:
            done = conn.execute(identity_merges.update().where(
                identity_merges.c.id == rule_id, identity_merges.c.state.in_(ACTIVE),
            ).values(state="undoing", progress=0.0, error=None, updated_at=_now()))
        return bool(done.rowcount)

    def claim(self) -> Claim:
        """Start a run: pending rules become ``applying``; rules being undone are taken as they are."""
        with transaction(self.engine) as conn:
            pending = [r.id for r in conn.execute(sa.select(identity_merges.c.id).where(
                identity_merges.c.state == "pending"))]
            if pending:
                conn.execute(identity_merges.update().where(
                    identity_merges.c.id.in_(pending), identity_merges.c.state == "pending",
                ).values(state="applying", progress=0.0, updated_at=_now()))
            undoing = [r.id for r in conn.execute(sa.select(identity_merges.c.id).where(
                identity_merges.c.state == "undoing"))]
        return Claim(applying=tuple(pending), undoing=tuple(undoing))

    def set_progress(self, ids: Sequence[str], progress: float) -> None:
        with transaction(self.engine) as conn:
            conn.execute(identity_merges.update().where(identity_merges.c.id.in_(list(ids)))
                         .values(progress=max(0.0, min(1.0, progress)), updated_at=_now()))

    def finish(self, claim: Claim) -> None:
        """The run is over: its rules reach their end state, unless someone changed them meanwhile (a rule
        undone while it was being applied stays ``undoing`` for the next run)."""
        now = _now()
        with transaction(self.engine) as conn:
            for ids, before, after in ((claim.applying, "applying", "applied"), (claim.undoing, "undoing", "undone")):
                if ids:
                    conn.execute(identity_merges.update().where(
                        identity_merges.c.id.in_(list(ids)), identity_merges.c.state == before,
                    ).values(state=after, progress=1.0, error=None, updated_at=now))

    def fail(self, claim: Claim, error: str) -> None:
        """The run failed: applying rules go back to ``pending`` (retried), undoing ones stay; both keep
        the error."""
        now = _now()
        with transaction(self.engine) as conn:
            if claim.applying:
                conn.execute(identity_merges.update().where(
                    identity_merges.c.id.in_(list(claim.applying)), identity_merges.c.state == "applying",
                ).values(state="pending", error=error[:2000], updated_at=now))
            if claim.undoing:
                conn.execute(identity_merges.update().where(
                    identity_merges.c.id.in_(list(claim.undoing)), identity_merges.c.state == "undoing",
                ).values(error=error[:2000], updated_at=now))

    def has_work(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(identity_merges.c.id).where(
                identity_merges.c.state.in_(("pending", "undoing"))).limit(1)).first() is not None
