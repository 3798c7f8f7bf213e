"""SLA tracking from the deadline and freshness evaluations (``sla_evaluations``): per node, the on-time
percentage over the last 7 and 30 days, the current streak, and the last miss."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from lineagelens.receiver.state.tables import alert_rules, sla_evaluations

log = logging.getLogger(__name__)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _window(rows: Sequence[Any], since: datetime) -> dict[str, Any]:
    inside = [r for r in rows if r.due_at >= since]
    met = sum(1 for r in inside if r.met)
    return {"evaluations": len(inside), "met": met, "missed": len(inside) - met,
            "onTimePercent": round(100.0 * met / len(inside), 2) if inside else None}


def sla_summary(engine: sa.Engine, node_id: str, now: datetime) -> dict[str, Any]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(sla_evaluations).where(
            sla_evaluations.c.node_id == node_id, sla_evaluations.c.due_at >= now - timedelta(days=30))
            .order_by(sla_evaluations.c.due_at.desc(), sla_evaluations.c.id.desc())).all()
        last_miss = conn.execute(sa.select(sla_evaluations).where(
            sla_evaluations.c.node_id == node_id, sla_evaluations.c.met.is_(False))
            .order_by(sla_evaluations.c.due_at.desc()).limit(1)).first()
        rule_ids = sorted({r.rule_id for r in rows} | ({last_miss.rule_id} if last_miss else set()))
        names = dict(conn.execute(sa.select(alert_rules.c.id, alert_rules.c.name)
                                  .where(alert_rules.c.id.in_(rule_ids))).all()) if rule_ids else {}
    streak = 0
    state = rows[0].met if rows else None
    for row in rows:
        if row.met != state:
            break
        streak += 1
    per_rule = []
    for rule_id in rule_ids:
        mine = [r for r in rows if r.rule_id == rule_id]
        per_rule.append({"ruleId": rule_id, "ruleName": names.get(rule_id), "kind": mine[0].kind if mine else None,
                         "last7d": _window(mine, now - timedelta(days=7)),
                         "last30d": _window(mine, now - timedelta(days=30))})
    return {
        "nodeId": node_id,
        "last7d": _window(rows, now - timedelta(days=7)),
        "last30d": _window(rows, now - timedelta(days=30)),
        "currentStreak": {"met": state, "count": streak},
        "lastMiss": {"dueAt": _iso(last_miss.due_at), "ruleId": last_miss.rule_id, "kind": last_miss.kind,
                     "ruleName": names.get(last_miss.rule_id)} if last_miss else None,
        "rules": per_rule,
    }
