"""The event-driven rule checks for one finished run: which rules fire, and which incidents recover.
Shared by live evaluation (:mod:`.evaluate`) and the preview (:mod:`.preview`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from lineagelens.receiver.graph.model import dataset_id, job_id
from lineagelens.receiver.state.records import Key

from . import model as M
from .facts import Facts, RunFacts, failed_assertions, median, percentile, row_count
from .rules import RuleIndex

log = logging.getLogger(__name__)

EVENT_TYPES = frozenset({M.JOB_FAILED, M.RUN_DURATION, M.SCHEMA_CHANGE, M.DQ_ASSERTION, M.ROW_COUNT})


def _fmt_seconds(value: float) -> str:
    if value >= 3600:
        return f"{value / 3600:.1f} h"
    if value >= 60:
        return f"{value / 60:.1f} min"
    return f"{value:.1f} s"


class RunChecks:
    def __init__(self, facts: Facts) -> None:
        self.facts = facts

    def evaluate(self, index: RuleIndex, run: RunFacts, *, now: datetime,
                 facets: dict[Key, dict[str, Any]] | None = None,
                 ) -> tuple[list[M.Firing], list[M.Recovery]]:
        """Firings and recoveries for a run that reached ``run.state`` (COMPLETE, FAIL or ABORT).
        ``facets`` (per dataset) is loaded from the run's events when a dataset rule needs it."""
        types = index.types()
        firings: list[M.Firing] = []
        recoveries: list[M.Recovery] = []
        at = run.ended_at or now
        job_node = job_id(*run.job)
        owner_cache: dict[tuple[str, Key], list[str]] = {}

        def owners(kind: str, key: Key) -> Callable[[], list[str]]:
            def load() -> list[str]:
                if (kind, key) not in owner_cache:
                    owner_cache[(kind, key)] = self.facts.owners(kind, [key]).get(key, [])
                return owner_cache[(kind, key)]
            return load

        if run.state == "COMPLETE":
            recoveries.append(M.Recovery(job_node, frozenset({M.JOB_FAILED, M.DEADLINE}),
                                         f"run {run.run_id} completed", at))
            for key, _ in run.outputs:
                recoveries.append(M.Recovery(dataset_id(*key), frozenset({M.FRESHNESS}),
                                             f"produced by run {run.run_id}", at))
        elif M.JOB_FAILED in types:
            for rule in index.matching(M.JOB_FAILED, *run.job, owners("job", run.job)):
                text = run.error or f"run {run.run_id} ended {run.state}"
                firings.append(M.Firing(rule, job_node, f"{rule.id}:{run.run_id}",
                                        f"Job {run.job[1]} failed", text, at,
                                        {"runId": run.run_id, "state": run.state, "error": run.error}))
        if M.RUN_DURATION in types and run.duration is not None:
            firings_before = len(firings)
            for rule in index.matching(M.RUN_DURATION, *run.job, owners("job", run.job)):
                firings.extend(self._duration(rule, run, job_node, at))
            if run.state == "COMPLETE" and len(firings) == firings_before:
                recoveries.append(M.Recovery(job_node, frozenset({M.RUN_DURATION}), "run within its time", at))
        if types & {M.SCHEMA_CHANGE, M.DQ_ASSERTION, M.ROW_COUNT}:
            firings_, recoveries_ = self._datasets(index, run, at, facets, owners)
            firings += firings_
            recoveries += recoveries_
        return firings, recoveries

    def _duration(self, rule: M.Rule, run: RunFacts, node: str, at: datetime) -> list[M.Firing]:
        duration = run.duration or 0.0
        limits: list[tuple[float, str]] = []
        if rule.params.get("maxSeconds"):
            limits.append((float(rule.params["maxSeconds"]), f"the limit of {_fmt_seconds(rule.params['maxSeconds'])}"))
        if rule.params.get("p95Factor") and run.started_at:
            history = self.facts.durations(run.job, before=run.started_at, limit=int(rule.params.get("lastRuns", 20)),
                                           exclude=run.run_id)
            if len(history) >= int(rule.params.get("minRuns", 5)):
                p95 = percentile(history, 0.95)
                factor = float(rule.params["p95Factor"])
                limits.append((factor * p95, f"{factor:g} x its p95 of {_fmt_seconds(p95)} over {len(history)} runs"))
        broken = [(limit, why) for limit, why in limits if duration > limit]
        if not broken:
            return []
        limit, why = min(broken)
        return [M.Firing(rule, node, f"{rule.id}:{run.run_id}", f"Job {run.job[1]} ran {_fmt_seconds(duration)}",
                         f"run {run.run_id} took {_fmt_seconds(duration)}, over {why}", at,
                         {"runId": run.run_id, "durationSeconds": duration, "limitSeconds": limit})]

    def _datasets(self, index: RuleIndex, run: RunFacts, at: datetime, facets: dict[Key, dict[str, Any]] | None,
                  owners: Callable[[str, Key], Callable[[], list[str]]]) -> tuple[list[M.Firing], list[M.Recovery]]:
        firings: list[M.Firing] = []
        recoveries: list[M.Recovery] = []
        touched = [(k, v, "output") for k, v in run.outputs] + [(k, None, "input") for k in run.inputs]
        wanted = {k: {t: index.matching(t, *k, owners("dataset", k))
                      for t in (M.SCHEMA_CHANGE, M.DQ_ASSERTION, M.ROW_COUNT)} for k, _, _ in touched}
        if not any(rules for per in wanted.values() for rules in per.values()):
            return firings, recoveries
        needs_facets = any(per[M.DQ_ASSERTION] or per[M.ROW_COUNT] for per in wanted.values())
        if facets is None and needs_facets:
            facets = self.facts.dataset_facets_of_runs([run.run_id]).get(run.run_id, {})
        facets = facets or {}
        for key, version, side in touched:
            node = dataset_id(*key)
            per = wanted[key]
            if side == "output" and per[M.SCHEMA_CHANGE] and run.state == "COMPLETE":
                diff = self.facts.schema_diff(key, version)
                for rule in per[M.SCHEMA_CHANGE] if diff else []:
                    parts = [f"removed {', '.join(diff['removed'])}"] if diff["removed"] else []  # type: ignore[index]
                    parts += [f"{c['name']} {c['from']} → {c['to']}" for c in diff["retyped"]]  # type: ignore[index]
                    firings.append(M.Firing(rule, node, f"{rule.id}:{node}:{version}",
                                            f"Breaking schema change on {key[1]}", "; ".join(parts), at,
                                            {"version": version, **diff}))  # type: ignore[dict-item]
            if per[M.DQ_ASSERTION]:
                failed = failed_assertions(facets.get(key))
                if failed:
                    names = ", ".join(f"{a['assertion']}({a['column']})" if a.get("column") else str(a["assertion"])
                                      for a in failed)
                    for rule in per[M.DQ_ASSERTION]:
                        firings.append(M.Firing(rule, node, f"{rule.id}:{run.run_id}:{node}",
                                                f"Data-quality assertion failed on {key[1]}", names, at,
                                                {"runId": run.run_id, "failed": failed}))
                elif failed is not None:
                    recoveries.append(M.Recovery(node, frozenset({M.DQ_ASSERTION}), "assertions pass", at))
            if side == "output" and per[M.ROW_COUNT] and run.state == "COMPLETE":
                count = row_count(facets.get(key))
                if count is None:
                    continue
                low = False
                for rule in per[M.ROW_COUNT]:
                    history = self.facts.row_counts(run.job, key, before=at, limit=int(rule.params.get("lastRuns", 10)),
                                                    exclude=run.run_id)
                    if len(history) < int(rule.params.get("minRuns", 3)):
                        continue
                    mid = median(history)
                    floor = mid * float(rule.params["minPercent"]) / 100
                    if count < floor:
                        low = True
                        firings.append(M.Firing(rule, node, f"{rule.id}:{run.run_id}:{node}",
                                                f"Row count of {key[1]} dropped to {count:g}",
                                                f"{count:g} rows, below {rule.params['minPercent']:g}% of the median "
                                                f"{mid:g} over {len(history)} runs", at,
                                                {"runId": run.run_id, "rowCount": count, "median": mid}))
                if not low:
                    recoveries.append(M.Recovery(node, frozenset({M.ROW_COUNT}), "row count back to normal", at))
        return firings, recoveries
