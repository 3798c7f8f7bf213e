"""Incidents: one per root cause, with what it breaks downstream and whose that is.

A firing opens an incident on its root node, unless
- the same occurrence fired before (its key is in ``alert_firings``: nothing happens),
- the same rule already has an active incident on that node (the occurrence is counted, not notified), or
- an active incident's impact holds the node (a downstream symptom of an upstream cause): the firing is
  attached to that incident, and nobody is notified again.
Opening queues a notification for the rule's channels and for the channels mapped to the owners of the
root and the impacted nodes; resolving (automatic on recovery, or by a person) queues a resolve
notification to the channels told of the opening. ``publish`` (the monitoring hub's, when there is one)
receives ``alert.opened`` / ``alert.updated`` / ``alert.resolved`` after each commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from lineagelens.receiver.dashboards import graph_id
from lineagelens.receiver.errors import Conflict, NotFound
from lineagelens.receiver.graph.base import GraphStore
from lineagelens.receiver.graph.model import Direction, NodeKind
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
from .delivery import Delivery
from .facts import Facts

log = logging.getLogger(__name__)

Publish = Callable[[str, dict[str, Any]], None]


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
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    # -- impact ------------------------------------------------------------------------------------
    def impact(self, node_id: str) -> dict[str, Any]:
        """Downstream datasets, jobs and dashboards of ``node_id`` (bounded depth) and the owners of all."""
        try:
            view = self.graph.traverse(start=[node_id], direction=Direction.DOWNSTREAM, depth=self.impact_depth,
                                       max_nodes=500)
            nodes = [n for n in view.nodes.values() if n.id != node_id]
            truncated = view.truncated
        except Exception as exc:  # an unreachable graph store must not lose the incident
            log.warning("impact of %s not computed: %s", node_id, exc)
            nodes, truncated = [], True
        found = {"datasets": [], "jobs": []}  # type: dict[str, list[dict[str, Any]]]
        for node in sorted(nodes, key=lambda n: n.id):
            if node.kind is NodeKind.DATASET:
                found["datasets"].append({"id": node.id, "namespace": node.namespace, "name": node.name})
            elif node.kind is NodeKind.JOB:
                found["jobs"].append({"id": node.id, "namespace": node.namespace, "name": node.name})
        ids = [node_id, *(n["id"] for n in found["datasets"] + found["jobs"])]
        owners_by_node = self._owners(ids)
        for item in found["datasets"] + found["jobs"]:
            item["owners"] = owners_by_node.get(item["id"], [])
        boards = self._dashboards(set(ids))
        owners = sorted({o for v in owners_by_node.values() for o in v})
        return {"datasets": found["datasets"], "jobs": found["jobs"], "dashboards": boards,
                "nodeIds": ids[1:], "rootOwners": owners_by_node.get(node_id, []), "owners": owners,
                "depth": self.impact_depth, "truncated": truncated}

    def _owners(self, ids: list[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for kind in ("job", "dataset"):
            keys = {}
            for node_id in ids:
                prefix, _, rest = node_id.partition(":")
                if prefix == kind:
                    keys[node_id] = rest
            if not keys:
                continue
            # ids are "kind:namespace:name" with colons in namespaces: ask the graph for the split
            nodes = self.graph.get_nodes(ids=list(keys))
            pairs = {nid: (n.namespace, n.name) for nid, n in nodes.items()}
            found = self.facts.owners(kind, pairs.values())
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

    def _announce(self, kind: str, row: Any) -> None:
        if self.publish is None:
            return
        try:
            self.publish(kind, {"incidentId": row.id, "rootNodeId": row.root_node_id, "state": row.state,
                                "title": row.title, "severity": row.severity,
                                "impactedNodeIds": list((row.impact or {}).get("nodeIds", []))})
        except Exception:
            log.exception("publishing %s for incident %s failed", kind, row.id)

    # -- firing ------------------------------------------------------------------------------------
    def _get(self, conn: sa.Connection, incident_id: int) -> Any:
        row = conn.execute(sa.select(incidents).where(incidents.c.id == incident_id)).first()
        if row is None:
            raise NotFound(f"no incident {incident_id}")
        return row

    def _event(self, conn: sa.Connection, incident_id: int, kind: str, now: datetime, *, node: str | None = None,
               rule: str | None = None, message: str = "") -> None:
        conn.execute(incident_events.insert().values(incident_id=incident_id, at=now, kind=kind, node_id=node,
                                                     rule_id=rule, message=message[:2000]))

    def _covering(self, conn: sa.Connection, node_id: str) -> Any:
        rows = conn.execute(sa.select(incidents).where(incidents.c.state.in_(M.ACTIVE))
                            .order_by(incidents.c.opened_at, incidents.c.id)).all()
        return next((r for r in rows if node_id in (r.impact or {}).get("nodeIds", [])), None)

    def fire(self, firing: M.Firing) -> int | None:
        """Record a firing (see the module docstring); the incident it opened or touched, None if seen."""
        with self.engine.connect() as conn:
            seen = conn.scalar(sa.select(alert_firings.c.key).where(alert_firings.c.key == firing.key[:512]))
            open_key = f"{firing.rule.id}|{firing.node_id}"[:512]
            existing = conn.scalar(sa.select(incidents.c.id).where(incidents.c.open_key == open_key))
        if seen is not None:
            return None
        impact = None if existing is not None else self.impact(firing.node_id)  # the graph, outside the transaction
        now = self.clock()
        with transaction(self.engine) as conn:
            stmt = db.insert(self.engine, alert_firings).values(
                key=firing.key[:512], rule_id=firing.rule.id, node_id=firing.node_id, fired_at=now
            ).on_conflict_do_nothing(index_elements=["key"])
            if not conn.execute(stmt).rowcount:
                return None
            announce, row = self._place(conn, firing, open_key, impact, now)
            conn.execute(alert_firings.update().where(alert_firings.c.key == firing.key[:512])
                         .values(incident_id=row.id))
        self._announce(announce, row)
        return int(row.id)

    def _place(self, conn: sa.Connection, firing: M.Firing, open_key: str, impact: dict[str, Any] | None,
               now: datetime) -> tuple[str, Any]:
        existing = conn.execute(sa.select(incidents).where(incidents.c.open_key == open_key)).first()
        if existing is not None:
            conn.execute(incidents.update().where(incidents.c.id == existing.id).values(
                occurrences=existing.occurrences + 1, updated_at=now))
            self._event(conn, existing.id, "repeated", now, node=firing.node_id, rule=firing.rule.id,
                        message=firing.text)
            return "alert.updated", self._get(conn, existing.id)
        cause = self._covering(conn, firing.node_id)
        if cause is not None:
            details = dict(cause.details or {})
            details["attached"] = [*details.get("attached", []), {
                "nodeId": firing.node_id, "ruleId": firing.rule.id, "ruleType": firing.rule.type,
                "title": firing.title, "at": _iso(firing.at)}][-200:]
            conn.execute(incidents.update().where(incidents.c.id == cause.id).values(details=details, updated_at=now))
            self._event(conn, cause.id, "attached", now, node=firing.node_id, rule=firing.rule.id,
                        message=f"{firing.title}: {firing.text}")
            return "alert.updated", self._get(conn, cause.id)
        impact = impact if impact is not None else self.impact(firing.node_id)
        owners = impact["owners"]
        stmt = db.insert(self.engine, incidents).values(
            rule_id=firing.rule.id, rule_type=firing.rule.type, root_node_id=firing.node_id, state=M.OPEN,
            severity=firing.rule.severity, title=firing.title,
            details={"text": firing.text, "ruleName": firing.rule.name, "firstKey": firing.key,
                     "firedAt": firing.at.isoformat(),
                     "facts": firing.details, "attached": []},
            impact=impact, owners=owners, open_key=open_key, occurrences=1, opened_at=now, updated_at=now,
        ).on_conflict_do_nothing(index_elements=["open_key"])
        if not conn.execute(stmt).rowcount:  # opened a moment ago by another receiver
            return self._place(conn, firing, open_key, impact, now)
        row = conn.execute(sa.select(incidents).where(incidents.c.open_key == open_key)).one()
        self._event(conn, row.id, "opened", now, node=firing.node_id, rule=firing.rule.id, message=firing.text)
        targets = [c for c in firing.rule.channel_ids] + self.channels.for_owners(conn, set(owners))
        self.delivery.enqueue(conn, incident_id=row.id, event="opened", channel_ids=targets,
                              message=self.message(row, "opened"), now=now)
        return "alert.opened", row

    # -- state changes -----------------------------------------------------------------------------
    def _resolve(self, conn: sa.Connection, row: Any, by: str, now: datetime) -> Any:
        conn.execute(incidents.update().where(incidents.c.id == row.id).values(
            state=M.RESOLVED, resolved_at=now, resolved_by=by, open_key=None, updated_at=now))
        self._event(conn, row.id, "resolved", now, message=by)
        resolved = self._get(conn, row.id)
        told = list(conn.scalars(sa.select(alert_notifications.c.channel_id).where(
            alert_notifications.c.incident_id == row.id, alert_notifications.c.event == "opened")
            .order_by(alert_notifications.c.id)))
        self.delivery.enqueue(conn, incident_id=row.id, event="resolved", channel_ids=told,
                              message=self.message(resolved, "resolved"), now=now)
        return resolved

    def recover(self, recovery: M.Recovery) -> list[int]:
        """Resolve the active incidents rooted at the recovered node whose rule type recovered."""
        with self.engine.connect() as conn:
            if not conn.scalar(sa.select(incidents.c.id).where(
                    incidents.c.root_node_id == recovery.node_id, incidents.c.state.in_(M.ACTIVE),
                    incidents.c.rule_type.in_(sorted(recovery.rule_types))).limit(1)):
                return []
        now = self.clock()
        done = []
        with transaction(self.engine) as conn:
            rows = conn.execute(sa.select(incidents).where(
                incidents.c.root_node_id == recovery.node_id, incidents.c.state.in_(M.ACTIVE),
                incidents.c.rule_type.in_(sorted(recovery.rule_types)))).all()
            for row in rows:
                if _fired_after(row, recovery.at):
                    continue  # news older than the incident (a late event, an earlier run) resolves nothing
                done.append(self._resolve(conn, row, f"automatically: {recovery.reason}", now))
        for row in done:
            self._announce("alert.resolved", row)
        return [int(r.id) for r in done]

    def acknowledge(self, incident_id: int, *, by: str) -> dict[str, Any]:
        now = self.clock()
        with transaction(self.engine) as conn:
            row = self._get(conn, incident_id)
            if row.state != M.OPEN:
                raise Conflict(f"incident {incident_id} is {row.state}; only an open incident can be acknowledged")
            conn.execute(incidents.update().where(incidents.c.id == incident_id).values(
                state=M.ACKNOWLEDGED, acknowledged_at=now, acknowledged_by=by, updated_at=now))
            self._event(conn, incident_id, "acknowledged", now, message=by)
            row = self._get(conn, incident_id)
        self._announce("alert.updated", row)
        return self.get(incident_id)

    def resolve(self, incident_id: int, *, by: str) -> dict[str, Any]:
        now = self.clock()
        with transaction(self.engine) as conn:
            row = self._get(conn, incident_id)
            if row.state == M.RESOLVED:
                raise Conflict(f"incident {incident_id} is already resolved")
            row = self._resolve(conn, row, by, now)
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
