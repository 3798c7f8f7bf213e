"""The notification queue and delivery log (``alert_notifications``).

A notification is a row written in the same transaction as the incident change that caused it, so nothing
is lost by a restart. A background thread sends the rows that are due: each is claimed first (its next
attempt moved past a lease, by a conditional UPDATE on the row as planned, so no row is sent twice), then sent
through the channel plugin. Across receivers one pass sends at a time (an advisory lock), so a channel's
per-minute limit holds for the deployment. A failure is retried with exponential backoff up to
``ALERT_MAX_ATTEMPTS``; a channel over its per-minute rate limit has its rows postponed, not attempted.
The unique ``dedup_key`` (incident, event, channel) makes each notification exist once.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from lineagelens.receiver.background import BackgroundLoop
from lineagelens.receiver.sources.network import NetworkRefused
from lineagelens.receiver.sources.secrets import SecretsUnreadable
from lineagelens.receiver.sources.types import DeliveryFailed
from lineagelens.receiver.state import db
from lineagelens.receiver.state.db import transaction, try_session_lock
from lineagelens.receiver.state.tables import alert_channels, alert_notifications

from .channels import ChannelService

log = logging.getLogger(__name__)

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
LOCK_DELIVERY = 0x4C4C_0A03  # one receiver's pass sends at a time


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def present(row: Any) -> dict[str, Any]:
    return {"id": row.id, "incidentId": row.incident_id, "event": row.event, "channelId": row.channel_id,
            "status": row.status, "attempts": row.attempts, "lastError": row.last_error,
            "responseStatus": row.response_status, "createdAt": _iso(row.created_at),
            "nextAttemptAt": _iso(row.next_attempt_at) if row.status == PENDING else None,
            "lastAttemptAt": _iso(row.last_attempt_at), "deliveredAt": _iso(row.delivered_at),
            "title": (row.message or {}).get("title")}


def queue_rows(*, incident_id: int | None, event: str, channel_ids: Iterable[str], message: Mapping[str, Any],
               now: datetime) -> list[dict[str, Any]]:
    """The ``alert_notifications`` rows that queue ``message`` for each of ``channel_ids`` (once each)."""
    return [{"incident_id": incident_id, "event": event, "channel_id": cid,
             "dedup_key": f"{incident_id}:{event}:{cid}" if incident_id is not None else None,
             "status": PENDING, "attempts": 0, "message": dict(message), "created_at": now,
             "next_attempt_at": now} for cid in dict.fromkeys(channel_ids)]


@dataclass
class Delivery(BackgroundLoop):
    engine: sa.Engine
    channels: ChannelService
    retry_base: float = 30.0
    retry_max: float = 3600.0
    max_attempts: int = 8
    poll_seconds: float = 2.0
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    thread_name = "lineagelens-alert-delivery"
    _passing: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        self._init_loop()

    # -- the queue ---------------------------------------------------------------------------------
    def enqueue_rows(self, conn: sa.Connection, rows: Sequence[Mapping[str, Any]]) -> int:
        """Queue rows made by :func:`queue_rows` (any number of messages) inside the caller's transaction, in
        one statement; a (incident, event, channel) already queued is left alone. How many were queued. The
        caller wakes delivery once it has committed (woken before, a pass would not see the rows yet and they
        would wait for the next poll)."""
        if not rows:
            return 0
        return int(conn.execute(self._queue_statement, list(rows)).rowcount or 0)

    @functools.cached_property
    def _queue_statement(self) -> Any:
        """Built once: an executemany of a statement built per call would compile it per call."""
        return db.insert(self.engine, alert_notifications).on_conflict_do_nothing(index_elements=["dedup_key"])

    def _backoff(self, attempts: int) -> float:
        return float(min(self.retry_base * (2 ** max(attempts - 1, 0)), self.retry_max))

    def _claim(self, planned: Any, now: datetime) -> bool:
        """Take a row planned as due (its ``next_attempt_at`` as the plan read it, due then) for one attempt,
        by moving its next attempt past a lease; False when it changed since the plan — another receiver
        claimed it (its lease) or attempted it (its backoff) — so it is not this pass's to send."""
        lease = now + timedelta(seconds=self.channels.timeout * 3 + 30)
        with transaction(self.engine) as conn:
            claimed = conn.execute(alert_notifications.update().where(
                alert_notifications.c.id == planned.id, alert_notifications.c.status == PENDING,
                alert_notifications.c.next_attempt_at == planned.next_attempt_at).values(next_attempt_at=lease))
        return bool(claimed.rowcount)

    def _recent_attempts(self, channel_id: str, now: datetime) -> list[datetime]:
        with self.engine.connect() as conn:
            return list(conn.scalars(sa.select(alert_notifications.c.last_attempt_at).where(
                alert_notifications.c.channel_id == channel_id,
                alert_notifications.c.last_attempt_at > now - timedelta(seconds=60))))

    def _finish(self, row_id: int, **values: Any) -> None:
        with transaction(self.engine) as conn:
            conn.execute(alert_notifications.update().where(alert_notifications.c.id == row_id).values(**values))

    def run_due(self, now: datetime | None = None, *, limit: int = 50) -> int:
        """Send up to ``limit`` notifications due at ``now`` (default: the clock); how many were attempted.
        One pass at a time sends across receivers (a PostgreSQL advisory lock; a pass that finds it taken
        attempts nothing): the channels' per-minute limits are counted from the log by the only pass that
        sends, and the holder's loop goes on while it finds work, so it also sends what others queued."""
        with try_session_lock(self.engine, LOCK_DELIVERY, self._passing) as mine:
            return self._send_due(now or self.clock(), limit) if mine else 0

    def _send_due(self, now: datetime, limit: int) -> int:
        n = alert_notifications.c
        with self.engine.connect() as conn:  # only what planning needs: messages are read for the rows sent
            due = conn.execute(sa.select(n.id, n.channel_id, n.next_attempt_at).where(
                n.status == PENDING, n.next_attempt_at <= now).order_by(n.next_attempt_at, n.id).limit(limit)).all()
        send = self._within_limits(due, now)
        rows: dict[int, Any] = {}
        if send:
            with self.engine.connect() as conn:
                rows = {r.id: r for r in conn.execute(sa.select(alert_notifications).where(
                    n.id.in_([r.id for r in send]), n.status == PENDING))}
        attempted = 0
        for planned in send:
            row = rows.get(planned.id)
            # claimed against the plan, not the row read since: another receiver's claim in between has moved
            # the row's next attempt to its lease, and a claim on that value would send the row a second time
            if row is not None and self._claim(planned, now):
                attempted += self._attempt(row, now)
        return attempted

    def _within_limits(self, due: Sequence[Any], now: datetime) -> list[Any]:
        """The due rows their channels' rate limits let through now. The others are postponed to when
        their channel's minute frees up — all in one write transaction, without claiming them one by one
        (a channel far over its limit must not cost two transactions per row and pass)."""
        channel_ids = sorted({r.channel_id for r in due})
        if not channel_ids:
            return []
        with self.engine.connect() as conn:
            limits = {r.id: r.rate_limit_per_minute for r in conn.execute(
                sa.select(alert_channels.c.id, alert_channels.c.rate_limit_per_minute)
                .where(alert_channels.c.id.in_(channel_ids), alert_channels.c.enabled == sa.true()))}
        send: list[Any] = []
        postpone: dict[datetime, list[int]] = {}
        for channel_id in channel_ids:
            rows = [r for r in due if r.channel_id == channel_id]
            if channel_id not in limits:  # deleted or disabled: the attempt records why it fails
                send += rows
                continue
            recent = self._recent_attempts(channel_id, now)
            room = max(limits[channel_id] - len(recent), 0)
            send += rows[:room]
            if rows[room:]:
                later = max((min(recent) if recent else now) + timedelta(seconds=60), now + timedelta(seconds=1))
                postpone.setdefault(later, []).extend(r.id for r in rows[room:])
                log.info("channel %s over its rate limit; %d notifications postponed", channel_id, len(rows[room:]))
        if postpone:
            with transaction(self.engine) as conn:
                for later, ids in postpone.items():
                    conn.execute(alert_notifications.update().where(
                        alert_notifications.c.id.in_(ids), alert_notifications.c.status == PENDING,
                        alert_notifications.c.next_attempt_at <= now).values(next_attempt_at=later))
        return sorted(send, key=lambda r: (r.next_attempt_at, r.id))

    def _attempt(self, row: Any, now: datetime) -> int:
        try:
            configured = self.channels.configured(row.channel_id)
        except SecretsUnreadable:
            self._finish(row.id, status=FAILED, last_error="the channel's secrets do not open with the current "
                                                           "keys", last_attempt_at=now)
            return 0
        if configured is None or configured.channel is None or not configured.enabled:
            why = ("the channel was deleted" if configured is None else "the channel is disabled"
                   if configured.channel is not None else f"no plugin provides channel kind {configured.kind!r}")
            self._finish(row.id, status=FAILED, last_error=why, last_attempt_at=now)
            return 0
        recent = self._recent_attempts(row.channel_id, now)
        if len(recent) >= configured.rate_limit_per_minute:
            later = min(recent) + timedelta(seconds=60)
            self._finish(row.id, next_attempt_at=max(later, now + timedelta(seconds=1)))
            log.info("channel %s over its rate limit; notification %s postponed", row.channel_id, row.id)
            return 0
        attempts = row.attempts + 1
        try:
            status = configured.channel.send(row.message, configured.config, self.channels.context())
        except NetworkRefused as exc:
            self._finish(row.id, status=FAILED, attempts=attempts, last_attempt_at=now,
                         last_error=f"refused by the network guard: {exc}")
        except DeliveryFailed as exc:
            retry = exc.retriable and attempts < self.max_attempts
            self._finish(row.id, status=PENDING if retry else FAILED, attempts=attempts, last_attempt_at=now,
                         last_error=str(exc), response_status=exc.status,
                         next_attempt_at=now + timedelta(seconds=self._backoff(attempts)) if retry else now)
        except Exception as exc:  # a plugin bug: logged, retried like a failure
            log.exception("channel %s (%s) raised", configured.name, configured.kind)
            retry = attempts < self.max_attempts
            self._finish(row.id, status=PENDING if retry else FAILED, attempts=attempts, last_attempt_at=now,
                         last_error=f"the {configured.kind} plugin failed ({type(exc).__name__})",
                         next_attempt_at=now + timedelta(seconds=self._backoff(attempts)) if retry else now)
        else:
            self._finish(row.id, status=DELIVERED, attempts=attempts, last_attempt_at=now, delivered_at=now,
                         last_error=None, response_status=status)
        return 1

    # -- the log -----------------------------------------------------------------------------------
    def find(self, *, status: str | None, channel_id: str | None, incident_id: int | None, limit: int,
             offset: int) -> tuple[list[dict[str, Any]], int]:
        where = []
        if status:
            where.append(alert_notifications.c.status == status)
        if channel_id:
            where.append(alert_notifications.c.channel_id == channel_id)
        if incident_id is not None:
            where.append(alert_notifications.c.incident_id == incident_id)
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(alert_notifications).where(*where)
                                .order_by(alert_notifications.c.id.desc()).limit(limit).offset(offset)).all()
            total = conn.scalar(sa.select(sa.func.count()).select_from(alert_notifications).where(*where)) or 0
        return [present(r) for r in rows], int(total)

    def record_test(self, channel_id: str, *, message: Mapping[str, Any], ok: bool, error: str | None,
                    status: int | None) -> None:
        """Log a test send (sent synchronously by the API) like any other notification."""
        now = self.clock()
        with transaction(self.engine) as conn:
            conn.execute(alert_notifications.insert().values(
                incident_id=None, event="test", channel_id=channel_id, dedup_key=None,
                status=DELIVERED if ok else FAILED, attempts=1, last_error=error, response_status=status,
                message=dict(message), created_at=now, next_attempt_at=now, last_attempt_at=now,
                delivered_at=now if ok else None))

    # -- the thread --------------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll_seconds)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                while self.run_due() and not self._stop.is_set():
                    pass
            except Exception:
                log.exception("notification delivery pass failed")
