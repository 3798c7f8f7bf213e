"""The identity console's use cases: likely duplicates, external sources, and merge rules with their undo.

Applying or undoing a rule re-projects the whole event log (:meth:`Projector.rebuild`, what ``lineagelens graph
rebuild`` does) in the background: projection reads active console rules with the symlink-learned aliases
(:meth:`RecordStore.aliases_for`), so a full replay is exactly "the events projected as if the rule had always
been there" (or never been, for an undo). A targeted rebuild would have to find every event naming either
dataset, its symlinks and its column-lineage sources; the full replay is slower but cannot miss one. While it
runs the graph fills up again from empty, as during ``graph rebuild``.
"""

from __future__ import annotations

import inspect
import logging
import threading
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import pluggy
import sqlalchemy as sa

from lineagelens.receiver.background import BackgroundLoop
from lineagelens.receiver.errors import ApiError, Conflict, NotFound, ServiceUnavailable
from lineagelens.receiver.graph.base import GraphStore, GraphUnavailable
from lineagelens.receiver.graph.model import Rel, dataset_id
from lineagelens.receiver.identity.candidates import CandidateGroup, DatasetInfo, find_candidates, find_external
from lineagelens.receiver.identity.rules import Key, MergeRule, MergeRules
from lineagelens.receiver.projection.projector import Projector
from lineagelens.receiver.state.db import try_session_lock
from lineagelens.receiver.state.event_log import EventLog
from lineagelens.receiver.state.tables import dataset_aliases, dataset_versions, datasets

log = logging.getLogger(__name__)

POLL_SECONDS = 5.0  # how often the applier looks for rules another receiver stored (a local write wakes it)
LOCK_IDENTITY = 0x4C4C_0B01  # one receiver at a time re-projects the event log for merge rules


class InvalidMerge(ApiError):
    status, code = 422, "invalid_merge"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def dataset_json(key: Key) -> dict[str, str]:
    return {"namespace": key[0], "name": key[1], "nodeId": dataset_id(*key)}


def rule_json(rule: MergeRule) -> dict[str, Any]:
    return {"id": rule.id, "origin": "console", "alias": dataset_json(rule.alias),
            "canonical": dataset_json(rule.canonical), "state": rule.state, "progress": rule.progress,
            "error": rule.error, "createdBy": rule.created_by, "createdAt": _iso(rule.created_at),
            "updatedAt": _iso(rule.updated_at)}


def group_json(group: CandidateGroup) -> dict[str, Any]:
    return {"id": group.id, "datasets": [dataset_json(k) for k in group.members],
            "reasons": [{"kind": r.kind, "detail": r.detail} for r in group.reasons]}


def _first_paragraph(obj: object) -> str:
    doc = inspect.getdoc(obj) or ""
    return doc.split("\n\n", 1)[0].replace("\n", " ").strip()


class IdentityConsole:
    def __init__(self, *, engine: sa.Engine, events: EventLog, graph: GraphStore, projector: Projector,
                 plugins: pluggy.PluginManager | None = None) -> None:
        self.engine = engine
        self.events = events
        self.graph = graph
        self.projector = projector
        self.plugins = plugins
        self.rules = MergeRules(engine)
        self.applier = MergeApplier(self)
        self._applying = threading.Lock()

    # -- reads -------------------------------------------------------------------------------------
    def dataset_infos(self) -> list[DatasetInfo]:
        """Every stored dataset with the columns of its latest schema version."""
        version = dataset_versions
        stmt = (sa.select(datasets.c.namespace, datasets.c.name, version.c.fields)
                .select_from(datasets.outerjoin(version, sa.and_(
                    version.c.namespace == datasets.c.namespace, version.c.name == datasets.c.name,
                    version.c.version == datasets.c.current_version))))
        with self.engine.connect() as conn:
            return [DatasetInfo(r.namespace, r.name, frozenset(
                        (str(f.get("name")), str(f.get("type") or "")) for f in (r.fields or [])
                        if isinstance(f, dict) and f.get("name")))
                    for r in conn.execute(stmt)]

    def candidates(self, reasons: Iterable[str]) -> list[CandidateGroup]:
        return find_candidates(self.dataset_infos(), reasons=reasons)

    def external(self) -> list[dict[str, Any]]:
        """Datasets no job writes (no OUTPUTS edge, no manual edge from a job into them), with how many jobs
        read them."""
        try:
            written = {e.dst for e in self.graph.list_edges(rel=Rel.OUTPUTS)}
            written |= {e.dst for e in self.graph.list_edges(rel=Rel.FLOWS_TO) if e.src.startswith("job:")}
            readers = Counter(e.src for e in self.graph.list_edges(rel=Rel.INPUT_TO))
        except GraphUnavailable as exc:
            raise ServiceUnavailable(f"the graph store is unavailable: {exc}") from exc
        with self.engine.connect() as conn:
            rows = {(r.namespace, r.name): r for r in conn.execute(
                sa.select(datasets.c.namespace, datasets.c.name, datasets.c.first_seen, datasets.c.last_seen))}
        external = find_external(rows, {k for k in rows if dataset_id(*k) in written})
        return [{**dataset_json(k), "firstSeen": _iso(rows[k].first_seen), "lastSeen": _iso(rows[k].last_seen),
                 "readers": readers.get(dataset_id(*k), 0)} for k in external]

    def merges(self) -> list[dict[str, Any]]:
        """Every identity rule the system knows, each with its origin: console merges (newest first), aliases
        learned from ``symlinks`` facets, and the naming plugins (rules in code, by plugin name)."""
        found = [rule_json(r) for r in self.rules.all()]
        with self.engine.connect() as conn:
            for r in conn.execute(sa.select(dataset_aliases).order_by(dataset_aliases.c.canonical_namespace,
                                                                      dataset_aliases.c.canonical_name,
                                                                      dataset_aliases.c.namespace,
                                                                      dataset_aliases.c.name)):
                found.append({"id": None, "origin": "symlink", "alias": dataset_json((r.namespace, r.name)),
                              "canonical": dataset_json((r.canonical_namespace, r.canonical_name)),
                              "state": "applied", "progress": 1.0, "error": None})
        if self.plugins is not None:
            for impl in reversed(self.plugins.hook.normalize_dataset.get_hookimpls()):
                found.append({"id": None, "origin": "plugin", "plugin": impl.plugin_name,
                              "description": _first_paragraph(impl.plugin), "alias": None, "canonical": None,
                              "state": "applied", "progress": 1.0, "error": None})
        return found

    # -- writes ------------------------------------------------------------------------------------
    def _known(self, conn: sa.Connection, key: Key) -> bool:
        for table in (datasets, dataset_aliases):
            if conn.execute(sa.select(table.c.name).where(table.c.namespace == key[0],
                                                          table.c.name == key[1])).first() is not None:
                return True
        return self.rules.active_for(key) is not None

    def merge(self, *, alias: Key, canonical: Key, created_by: str) -> MergeRule:
        """Store a rule folding ``alias`` into ``canonical`` and wake the applier. InvalidMerge (422) for a
        name merged into itself or an unknown dataset; Conflict (409) when the alias already has a rule in
        force, when the two are already one dataset, or when the rule would make a cycle."""
        alias, canonical = self.projector.normalize(*alias), self.projector.normalize(*canonical)
        if alias == canonical:
            raise InvalidMerge("a dataset cannot be merged into itself",
                               [{"path": "canonical", "message": "the same dataset as alias"}])
        with self.engine.connect() as conn:
            unknown = [{"path": path, "message": f"no dataset {key[0]}:{key[1]}"}
                       for path, key in (("alias", alias), ("canonical", canonical)) if not self._known(conn, key)]
        if unknown:
            raise InvalidMerge("unknown dataset", unknown)
        existing = self.rules.active_for(alias)
        if existing is not None:
            raise Conflict(f"{alias[0]}:{alias[1]} is already merged into {existing.canonical[0]}:"
                           f"{existing.canonical[1]} (rule {existing.id}): undo that rule first")
        resolved = self.projector.records.aliases_for([alias, canonical])
        alias_end, canonical_end = resolved.get(alias, alias), resolved.get(canonical, canonical)
        if alias_end == canonical_end and canonical_end != canonical:
            raise Conflict(f"{canonical[0]}:{canonical[1]} is already an alias of {canonical_end[0]}:"
                           f"{canonical_end[1]}: the rule would make a cycle (merge the other way round)")
        if alias_end == canonical_end:
            raise Conflict(f"{alias[0]}:{alias[1]} and {canonical[0]}:{canonical[1]} are already one dataset")
        rule = self.rules.create(alias=alias, canonical=canonical, created_by=created_by)
        log.info("identity: %s merged into %s by %s (rule %s)", alias, canonical, created_by, rule.id)
        self.applier.wake()
        return rule

    def undo(self, rule_id: str) -> MergeRule:
        """Stop applying a rule and split the two names again (in the background). NotFound (404) for an
        unknown id; Conflict (409) for a rule already undone or being undone."""
        rule = self.rules.get(rule_id)
        if rule is None:
            raise NotFound(f"no merge rule {rule_id!r}")
        if not self.rules.request_undo(rule_id):
            raise Conflict(f"merge rule {rule_id} is already {rule.state}")
        self.applier.wake()
        found = self.rules.get(rule_id)
        assert found is not None
        return found

    def apply_pending(self) -> bool:
        """One background run: re-project the event log for every rule waiting to be applied or undone.
        True when a run happened and succeeded. Every receiver's applier looks for rules (woken, or every
        POLL_SECONDS); one at a time runs (the others skip: what they would claim is taken, or left for the
        next run)."""
        with try_session_lock(self.engine, LOCK_IDENTITY, self._applying) as mine:
            return mine and self._apply_claimed()

    def _apply_claimed(self) -> bool:
        claim = self.rules.claim()
        if not claim.ids:
            return False
        total, done = max(1, self.events.count()), 0

        def progress(n: int) -> None:
            nonlocal done
            done += n
            self.rules.set_progress(claim.ids, done / total)

        log.info("identity: re-projecting the event log for %d rule(s)", len(claim.ids))
        try:
            self.projector.rebuild(progress=progress)
        except Exception as exc:  # the graph store is down, ...: retried by the next run
            log.warning("identity: re-projection failed, will retry: %s", exc)
            self.rules.fail(claim, str(exc) or type(exc).__name__)
            return False
        self.rules.finish(claim)
        return True


class MergeApplier(BackgroundLoop):
    """Runs :meth:`IdentityConsole.apply_pending` when woken (a rule stored here) or every POLL_SECONDS
    (a rule stored by another receiver)."""

    thread_name = "lineagelens-identity"

    def __init__(self, console: IdentityConsole, poll_seconds: float = POLL_SECONDS) -> None:
        self.console = console
        self.poll_seconds = poll_seconds
        self._init_loop()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if self.console.rules.has_work():
                    self.console.apply_pending()
            except Exception:
                log.exception("identity: the merge applier failed")
            self._wake.wait(self.poll_seconds)
            self._wake.clear()
