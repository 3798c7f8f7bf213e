""""Would have fired N times in the last 7 days": a rule body evaluated over the stored runs, versions,
production times and source checks, without opening incidents or sending anything."""

from __future__ import annotations

import itertools
import logging
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from croniter import croniter

from lineagelens.receiver.graph.model import dataset_id, job_id, source_id
from lineagelens.receiver.state.tables import source_checks, sources

from . import model as M
from .checks import RunChecks
from .facts import Facts
from .rules import RuleIndex

log = logging.getLogger(__name__)

DAYS = 7
SHOWN = 50


def preview(facts: Facts, rule: M.Rule, now: datetime, days: int = DAYS) -> dict[str, Any]:
    since = now - timedelta(days=days)
    if rule.type in (M.JOB_FAILED, M.RUN_DURATION, M.DQ_ASSERTION, M.ROW_COUNT):
        found = _runs(facts, rule, since, now)
    elif rule.type == M.SCHEMA_CHANGE:
        found = _schema(facts, rule, since)
    elif rule.type == M.DEADLINE:
        found = _deadline(facts, rule, since, now)
    elif rule.type == M.FRESHNESS:
        found = _freshness(facts, rule, since, now)
    else:
        found = _sources(facts, rule, since)
    found.sort(key=lambda f: f["at"])
    return {"wouldFire": len(found), "days": days, "from": since.isoformat(), "to": now.isoformat(),
            "nodes": len({f["nodeId"] for f in found}), "firings": found[-SHOWN:]}


def _item(node: str, at: datetime, title: str) -> dict[str, Any]:
    return {"nodeId": node, "at": at.isoformat(), "title": title}


def _runs(facts: Facts, rule: M.Rule, since: datetime, now: datetime) -> list[dict[str, Any]]:
    index = RuleIndex([rule])
    checks = RunChecks(facts)
    runs = facts.finished_runs(since)
    per_run = facts.dataset_facets_of_runs([r.run_id for r in runs]) if rule.type in (
        M.DQ_ASSERTION, M.ROW_COUNT) else {}
    found = []
    for run in runs:
        firings, _ = checks.evaluate(index, run, now=now, facets=per_run.get(run.run_id))
        found += [_item(f.node_id, f.at, f.title) for f in firings]
    return found


def _schema(facts: Facts, rule: M.Rule, since: datetime) -> list[dict[str, Any]]:
    found = []
    for key, version, created in facts.versions_since(since):
        if rule.scope.matches_name("dataset", *key) and facts.schema_diff(key, version):
            found.append(_item(dataset_id(*key), created, f"Breaking schema change on {key[1]}"))
    return found


def _nodes(facts: Facts, rule: M.Rule, kind: str) -> list[tuple[tuple[str, str], datetime]]:
    return [(key, first) for key, first, owners in facts.all_nodes(kind)
            if rule.scope.matches_name(kind, *key) and rule.scope.matches_owners(owners)]


def _deadline(facts: Facts, rule: M.Rule, since: datetime, now: datetime) -> list[dict[str, Any]]:
    import zoneinfo

    zone = zoneinfo.ZoneInfo(str(rule.params.get("timezone") or "UTC"))
    it = croniter(str(rule.params["cron"]), since.astimezone(zone))
    deadlines: list[datetime] = []
    while len(deadlines) < 2000:
        due = it.get_next(datetime)
        if due > now:
            break
        deadlines.append(due)
    found = []
    for key, first in _nodes(facts, rule, "job"):
        for previous, due in itertools.pairwise(deadlines):
            if due >= first and facts.completed_between(key, previous, due) is None:
                found.append(_item(job_id(*key), due, f"Job {key[1]} not complete by {due:%Y-%m-%d %H:%M %Z}"))
    return found


def _freshness(facts: Facts, rule: M.Rule, since: datetime, now: datetime) -> list[dict[str, Any]]:
    window = timedelta(minutes=float(rule.params["maxAgeMinutes"]))
    produced = facts.produced_times(since=since - window)
    found = []
    for key, first in _nodes(facts, rule, "dataset"):
        times = [max(first, since), *produced.get(key, [])]
        for before, after in zip(times, [*times[1:], now], strict=False):
            if after - before > window and before + window >= since:
                found.append(_item(dataset_id(*key), before + window, f"Dataset {key[1]} not refreshed"))
    return found


def _sources(facts: Facts, rule: M.Rule, since: datetime) -> list[dict[str, Any]]:
    needed = int(rule.params.get("checks", 3))
    found = []
    with facts.engine.connect() as conn:
        for row in conn.execute(sa.select(sources.c.id, sources.c.name)).all():
            if not rule.scope.matches_name("source", "", row.name):
                continue
            streak = 0
            for check in conn.execute(sa.select(source_checks.c.ok, source_checks.c.checked_at).where(
                    source_checks.c.source_id == row.id, source_checks.c.checked_at >= since)
                    .order_by(source_checks.c.checked_at)):
                streak = 0 if check.ok else streak + 1
                if streak == needed:
                    found.append(_item(source_id(row.id), check.checked_at, f"Source {row.name} unhealthy"))
    return found



