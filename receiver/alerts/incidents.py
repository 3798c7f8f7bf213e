"""Incidents: one per root cause, with what it breaks downstream and whose that is.

A firing opens an incident on its root node, unless
- the same occurrence fired before (its key is in ``alert_firings``: nothing happens),
- the same rule already has an active incident on that node (the occurrence is counted, not notified), or
- an active incident's impact holds the node (a downstream symptom of an upstream cause): the firing is
  attached to that incident, and nobody is notified again.
Opening queues a notification for the rule's channels and for the channels mapped to the owners of the
root and the impacted nodes; resolving (automatic on recovery, or by a person) queues a resolve
notification to the channels told of the opening. ``journal`` (the monitoring change feed's, when there is
one) records each ``alert.opened`` / ``alert.updated`` / ``alert.resolved`` message in the transaction of
the change, so every receiver's streams send it and ``since=`` replays it; ``publish`` receives them after
each commit (the monitoring wiring wakes this process's stream listener with it).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from lineagelens.receiver.dashboards import graph_id
from lineagelens.receiver.errors import Conflict, NotFound
from lineagelens.receiver.graph.base import GraphStore
from lineagelens.receiver.graph.model import Direction, Node, NodeKind
from lineagelens.receiver.state import db
from lineagelens.receiver.state.db import transaction
from lineagelens.receiver.state.tables import (
    alert_firings,
    alert_notifications,
    alert_rules,
    dashboards,
    incident_events,
    incidents,
)

from . import model as M
from .channels import ChannelService
from .delivery import Delivery, queue_rows
from .facts import Facts

log = logging.getLogger(__name__)

Publish = Callable[[str, dict[str, Any]], None]
Journal = Callable[[sa.Connection, Sequence[tuple[str, dict[str, Any]]]], None]  # (type, payload) in a transaction
Outcome = int | list[int] | None  # what applying one firing (incident id or None) or recovery (resolved ids) did
IN_CHUNK = 500  # values per IN (...) list


def _open_key(firing: M.Firing) -> str:
    """Unique per active incident: one rule on one root node."""
    return f"{firing.rule.id}|{firing.node_id}"[:512]


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(values), IN_CHUNK):
        yield values[i:i + IN_CHUNK]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _fired_after(row: Any, at: datetime) -> bool:
    fired = (row.details or {}).get("firedAt")
    if not isinstance(fired, str):
        return False
    try:
        return datetime.fromisoformat(fired) > at
    except ValueError:
        return False


def summary(row: Any) -> dict[str, Any]:
    impact = row.impact or {}
    return {"id": row.id, "ruleId": row.rule_id, "ruleType": row.rule_type, "rootNodeId": row.root_node_id,
            "state": row.state, "severity": row.severity, "title": row.title,
            "occurrences": row.occurrences, "attachedCount": len((row.details or {}).get("attached", [])),
            "impactedCount": len(impact.get("nodeIds", [])), "owners": list(row.owners or []),
            "openedAt": _iso(row.opened_at), "updatedAt": _iso(row.updated_at),
            "acknowledgedAt": _iso(row.acknowledged_at), "acknowledgedBy": row.acknowledged_by,
            "resolvedAt": _iso(row.resolved_at), "resolvedBy": row.resolved_by}


def announcement(row: Any) -> dict[str, Any]:
    """The payload of the ``alert.*`` stream message about incident ``row``."""
    return {"incidentId": row.id, "rootNodeId": row.root_node_id, "state": row.state, "title": row.title,
            "severity": row.severity, "impactedNodeIds": list((row.impact or {}).get("nodeIds", []))}


@dataclass(frozen=True)
class _Statements:
    """The statements a batch runs for each change, built once per service: building one costs SQLAlchemy
    more than SQLite takes to run it, and a statement object compiles once."""

    fire: Any  # record a firing's key (nothing when it fired before)
    link: Any  # executemany: the incident each recorded firing went to
    open: Any  # a new incident, unless its open key is taken (RETURNING the row)
    by_open_key: Any
    repeat: Any  # one more occurrence (RETURNING the row)
    attach: Any  # new details of the cause a symptom was attached to (RETURNING the row)
    active_on: Any  # the active incidents of some rule types on one root node
    resolve: Any  # RETURNING the row
    told: Any  # the channels told of an incident's opening
    event: Any  # executemany: timeline entries

    @classmethod
    def build(cls, engine: sa.Engine) -> _Statements:
        i, f, n = incidents.c, alert_firings.c, alert_notifications.c
        at = sa.bindparam("b_at", type_=i.updated_at.type)
        by_id = i.id == sa.bindparam("b_id", type_=i.id.type)
        return cls(
            fire=db.insert(engine, alert_firings).on_conflict_do_nothing(index_elements=["key"]),
            link=alert_firings.update().where(f.key == sa.bindparam("b_key"))
            .values(incident_id=sa.bindparam("b_incident")),
            open=db.insert(engine, incidents).on_conflict_do_nothing(index_elements=["open_key"])
            .returning(*incidents.c),
            by_open_key=sa.select(incidents).where(i.open_key == sa.bindparam("b_open_key")),
            repeat=incidents.update().where(by_id).values(occurrences=i.occurrences + 1, updated_at=at)
            .returning(*incidents.c),
            attach=incidents.update().where(by_id).values(
                details=sa.bindparam("b_details", type_=i.details.type), updated_at=at).returning(*incidents.c),
            active_on=sa.select(incidents).where(
                i.root_node_id == sa.bindparam("b_node"), i.state.in_(M.ACTIVE),
                i.rule_type.in_(sa.bindparam("b_types", expanding=True))),
            resolve=incidents.update().where(by_id).values(
                state=M.RESOLVED, resolved_at=at, resolved_by=sa.bindparam("b_by"), open_key=None, updated_at=at)
            .returning(*incidents.c),
            told=sa.select(n.channel_id).where(n.incident_id == sa.bindparam("b_id"), n.event == "opened")
            .order_by(n.id),
            event=incident_events.insert(),
        )


@dataclass
class _Batch:
    """What one write transaction of :meth:`IncidentService.apply` remembers between its changes, so each
    change costs as few statements as possible while the writer lock is held. Timeline entries, links from
    firings to incidents and queued notifications are written together by :meth:`flush`."""

    conn: sa.Connection
    now: datetime
    announce: list[tuple[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    notifications: list[dict[str, Any]] = field(default_factory=list)
    _active: set[tuple[str, str]] | None = None  # (root node, rule type) of the active incidents; a superset
    _impacts: list[tuple[int, frozenset[str]]] | None = None  # active incidents' impacted nodes, oldest first
    _channels: list[tuple[str, frozenset[str]]] | None = None  # enabled channels and the owners mapped to them

    def active_pairs(self) -> set[tuple[str, str]]:
        if self._active is None:
            self._active = {(r.root_node_id, r.rule_type) for r in self.conn.execute(
                sa.select(incidents.c.root_node_id, incidents.c.rule_type).where(incidents.c.state.in_(M.ACTIVE)))}
        return self._active

    def covering(self, node_id: str) -> int | None:
        """The oldest active incident whose impact holds ``node_id``."""
        if self._impacts is None:
            self._impacts = [(int(r.id), frozenset((r.impact or {}).get("nodeIds", []))) for r in self.conn.execute(
                sa.select(incidents.c.id, incidents.c.impact).where(incidents.c.state.in_(M.ACTIVE))
                .order_by(incidents.c.opened_at, incidents.c.id))]
        return next((i for i, nodes in self._impacts if node_id in nodes), None)

    def owner_channels(self, channels: ChannelService, owners: set[str]) -> list[str]:
        """Ids of the enabled channels mapped to any of ``owners`` (the channels are read once a batch)."""
        if not owners:
            return []
        if self._channels is None:
            self._channels = channels.owned(self.conn)
        return [cid for cid, mapped in self._channels if mapped & owners]

    def event(self, incident_id: int, kind: str, *, node: str | None = None, rule: str | None = None,
              message: str = "") -> None:
        self.events.append({"incident_id": incident_id, "at": self.now, "kind": kind, "node_id": node,
                            "rule_id": rule, "message": message[:2000]})

    def pending_told(self, incident_id: int) -> list[str]:
        """Channels queued an "opened" notification of ``incident_id`` in this batch, not flushed yet."""
        return [r["channel_id"] for r in self.notifications
                if r["incident_id"] == incident_id and r["event"] == "opened"]

    def flush(self, sql: _Statements, delivery: Delivery) -> None:
        """Write the timeline entries, firing links and notifications gathered so far (in their order)."""
        if self.events:
            self.conn.execute(sql.event, self.events)
        if self.links:
            self.conn.execute(sql.link, self.links)
        delivery.enqueue_rows(self.conn, self.notifications)
        self.events, self.links, self.notifications = [], [], []

    def opened(self, row: Any) -> None:
        if self._active is not None:
            self._active.add((row.root_node_id, row.rule_type))
        if self._impacts is not None:
            self._impacts.append((int(row.id), frozenset((row.impact or {}).get("nodeIds", []))))

    def resolved(self, row: Any) -> None:
        if self._impacts is not None:
            self._impacts = [(i, nodes) for i, nodes in self._impacts if i != row.id]


@dataclass
class IncidentService:
    engine: sa.Engine
    graph: GraphStore
    facts: Facts
    channels: ChannelService
    delivery: Delivery
    impact_depth: int = 5
    link_base: str = ""
    publish: Publish | None = None
    journal: Journal | None = None  # records alert.* messages in each incident change's transaction
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    # -- impact ------------------------------------------------------------------------------------
    def impact(self, node_id: str) -> dict[str, Any]:
        """Downstream datasets, jobs and dashboards of ``node_id`` (bounded depth) and the owners of all."""
        try:
            view = self.graph.traverse(start=[node_id], direction=Direction.DOWNSTREAM, depth=self.impact_depth,
                                       max_nodes=500)
            reached, truncated = list(view.nodes.values()), view.truncated
        except Exception as exc:  # an unreachable graph store must not lose the incident
            log.warning("impact of %s not computed: %s", node_id, exc)
            reached, truncated = [], True
        found = {"datasets": [], "jobs": []}  # type: dict[str, list[dict[str, Any]]]
        for node in sorted(reached, key=lambda n: n.id):
            if node.id == node_id:
                continue
            if node.kind is NodeKind.DATASET:
                found["datasets"].append({"id": node.id, "namespace": node.namespace, "name": node.name})
            elif node.kind is NodeKind.JOB:
                found["jobs"].append({"id": node.id, "namespace": node.namespace, "name": node.name})
        ids = [node_id, *(n["id"] for n in found["datasets"] + found["jobs"])]
        owners_by_node = self._owners(reached)
        for item in found["datasets"] + found["jobs"]:
            item["owners"] = owners_by_node.get(item["id"], [])
        boards = self._dashboards(set(ids))
        owners = sorted({o for v in owners_by_node.values() for o in v})
        return {"datasets": found["datasets"], "jobs": found["jobs"], "dashboards": boards,
                "nodeIds": ids[1:], "rootOwners": owners_by_node.get(node_id, []), "owners": owners,
                "depth": self.impact_depth, "truncated": truncated}

    def _owners(self, nodes: list[Node]) -> dict[str, list[str]]:
        """The owners of each job and dataset among ``nodes`` (their ``ownership`` facets), by node id."""
        out: dict[str, list[str]] = {}
        for kind in (NodeKind.JOB, NodeKind.DATASET):
            pairs = {n.id: (n.namespace, n.name) for n in nodes if n.kind is kind}
            if pairs:
                found = self.facts.owners(kind.value, pairs.values())
                out.update({nid: found.get(pair, []) for nid, pair in pairs.items()})
        return out

    def _dashboards(self, ids: set[str]) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(dashboards.c.id, dashboards.c.name, dashboards.c.document)).all()
        found = []
        for row in rows:
            refs = {graph_id(n["ref"]) for n in (row.document or {}).get("nodes", []) if isinstance(n.get("ref"), dict)}
            hit = sorted(refs & ids)
            if hit:
                found.append({"id": row.id, "name": row.name, "nodeIds": hit})
        return found

    # -- messages ----------------------------------------------------------------------------------
    def message(self, row: Any, event: str) -> dict[str, Any]:
        impact = row.impact or {}
        link = f"{self.link_base.rstrip('/')}/incidents/{row.id}" if self.link_base else None
        title = row.title if event == "opened" else f"Resolved: {row.title}"
        text = (row.details or {}).get("text", "")
        if event == "resolved" and row.resolved_by:
            text = f"{text} — resolved ({row.resolved_by})" if text else f"resolved ({row.resolved_by})"
        return {"event": event, "title": title, "text": text, "severity": row.severity, "link": link,
                "incident": {"id": row.id, "state": row.state, "rootNodeId": row.root_node_id, "ruleId": row.rule_id,
                             "ruleType": row.rule_type, "openedAt": _iso(row.opened_at),
                             "resolvedAt": _iso(row.resolved_at),
                             "impacted": {"datasets": impact.get("datasets", []), "jobs": impact.get("jobs", []),
                                          "dashboards": impact.get("dashboards", [])},
                             "owners": list(row.owners or [])},
                "dedupKey": f"lineagelens-incident-{row.id}"}

    def _journal(self, conn: sa.Connection, announced: Sequence[tuple[str, Any]]) -> None:
        """Record the alert.* messages of ``announced`` (type, incident row) in ``conn``'s transaction."""
        if self.journal is not None and announced:
            self.journal(conn, [(kind, announcement(row)) for kind, row in announced])

    def _announce(self, kind: str, row: Any) -> None:
        if self.publish is None:
            return
        try:
            self.publish(kind, announcement(row))
        except Exception:
            log.exception("publishing %s for incident %s failed", kind, row.id)

    # -- firing ------------------------------------------------------------------------------------
    def _get(self, conn: sa.Connection, incident_id: int) -> Any:
        row = conn.execute(sa.select(incidents).where(incidents.c.id == incident_id)).first()
        if row is None:
            raise NotFound(f"no incident {incident_id}")
        return row

    @functools.cached_property
    def _sql(self) -> _Statements:
        return _Statements.build(self.engine)

    def fire(self, firing: M.Firing) -> int | None:
        """Record a firing (see the module docstring); the incident it opened or touched, None if seen."""
        outcome = self.apply([firing])[0]
        return outcome if isinstance(outcome, int) else None

    def recover(self, recovery: M.Recovery) -> list[int]:
        """Resolve the active incidents rooted at the recovered node whose rule type recovered."""
        outcome = self.apply([recovery])[0]
        return outcome if isinstance(outcome, list) else []

    def apply(self, changes: Sequence[M.Firing | M.Recovery], *,
              finish: Callable[[sa.Connection], None] | None = None) -> list[Outcome]:
        """Record firings and recoveries in order, in one short write transaction, then ``finish(conn)``
        in the same transaction (the evaluator moves its cursor there). Per change: the incident a firing
        opened or touched (None when its key fired before), the incidents a recovery resolved.

        Everything that only reads — which keys fired before, the impact of incidents about to open (the
        graph) — is done before the transaction, so the writer lock (SQLite has one writer, shared with
        ingest) is held only for the writes. Should the batch fail, each change is retried in its own
        transaction, so one bad change cannot hold back the others."""
        if not changes and finish is None:
            return []
        if finish is None and all(isinstance(c, M.Recovery) for c in changes) and not self._may_resolve(changes):
            return [[] for _ in changes]  # nothing to resolve: no write transaction at all
        seen, impacts = self._prepare([c for c in changes if isinstance(c, M.Firing)])
        try:
            return self._commit(changes, seen, impacts, finish)
        except Exception:
            if len(changes) <= 1:
                raise
            log.warning("recording %d alert changes together failed; recording them one by one", len(changes),
                        exc_info=True)
        outcomes: list[Outcome] = []
        for change in changes:
            try:
                outcomes.extend(self._commit([change], seen, impacts, None))
            except Exception:
                log.exception("recording %s for %s failed", type(change).__name__, change.node_id)
                outcomes.append(None if isinstance(change, M.Firing) else [])
        if finish is not None:
            with transaction(self.engine) as conn:
                finish(conn)
        return outcomes

    def _may_resolve(self, recoveries: Sequence[M.Firing | M.Recovery]) -> bool:
        with self.engine.connect() as conn:
            active = _Batch(conn, self.clock()).active_pairs()
        return any((r.node_id, t) in active for r in recoveries if isinstance(r, M.Recovery) for t in r.rule_types)

    def _prepare(self, firings: list[M.Firing]) -> tuple[set[str], dict[str, dict[str, Any]]]:
        """The keys among ``firings`` that fired before, and the impact of each node a firing may open an
        incident on (not fired before, no incident of that rule open on it): read before the transaction."""
        if not firings:
            return set(), {}
        seen: set[str] = set()
        open_keys: set[str] = set()
        keys = list(dict.fromkeys(f.key[:512] for f in firings))
        wanted = list(dict.fromkeys(_open_key(f) for f in firings))
        with self.engine.connect() as conn:
            for chunk in _chunks(keys):
                seen.update(conn.scalars(sa.select(alert_firings.c.key).where(alert_firings.c.key.in_(chunk))))
            for chunk in _chunks(wanted):
                open_keys.update(conn.scalars(sa.select(incidents.c.open_key)
                                              .where(incidents.c.open_key.in_(chunk))))
        impacts: dict[str, dict[str, Any]] = {}
        for firing in firings:
            if firing.key[:512] in seen or _open_key(firing) in open_keys or firing.node_id in impacts:
                continue
            impacts[firing.node_id] = self.impact(firing.node_id)  # the graph, outside the transaction
        return seen, impacts

    def _commit(self, changes: Sequence[M.Firing | M.Recovery], seen: set[str],
                impacts: dict[str, dict[str, Any]], finish: Callable[[sa.Connection], None] | None,
                ) -> list[Outcome]:
        outcomes: list[Outcome] = []
        with transaction(self.engine) as conn:
            batch = _Batch(conn, self.clock())
            for change in changes:
                if isinstance(change, M.Firing):
                    # a key read as fired before stays fired: skip it without a statement
                    fired = change.key[:512] not in seen
                    outcomes.append(self._record(batch, change, impacts.get(change.node_id)) if fired else None)
                elif any((change.node_id, t) in batch.active_pairs() for t in change.rule_types):
                    outcomes.append(self._recover(batch, change))
                else:  # most recoveries find nothing to resolve: a set lookup, no statement
                    outcomes.append([])
            batch.flush(self._sql, self.delivery)
            if finish is not None:
                finish(conn)
            self._journal(conn, batch.announce)
        # an opened or resolved incident queued notifications, committed now (an update queues none: one idle pass)
        if batch.announce:
            self.delivery.wake()
        for kind, row in batch.announce:
            self._announce(kind, row)
        return outcomes

    def _record(self, batch: _Batch, firing: M.Firing, impact: dict[str, Any] | None) -> int | None:
        key = firing.key[:512]
        fired = batch.conn.execute(self._sql.fire, {"key": key, "rule_id": firing.rule.id, "node_id": firing.node_id,
                                                    "fired_at": batch.now})
        if not fired.rowcount:
            return None
        kind, row = self._place(batch, firing, _open_key(firing), impact)
        batch.links.append({"b_key": key, "b_incident": row.id})
        batch.announce.append((kind, row))
        return int(row.id)

    def _recover(self, batch: _Batch, recovery: M.Recovery) -> list[int]:
        rows = batch.conn.execute(self._sql.active_on, {"b_node": recovery.node_id,
                                                        "b_types": sorted(recovery.rule_types)}).all()
        done = []
        for row in rows:
            if _fired_after(row, recovery.at):
                continue  # news older than the incident (a late event, an earlier run) resolves nothing
            resolved = self._resolve(batch, row, f"automatically: {recovery.reason}")
            batch.resolved(resolved)
            batch.announce.append(("alert.resolved", resolved))
            done.append(int(resolved.id))
        return done

    def _place(self, batch: _Batch, firing: M.Firing, open_key: str, impact: dict[str, Any] | None,
               ) -> tuple[str, Any]:
        conn, now = batch.conn, batch.now
        existing = conn.execute(self._sql.by_open_key, {"b_open_key": open_key}).first()
        if existing is not None:
            row = conn.execute(self._sql.repeat, {"b_id": existing.id, "b_at": now}).one()
            batch.event(row.id, "repeated", node=firing.node_id, rule=firing.rule.id, message=firing.text)
            return "alert.updated", row
        cause_id = batch.covering(firing.node_id)
        if cause_id is not None:
            cause = self._get(conn, cause_id)
            details = dict(cause.details or {})
            details["attached"] = [*details.get("attached", []), {
                "nodeId": firing.node_id, "ruleId": firing.rule.id, "ruleType": firing.rule.type,
                "title": firing.title, "at": _iso(firing.at)}][-200:]
            row = conn.execute(self._sql.attach, {"b_id": cause.id, "b_details": details, "b_at": now}).one()
            batch.event(row.id, "attached", node=firing.node_id, rule=firing.rule.id,
                        message=f"{firing.title}: {firing.text}")
            return "alert.updated", row
        impact = impact if impact is not None else self.impact(firing.node_id)
        owners = impact["owners"]
        opened = conn.execute(self._sql.open, {
            "rule_id": firing.rule.id, "rule_type": firing.rule.type, "root_node_id": firing.node_id,
            "state": M.OPEN, "severity": firing.rule.severity, "title": firing.title,
            "details": {"text": firing.text, "ruleName": firing.rule.name, "firstKey": firing.key,
                        "firedAt": firing.at.isoformat(), "facts": firing.details, "attached": []},
            "impact": impact, "owners": owners, "open_key": open_key, "occurrences": 1, "opened_at": now,
            "updated_at": now}).first()
        if opened is None:  # opened a moment ago by another receiver
            return self._place(batch, firing, open_key, impact)
        row = opened
        batch.opened(row)
        batch.event(row.id, "opened", node=firing.node_id, rule=firing.rule.id, message=firing.text)
        targets = [*firing.rule.channel_ids, *batch.owner_channels(self.channels, set(owners))]
        batch.notifications += queue_rows(incident_id=row.id, event="opened", channel_ids=targets,
                                          message=self.message(row, "opened"), now=now)
        return "alert.opened", row

    # -- state changes -----------------------------------------------------------------------------
    def _resolve(self, batch: _Batch, row: Any, by: str) -> Any:
        conn = batch.conn
        resolved = conn.execute(self._sql.resolve, {"b_id": row.id, "b_at": batch.now, "b_by": by}).one()
        batch.event(row.id, "resolved", message=by)
        told = [*conn.scalars(self._sql.told, {"b_id": row.id}), *batch.pending_told(row.id)]
        batch.notifications += queue_rows(incident_id=row.id, event="resolved", channel_ids=told,
                                          message=self.message(resolved, "resolved"), now=batch.now)
        return resolved

    def acknowledge(self, incident_id: int, *, by: str) -> dict[str, Any]:
        with transaction(self.engine) as conn:
            batch = _Batch(conn, self.clock())
            row = self._get(conn, incident_id)
            if row.state != M.OPEN:
                raise Conflict(f"incident {incident_id} is {row.state}; only an open incident can be acknowledged")
            conn.execute(incidents.update().where(incidents.c.id == incident_id).values(
                state=M.ACKNOWLEDGED, acknowledged_at=batch.now, acknowledged_by=by, updated_at=batch.now))
            batch.event(incident_id, "acknowledged", message=by)
            batch.flush(self._sql, self.delivery)
            row = self._get(conn, incident_id)
            self._journal(conn, [("alert.updated", row)])
        self._announce("alert.updated", row)
        return self.get(incident_id)

    def resolve(self, incident_id: int, *, by: str) -> dict[str, Any]:
        with transaction(self.engine) as conn:
            batch = _Batch(conn, self.clock())
            row = self._get(conn, incident_id)
            if row.state == M.RESOLVED:
                raise Conflict(f"incident {incident_id} is already resolved")
            row = self._resolve(batch, row, by)
            batch.flush(self._sql, self.delivery)
            self._journal(conn, [("alert.resolved", row)])
        self.delivery.wake()  # the resolve notifications are committed
        self._announce("alert.resolved", row)
        return self.get(incident_id)

    # -- reads -------------------------------------------------------------------------------------
    def find(self, *, state: str | None, node_id: str | None, rule_id: str | None, severity: str | None,
             limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        where: list[sa.ColumnElement[bool]] = []
        if state == "active":
            where.append(incidents.c.state.in_(M.ACTIVE))
        elif state:
            where.append(incidents.c.state == state)
        if node_id:
            where.append(incidents.c.root_node_id == node_id)
        if rule_id:
            where.append(incidents.c.rule_id == rule_id)
        if severity:
            where.append(incidents.c.severity == severity)
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(incidents).where(*where).order_by(incidents.c.opened_at.desc(),
                                                                             incidents.c.id.desc())
                                .limit(limit).offset(offset)).all()
            total = conn.scalar(sa.select(sa.func.count()).select_from(incidents).where(*where)) or 0
        return [summary(r) for r in rows], int(total)

    def get(self, incident_id: int) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = self._get(conn, incident_id)
            events = conn.execute(sa.select(incident_events).where(incident_events.c.incident_id == incident_id)
                                  .order_by(incident_events.c.id)).all()
            rule_name = conn.scalar(sa.select(alert_rules.c.name).where(alert_rules.c.id == row.rule_id))
        impact = row.impact or {}
        details = row.details or {}
        return {**summary(row), "ruleName": rule_name or details.get("ruleName"), "text": details.get("text", ""),
                "facts": details.get("facts", {}), "attached": details.get("attached", []),
                "impact": {k: impact.get(k, []) for k in ("datasets", "jobs", "dashboards", "nodeIds")}
                | {"depth": impact.get("depth"), "truncated": impact.get("truncated", False),
                   "owners": impact.get("owners", []), "rootOwners": impact.get("rootOwners", [])},
                "timeline": [{"at": _iso(e.at), "kind": e.kind, "nodeId": e.node_id, "ruleId": e.rule_id,
                              "message": e.message} for e in events]}
