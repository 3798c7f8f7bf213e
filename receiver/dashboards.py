"""Dashboards: a React Flow document (nodes placed on a canvas, manual edges, notes) with optimistic
concurrency, export to one self-contained versioned document, and idempotent import.

Every dashboard edge is manual lineage. The ``manual_edges`` table is its source of truth; the graph holds a
``FLOWS_TO {origin: 'manual', author, createdAt}`` edge for each (src, dst) pair that any dashboard draws.
Ingestion never writes FLOWS_TO, ``clear()`` keeps these edges, and :meth:`ManualLineage.sync_all` restores
the graph from the table (after a rebuild or a graph outage).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate, validates_schema

from lineagelens.receiver.errors import ApiError, Conflict, NotFound, validation_errors
from lineagelens.receiver.graph.base import GraphStore, GraphUnavailable
from lineagelens.receiver.graph.model import EdgeRow, GraphBatch, NodeKind, NodeRow, Rel, source_id
from lineagelens.receiver.sources.service import SourceService
from lineagelens.receiver.state.db import transaction
from lineagelens.receiver.state.event_log import canonical_json
from lineagelens.receiver.state.tables import dashboards, manual_edges, sources

log = logging.getLogger(__name__)

FORMAT = "lineagelens.dashboard"
FORMAT_VERSION = 1


class InvalidDashboard(ApiError):
    status, code = 422, "invalid_dashboard"


class PreconditionRequired(ApiError):
    status, code = 428, "precondition_required"


# -- the document ---------------------------------------------------------------------------------
class _Strict(Schema):
    class Meta:
        unknown = RAISE


class Point(_Strict):
    x = fields.Float(required=True, allow_nan=False)
    y = fields.Float(required=True, allow_nan=False)


class Viewport(Point):
    zoom = fields.Float(required=True, validate=validate.Range(min=0.01, max=100))


class NodeRef(_Strict):
    kind = fields.String(required=True, validate=validate.OneOf(["source", "dataset", "job"]))
    id = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class DashboardNode(Schema):
    class Meta:
        unknown = EXCLUDE  # React Flow adds its own keys (width, selected ...): not kept

    id = fields.String(required=True, validate=validate.Length(min=1, max=128))
    ref = fields.Nested(NodeRef, required=True)
    position = fields.Nested(Point, required=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))


class DashboardEdge(Schema):
    class Meta:
        unknown = EXCLUDE

    id = fields.String(required=True, validate=validate.Length(min=1, max=128))
    source = fields.String(required=True)
    target = fields.String(required=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))


class DashboardDocument(Schema):
    class Meta:
        unknown = EXCLUDE  # id, version, timestamps sent back by a client are read from the URL/headers

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    viewport = fields.Nested(Viewport, load_default=lambda: {"x": 0.0, "y": 0.0, "zoom": 1.0})
    nodes = fields.List(fields.Nested(DashboardNode), load_default=list, validate=validate.Length(max=2000))
    edges = fields.List(fields.Nested(DashboardEdge), load_default=list, validate=validate.Length(max=5000))

    @validates_schema
    def _consistent(self, data: dict[str, Any], **_: Any) -> None:
        node_ids = [n["id"] for n in data.get("nodes", [])]
        if len(set(node_ids)) != len(node_ids):
            raise ValidationError("node ids must be unique", "nodes")
        edge_ids = [e["id"] for e in data.get("edges", [])]
        if len(set(edge_ids)) != len(edge_ids):
            raise ValidationError("edge ids must be unique", "edges")
        known = set(node_ids)
        for i, edge in enumerate(data.get("edges", [])):
            for end in ("source", "target"):
                if edge[end] not in known:
                    raise ValidationError(f"edge {edge['id']!r}: {end} {edge[end]!r} is not a node", f"edges.{i}")
            if edge["source"] == edge["target"]:
                raise ValidationError(f"edge {edge['id']!r} connects a node to itself", f"edges.{i}")


class ExportedSource(Schema):
    class Meta:
        unknown = EXCLUDE

    id = fields.String(required=True)
    kind = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(load_default="")
    config = fields.Dict(load_default=dict)


class ExportDocument(Schema):
    class Meta:
        unknown = EXCLUDE

    format = fields.String(required=True, validate=validate.Equal(FORMAT))
    formatVersion = fields.Integer(required=True, validate=validate.Equal(FORMAT_VERSION))
    dashboard = fields.Nested(DashboardDocument, required=True)
    sources = fields.List(fields.Nested(ExportedSource), load_default=list)


def load(schema: Schema, raw: Any) -> dict[str, Any]:
    try:
        loaded: dict[str, Any] = schema.load(raw)
    except ValidationError as exc:
        raise InvalidDashboard("invalid dashboard document",
                               validation_errors(exc.normalized_messages(), root="")) from exc
    return loaded


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def graph_id(ref: dict[str, str]) -> str:
    return source_id(ref["id"]) if ref["kind"] == "source" else ref["id"]


# -- manual lineage ---------------------------------------------------------------------------------
@dataclass
class ManualLineage:
    engine: sa.Engine
    graph: GraphStore

    def sync(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Make the graph's manual FLOWS_TO edges between ``pairs`` match the table."""
        pairs = sorted(set(pairs))
        if not pairs:
            return
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(manual_edges).where(
                sa.tuple_(manual_edges.c.src, manual_edges.c.dst).in_(pairs))
                .order_by(manual_edges.c.created_at, manual_edges.c.dashboard_id)).all()
        first: dict[tuple[str, str], Any] = {}
        for row in rows:
            first.setdefault((row.src, row.dst), row)
        batch = GraphBatch()
        for (src, dst), row in first.items():
            batch.edges[(src, dst, Rel.FLOWS_TO)] = EdgeRow(
                src, dst, Rel.FLOWS_TO, row.created_at, row.created_at, None,
                {"origin": "manual", "author": row.author, "createdAt": _iso(row.created_at),
                 "note": row.note})
        self.graph.apply(batch=batch)
        self.graph.delete_edges(keys=[(s, d, Rel.FLOWS_TO) for s, d in pairs if (s, d) not in first])

    def sync_all(self) -> None:
        """Restore every manual edge (and the Source nodes they need) from the table."""
        with self.engine.connect() as conn:
            wanted = {(r.src, r.dst) for r in conn.execute(sa.select(manual_edges.c.src, manual_edges.c.dst))}
            source_rows = conn.execute(sa.select(sources.c.id, sources.c.kind, sources.c.name,
                                                 sources.c.created_at)).all()
        nodes = {source_id(r.id): NodeRow(source_id(r.id), NodeKind.SOURCE, r.kind, r.name, r.created_at,
                                          r.created_at, {}) for r in source_rows}
        self.graph.apply(batch=GraphBatch(nodes=nodes))
        present = {(e.src, e.dst) for e in self.graph.list_edges(rel=Rel.FLOWS_TO)
                   if e.props.get("origin") == "manual"}
        self.sync(wanted | present)


# -- dashboards -------------------------------------------------------------------------------------
@dataclass
class DashboardService:
    engine: sa.Engine
    graph: GraphStore
    manual: ManualLineage
    sources: SourceService

    def _present(self, row: Any) -> dict[str, Any]:
        doc = row.document
        return {"id": row.id, "name": row.name, "description": row.description, "version": row.version,
                "createdAt": _iso(row.created_at), "updatedAt": _iso(row.updated_at),
                "viewport": doc.get("viewport"), "nodes": doc.get("nodes", []), "edges": doc.get("edges", [])}

    def _row(self, conn: sa.Connection, dashboard: str) -> Any:
        row = conn.execute(sa.select(dashboards).where(dashboards.c.id == dashboard)).first()
        if row is None:
            raise NotFound(f"no dashboard {dashboard!r}")
        return row

    def find(self, *, q: str | None, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        where = [sa.func.lower(dashboards.c.name).contains(q.lower(), autoescape=True)] if q else []
        stmt = (sa.select(dashboards).where(*where).order_by(dashboards.c.updated_at.desc(), dashboards.c.id)
                .limit(limit).offset(offset))
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
            total = conn.scalar(sa.select(sa.func.count()).select_from(dashboards).where(*where)) or 0
        return [{"id": r.id, "name": r.name, "description": r.description, "version": r.version,
                 "updatedAt": _iso(r.updated_at), "nodeCount": len(r.document.get("nodes", []))}
                for r in rows], int(total)

    def get(self, dashboard: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            return self._present(self._row(conn, dashboard))

    def _check_refs(self, doc: dict[str, Any], *, new: frozenset[str] = frozenset()) -> None:
        """Every node refers to something the graph knows (or to a source in ``new``, being created)."""
        refs = [graph_id(n["ref"]) for n in doc["nodes"]]
        found = self.graph.get_nodes(ids=[r for r in refs if r not in new])
        missing = [(i, r) for i, r in enumerate(refs) if r not in found and r not in new]
        if missing:
            raise InvalidDashboard("nodes refer to things LineageLens does not know", [
                {"path": f"nodes.{i}.ref", "message": f"no node {ref!r}"} for i, ref in missing])

    def _edge_rows(self, dashboard: str, doc: dict[str, Any], author: str,
                   previous: dict[str, Any]) -> list[dict[str, Any]]:
        by_node = {n["id"]: graph_id(n["ref"]) for n in doc["nodes"]}
        rows = []
        for edge in doc["edges"]:
            src, dst = by_node[edge["source"]], by_node[edge["target"]]
            old = previous.get(edge["id"])
            if old is not None and (old.src, old.dst) == (src, dst):  # the same edge: keep who and when
                who, when = old.author, old.created_at
            else:
                who, when = author, _now()
            rows.append({"dashboard_id": dashboard, "edge_id": edge["id"], "src": src, "dst": dst,
                         "author": who, "note": edge.get("note"), "created_at": when})
        return rows

    def _save(self, conn: sa.Connection, dashboard: str, doc: dict[str, Any], author: str) -> set[tuple[str, str]]:
        """Replace the dashboard's manual edges; the (src, dst) pairs whose graph edges need syncing."""
        previous = {r.edge_id: r for r in conn.execute(
            sa.select(manual_edges).where(manual_edges.c.dashboard_id == dashboard))}
        rows = self._edge_rows(dashboard, doc, author, previous)
        conn.execute(manual_edges.delete().where(manual_edges.c.dashboard_id == dashboard))
        if rows:
            conn.execute(manual_edges.insert(), rows)
        return {(r.src, r.dst) for r in previous.values()} | {(r["src"], r["dst"]) for r in rows}

    def _sync(self, pairs: set[tuple[str, str]]) -> None:
        try:
            self.manual.sync(pairs)
        except GraphUnavailable as exc:  # the table is the truth; sync_all restores the graph later
            log.warning("manual edges saved; graph sync deferred: %s", exc)

    def create(self, raw: Any, *, author: str, import_key: str | None = None) -> dict[str, Any]:
        doc = load(DashboardDocument(), raw)
        self._check_refs(doc)
        with transaction(self.engine) as conn:
            dashboard, pairs = self._insert(conn, doc, author, import_key)
        self._sync(pairs)
        return self.get(dashboard)

    def _insert(self, conn: sa.Connection, doc: dict[str, Any], author: str,
                import_key: str | None) -> tuple[str, set[tuple[str, str]]]:
        dashboard, now = str(uuid.uuid4()), _now()
        conn.execute(dashboards.insert().values(
            id=dashboard, name=doc["name"], description=doc["description"], version=1,
            document={"viewport": doc["viewport"], "nodes": doc["nodes"], "edges": doc["edges"]},
            import_key=import_key, created_at=now, updated_at=now))
        return dashboard, self._save(conn, dashboard, doc, author)

    def update(self, dashboard: str, raw: Any, *, expected_version: int | None, author: str) -> dict[str, Any]:
        if expected_version is None:
            raise PreconditionRequired("send If-Match: \"<version>\" (or a version in the body) to save")
        doc = load(DashboardDocument(), raw)
        self._check_refs(doc)
        with transaction(self.engine) as conn:
            current = self._row(conn, dashboard)
            changed = conn.execute(
                dashboards.update().where(dashboards.c.id == dashboard, dashboards.c.version == expected_version)
                .values(name=doc["name"], description=doc["description"], version=current.version + 1,
                        document={"viewport": doc["viewport"], "nodes": doc["nodes"], "edges": doc["edges"]},
                        updated_at=_now())).rowcount
            if not changed:
                raise Conflict(f"dashboard changed since version {expected_version}",
                               [{"currentVersion": current.version, "yourVersion": expected_version}])
            pairs = self._save(conn, dashboard, doc, author)
        self._sync(pairs)
        return self.get(dashboard)

    def delete(self, dashboard: str) -> None:
        with transaction(self.engine) as conn:
            self._row(conn, dashboard)
            pairs = {(r.src, r.dst) for r in conn.execute(
                sa.select(manual_edges).where(manual_edges.c.dashboard_id == dashboard))}
            conn.execute(manual_edges.delete().where(manual_edges.c.dashboard_id == dashboard))
            conn.execute(dashboards.delete().where(dashboards.c.id == dashboard))
        self._sync(pairs)

    def forget_source(self, source: str) -> None:
        """A source is being deleted: take its nodes (and their edges) off every dashboard."""
        node_ref = source_id(source)
        pairs: set[tuple[str, str]] = set()
        with transaction(self.engine) as conn:
            for row in conn.execute(sa.select(dashboards)).all():
                doc = row.document
                gone = {n["id"] for n in doc.get("nodes", []) if graph_id(n["ref"]) == node_ref}
                if not gone:
                    continue
                doc = {**doc, "nodes": [n for n in doc["nodes"] if n["id"] not in gone],
                       "edges": [e for e in doc.get("edges", []) if not {e["source"], e["target"]} & gone]}
                conn.execute(dashboards.update().where(dashboards.c.id == row.id)
                             .values(document=doc, version=row.version + 1, updated_at=_now()))
            touching = sa.or_(manual_edges.c.src == node_ref, manual_edges.c.dst == node_ref)
            pairs = {(r.src, r.dst) for r in conn.execute(sa.select(manual_edges).where(touching))}
            conn.execute(manual_edges.delete().where(touching))
        self._sync(pairs)
        try:
            self.graph.delete_nodes(ids=[node_ref])
        except GraphUnavailable as exc:
            log.warning("source node %s stays in the graph until it is reachable: %s", node_ref, exc)

    # -- export / import ---------------------------------------------------------------------------
    def export(self, dashboard: str) -> dict[str, Any]:
        current = self.get(dashboard)
        source_ids = sorted({n["ref"]["id"] for n in current["nodes"] if n["ref"]["kind"] == "source"})
        exported = []
        for sid in source_ids:
            try:
                s = self.sources.get(sid)  # presented: secrets already left out
            except NotFound:
                continue
            exported.append({k: s[k] for k in ("id", "kind", "name", "description", "config")})
        return {"format": FORMAT, "formatVersion": FORMAT_VERSION, "exportedAt": _iso(_now()),
                "dashboard": {k: current[k] for k in ("name", "description", "viewport", "nodes", "edges")},
                "sources": exported}

    def import_(self, raw: Any, *, author: str) -> tuple[dict[str, Any], bool]:
        """Create the dashboard of an exported document; ``(dashboard, created)``. Importing the same
        document again returns the dashboard it made before. One transaction: the sources it recreates and
        the dashboard are stored together or not at all (a 422 leaves nothing behind)."""
        document = load(ExportDocument(), raw)
        key = hashlib.sha256(canonical_json({"dashboard": document["dashboard"],
                                             "sources": document["sources"]}).encode()).hexdigest()
        doc = document["dashboard"]
        with transaction(self.engine) as conn:
            existing = conn.execute(sa.select(dashboards.c.id).where(dashboards.c.import_key == key)).scalar()
            created: list[dict[str, Any]] = []
            pairs: set[tuple[str, str]] = set()
            if existing:
                dashboard = str(existing)
            else:
                remap, created = self._sources_for(conn, document["sources"])
                for node in doc["nodes"]:
                    if node["ref"]["kind"] == "source":
                        node["ref"]["id"] = remap.get(node["ref"]["id"], node["ref"]["id"])
                self._check_refs(doc, new=frozenset(source_id(r["id"]) for r in created))
                dashboard, pairs = self._insert(conn, doc, author, key)
        for row in created:
            try:
                self.sources.put_node(row["id"], row["kind"], row["name"], row["created_at"])
            except GraphUnavailable as exc:  # ManualLineage.sync_all restores source nodes later
                log.warning("source node %s deferred: %s", row["id"], exc)
        self._sync(pairs)
        return self.get(dashboard), not existing

    def _sources_for(self, conn: sa.Connection, exported: list[dict[str, Any]],
                     ) -> tuple[dict[str, str], list[dict[str, Any]]]:
        """For each exported source, the id of the same source here (an existing one of that kind and name)
        or of a new one stored in ``conn``'s transaction; and the new rows."""
        remap: dict[str, str] = {}
        created: list[dict[str, Any]] = []
        by_name: dict[tuple[str, str], str] = {}
        for i, source in enumerate(exported):
            name = (source["kind"], source["name"])
            found = by_name.get(name) or conn.execute(sa.select(sources.c.id).where(
                sources.c.kind == source["kind"], sources.c.name == source["name"])).scalar()
            if not found:
                try:
                    row = self.sources.new_row(kind=source["kind"], name=source["name"],
                                               description=source["description"], config=source["config"])
                    self.sources.insert(conn, row)
                except ApiError as exc:
                    raise InvalidDashboard(f"cannot recreate source {source['name']!r}: {exc.message}", [
                        {**e, "path": f"sources.{i}.{e['path']}"} if "path" in e else e
                        for e in exc.errors]) from exc
                created.append(row)
                found = row["id"]
            remap[source["id"]] = by_name[name] = str(found)
        return remap, created
