"""The audit log: who did what, when. Every write request that reached a view is recorded (its status
too, failures included), plus sign-in, sign-out and CLI changes. Ingest is not recorded row per event
(see docs/security.md): the ingest metrics count it."""

from __future__ import annotations

import getpass
import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from lineagelens.receiver.auth.users import iso, now
from lineagelens.receiver.state import db
from lineagelens.receiver.state.tables import audit_log

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    actor: str
    via: str
    action: str
    method: str = ""
    path: str = ""
    target: str | None = None
    status: int | None = None


def cli_actor() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry for the uid (containers)
        user = "unknown"
    return f"cli:{user}"


class AuditLog:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def record(self, entry: Entry) -> None:
        """Append an entry. A failure is logged, never raised: the change it describes already happened."""
        try:
            with db.transaction(self.engine) as conn:
                conn.execute(audit_log.insert().values(
                    at=now(), actor=entry.actor[:200], via=entry.via[:32], action=entry.action[:128],
                    method=entry.method, path=entry.path[:2000],
                    target=entry.target[:1000] if entry.target else None, status=entry.status))
        except sa.exc.SQLAlchemyError as exc:
            log.error("could not write the audit log entry %s: %s", entry, exc)

    def find(self, *, limit: int, offset: int, actor: str | None = None, action: str | None = None,
             ) -> tuple[list[dict[str, Any]], int]:
        """Entries newest first, filtered by exact actor and by action (exact, or a prefix ending in '.')."""
        where: list[Any] = []
        if actor:
            where.append(audit_log.c.actor == actor)
        if action:
            where.append(audit_log.c.action.startswith(action, autoescape=True) if action.endswith(".")
                         else audit_log.c.action == action)
        with self.engine.connect() as conn:
            total = int(conn.execute(sa.select(sa.func.count()).select_from(audit_log).where(*where)).scalar_one())
            rows = conn.execute(sa.select(audit_log).where(*where).order_by(audit_log.c.id.desc())
                                .limit(limit).offset(offset))
            entries = [{"id": r.id, "at": iso(r.at), "actor": r.actor, "via": r.via, "action": r.action,
                        "method": r.method, "path": r.path, "target": r.target, "status": r.status}
                       for r in rows]
        return entries, total
