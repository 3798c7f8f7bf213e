"""Writing projected records (runs, jobs, datasets, versions, aliases) into the state database.

Projection is serialised (one drainer at a time) and nothing else writes these records, so a batch is written
in two steps: :meth:`RecordStore.merged` reads the stored records of the batch's keys and merges them with the
batch's (the merges in :mod:`.records` are commutative) *before* the writer's transaction, and
:meth:`RecordStore.write` upserts the result inside it. On SQLite that transaction holds the one writer lock,
which ingest commits wait for: reading and merging there held it about twice as long.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import fields as dc_fields
from typing import Any

import sqlalchemy as sa

from lineagelens.receiver.openlineage.model import RunState
from lineagelens.receiver.state.db import WriteStep, chunks, insert, transaction
from lineagelens.receiver.state.key_sets import KeySet
from lineagelens.receiver.state.prepared_writes import PreparedWrite, ReadyRows
from lineagelens.receiver.state.records import (
    DatasetRecord,
    JobRecord,
    Key,
    RunRecord,
    StateRows,
    TimedFacets,
    VersionRecord,
)
from lineagelens.receiver.state.tables import (
    dataset_aliases,
    dataset_versions,
    datasets,
    identity_merges,
    jobs,
    run_datasets,
    runs,
)

log = logging.getLogger(__name__)

# Identity console merge rules in these states are in force: projection reads their alias as the canonical
# dataset (a pending rule already applies to new events; the background re-projection catches the old ones up).
ACTIVE_MERGE_STATES = ("pending", "applying", "applied")


def resolve_aliases(keys: Iterable[Key], console: dict[Key, Key], learned: dict[Key, Key]) -> dict[Key, Key]:
    """Where each of ``keys`` ends up, following console merge rules (first) and symlink-learned aliases
    through chains (a console rule's canonical may itself be an alias); a cycle stops at the last new name.
    Only keys that move are returned."""
    found: dict[Key, Key] = {}
    for key in keys:
        seen, current = {key}, key
        while (step := console.get(current) or learned.get(current)) is not None and step not in seen:
            seen.add(step)
            current = step
        if current != key:
            found[key] = current
    return found


def _to_row(record: Any) -> dict[str, Any]:
    row = {f.name: getattr(record, f.name) for f in dc_fields(record)}
    if "facets" in row:
        facets: TimedFacets = row.pop("facets")
        row["facets"], row["facet_times"] = facets.values, facets.times
    if isinstance(row.get("state"), RunState):
        row["state"] = row["state"].value
    if "fields" in row:
        row["fields"] = list(row["fields"])
    return row


def _from_row(cls: type[Any], row: sa.Row[Any], incoming: Any = None) -> Any:
    """The record of a stored row. From a merge look-up (``incoming``: the record to merge into it), the facets
    come as JSON text, decoded only when the merge reads them: not when ``incoming``'s facets replace them all
    (:meth:`TimedFacets.replaces`, the usual case: a batch's events are later than the stored ones). Decoding
    a dataset's stored facets (kilobytes of schema and column lineage) was the largest cost of a merge."""
    data = dict(row._mapping)
    if "facets" in data:
        values, times = data.pop("facets"), data.pop("facet_times") or {}
        if incoming is not None and incoming.facets.replaces(times):
            values, times = {}, {}
        elif isinstance(values, str):
            values = json.loads(values)
        data["facets"] = TimedFacets(values=values or {}, times=times)
    if "state" in data:
        data["state"] = RunState(data["state"])
    if "fields" in data:
        data["fields"] = tuple(data["fields"])
    return cls(**data)


@dataclass(frozen=True)
class MergedRows:
    """A batch's records merged with the stored ones (:meth:`RecordStore.merged`), ready to upsert."""

    upserts: list[ReadyRows]
    run_datasets: ReadyRows
    aliases: dict[Key, Key]  # newly learned alias -> canonical


@dataclass(frozen=True)
class _MergeStatements:
    """A merged table's key, the look-up of the stored rows of some ``:keys`` (their facets as JSON text: see
    :func:`_from_row`), and the upsert of merged rows."""

    key: tuple[sa.Column[Any], ...]
    keys: KeySet
    stored: sa.Select[Any]
    upsert: PreparedWrite

    @classmethod
    def of(cls, engine: sa.Engine, table: sa.Table, key: tuple[sa.Column[Any], ...]) -> _MergeStatements:
        columns = [sa.cast(c, sa.Text).label(c.name) if c.name == "facets" else c for c in table.columns]
        keys = KeySet(engine, key)
        stored = sa.select(*columns).where(keys.clause)
        upsert = insert(engine, table)
        names = [c.name for c in table.columns if c.name not in {k.name for k in key}]
        upsert = upsert.on_conflict_do_update(index_elements=[c.name for c in key],
                                              set_={n: upsert.excluded[n] for n in names})
        return cls(key, keys, stored, PreparedWrite(engine, table, upsert))


_ACTIVE_MERGES = sa.select(identity_merges).where(identity_merges.c.state.in_(ACTIVE_MERGE_STATES))


class RecordStore:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        # Built once (building them cost SQLAlchemy more than writing a small batch): per merged table, the
        # look-up of stored rows and the upsert of merged ones.
        self._merges = {table.name: _MergeStatements.of(engine, table, key) for table, key in (
            (runs, (runs.c.run_id,)), (jobs, (jobs.c.namespace, jobs.c.name)),
            (datasets, (datasets.c.namespace, datasets.c.name)),
            (dataset_versions, (dataset_versions.c.namespace, dataset_versions.c.name, dataset_versions.c.version)))}
        upsert = insert(engine, run_datasets)
        self._run_datasets_upsert = PreparedWrite(engine, run_datasets, upsert.on_conflict_do_update(
            index_elements=["run_id", "namespace", "name", "direction"],
            set_={"version": sa.func.coalesce(upsert.excluded.version, run_datasets.c.version)}))
        self._alias_keys = KeySet(engine, (dataset_aliases.c.namespace, dataset_aliases.c.name))
        self._aliases_of = sa.select(dataset_aliases).where(self._alias_keys.clause)  # read every batch

    # -- aliases -----------------------------------------------------------------------------------
    def aliases_for(self, keys: Iterable[Key]) -> dict[Key, Key]:
        """The canonical identity of each of ``keys`` that is an alias (symlink-learned or merged in the
        identity console), plus every active console rule (so newly learned symlinks respect them)."""
        wanted = set(keys)
        learned: dict[Key, Key] = {}
        with self.engine.connect() as conn:
            console = self.console_merges(conn)
            todo, loaded = wanted | set(console) | set(console.values()), set[Key]()
            while todo:  # follow chains: a canonical name may itself be an alias
                for chunk in chunks(sorted(todo)):
                    for r in conn.execute(self._aliases_of, self._alias_keys.params(chunk)):
                        learned[(r.namespace, r.name)] = (r.canonical_namespace, r.canonical_name)
                loaded |= todo
                todo = set(learned.values()) - loaded
        return resolve_aliases(wanted | set(console), console, learned)

    def console_merges(self, conn: sa.Connection) -> dict[Key, Key]:
        """Active identity console rules, alias -> canonical."""
        return {(r.alias_namespace, r.alias_name): (r.canonical_namespace, r.canonical_name)
                for r in conn.execute(_ACTIVE_MERGES)}

    # -- writes ------------------------------------------------------------------------------------
    def merged(self, conn: sa.Connection, rows: StateRows) -> MergedRows:
        """``rows`` merged with the stored records of their keys, ready for :meth:`write`. Call it outside the
        writer's transaction, after the previous batch's :meth:`write` committed."""
        upserts: list[ReadyRows] = []
        for table, cls, incoming in ((runs, RunRecord, {(k,): v for k, v in rows.runs.items()}),
                                     (jobs, JobRecord, rows.jobs),
                                     (datasets, DatasetRecord, rows.datasets),
                                     (dataset_versions, VersionRecord, rows.versions)):
            if incoming:
                merged = self._merge(conn, table, cls, incoming)
                upserts.append(self._merges[table.name].upsert.ready(_to_row(r) for r in merged.values()))
        return MergedRows(
            upserts=upserts,
            run_datasets=self._run_datasets_upsert.ready(_to_row(r) for r in rows.run_datasets.values()),
            aliases=dict(rows.aliases))

    def steps(self, rows: MergedRows) -> list[WriteStep]:
        """The upserts of ``rows`` (from :meth:`merged`), as steps of ``db.write_in_steps``."""
        steps = [step for upsert in (*rows.upserts, rows.run_datasets) for step in upsert.steps()]
        if rows.aliases:
            steps.append(functools.partial(self._learn_aliases, learned=rows.aliases))
        return steps

    def _learn_aliases(self, conn: sa.Connection, learned: dict[Key, Key]) -> None:
        stmt = insert(self.engine, dataset_aliases).on_conflict_do_nothing(index_elements=["namespace", "name"])
        conn.execute(stmt, [{"namespace": a[0], "name": a[1], "canonical_namespace": c[0], "canonical_name": c[1]}
                            for a, c in learned.items()])
        self._fold_aliases(conn, learned)

    def _merge(self, conn: sa.Connection, table: sa.Table, cls: type[Any], incoming: dict[Any, Any]
               ) -> dict[Any, Any]:
        """``incoming`` records of ``table`` (by key) merged with the stored ones."""
        merged, statements = dict(incoming), self._merges[table.name]
        for chunk in chunks(list(incoming)):
            for row in conn.execute(statements.stored, statements.keys.params(chunk)):
                key = tuple(getattr(row, c.name) for c in statements.key)
                merged[key] = _from_row(cls, row, merged[key]).merge(merged[key])
        return merged

    def _fold_aliases(self, conn: sa.Connection, learned: dict[Key, Key]) -> None:
        """Records stored under a name that has just become an alias move to the canonical name."""
        # most names become aliases before anything is stored under them: find the few that have records with
        # one statement, not one per alias
        statements = self._merges[datasets.name]
        stored = {(r.namespace, r.name) for chunk in chunks(list(learned))
                  for r in conn.execute(statements.stored, statements.keys.params(chunk))}
        for (ns, name), (cns, cname) in learned.items():
            if (ns, name) not in stored:
                continue
            old = conn.execute(sa.select(datasets).where(datasets.c.namespace == ns,
                                                         datasets.c.name == name)).first()
            if old is None:
                continue
            stored.add((cns, cname))  # a later alias of this batch may be the name it moves to
            record: DatasetRecord = _from_row(DatasetRecord, old)
            moved = DatasetRecord(namespace=cns, name=cname, first_seen=record.first_seen,
                                  last_seen=record.last_seen, current_version=record.current_version,
                                  version_time=record.version_time, facets=record.facets)
            conn.execute(datasets.delete().where(datasets.c.namespace == ns, datasets.c.name == name))
            merged = self._merge(conn, datasets, DatasetRecord, {(cns, cname): moved})
            self._merges[datasets.name].upsert.ready(_to_row(r) for r in merged.values()).execute(conn)
            for table in (dataset_versions, run_datasets):
                where = (table.c.namespace == ns, table.c.name == name)
                moved_rows = [{**r._asdict(), "namespace": cns, "name": cname}
                              for r in conn.execute(sa.select(table).where(*where))]
                if moved_rows:
                    conn.execute(insert(self.engine, table).on_conflict_do_nothing(), moved_rows)
                conn.execute(table.delete().where(*where))

    def clear(self) -> None:
        """Delete every projected record (the event log stays): ``graph rebuild`` starts here."""
        with transaction(self.engine) as conn:
            for table in (run_datasets, dataset_versions, dataset_aliases, datasets, jobs, runs):
                conn.execute(table.delete())
