"""Every Cypher statement the Neo4j graph store runs, as named constants.

Values always travel as parameters. Where a label or relationship type must vary, the statements are
fixed dictionaries keyed by :class:`NodeKind` / :class:`Rel`, expanded once at import time from the closed
enums (never from input). Datetimes are stored as ISO-8601 strings in UTC (``datetime.isoformat()``), which
order chronologically, so ``<`` / ``>`` compare instants.

Merge rules shared by nodes and edges (``inc`` = the incoming property map, complete with
``firstSeen``/``lastSeen``): the incoming properties replace the stored ones when ``inc.lastSeen >=
stored lastSeen``; ``firstSeen`` is the minimum, ``lastSeen`` the maximum, and an edge's ``lastRunId`` is
that of the strictly later ``lastSeen`` (on a tie the stored one, unless only the incoming one is set).
"""

from __future__ import annotations

import functools
import logging
from typing import Final

from lineagelens.receiver.graph.model import Direction, NodeKind, Rel

log = logging.getLogger(__name__)

# -- schema ---------------------------------------------------------------------------------------

SETUP: Final[tuple[str, ...]] = (
    "CREATE CONSTRAINT dataset_id IF NOT EXISTS FOR (n:Dataset) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT job_id IF NOT EXISTS FOR (n:Job) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT field_id IF NOT EXISTS FOR (n:Field) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT run_id IF NOT EXISTS FOR (n:Run) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT source_id IF NOT EXISTS FOR (n:Source) REQUIRE n.id IS UNIQUE",
    "CREATE INDEX dataset_name IF NOT EXISTS FOR (n:Dataset) ON (n.name)",
    "CREATE INDEX dataset_namespace IF NOT EXISTS FOR (n:Dataset) ON (n.namespace)",
    "CREATE INDEX job_name IF NOT EXISTS FOR (n:Job) ON (n.name)",
    "CREATE INDEX job_namespace IF NOT EXISTS FOR (n:Job) ON (n.namespace)",
    "CREATE INDEX field_name IF NOT EXISTS FOR (n:Field) ON (n.name)",
    "CALL db.awaitIndexes(300)",
)

PING: Final = "RETURN 1 AS ok"

# -- writes ---------------------------------------------------------------------------------------

# The edge rule, after ``WITH e, inc`` (``e`` the merged relationship, ``inc`` the incoming map). Nodes and edges
# are written with one SET of the whole map each, ``firstSeen`` worked out before it: replacing the map and then
# setting the times in a second SET cost Neo4j about a fifth more per batch.
_EDGE_RULE = """WITH e, inc, e.lastSeen AS ls, e.lastRunId AS lr,
     CASE WHEN e.firstSeen IS NULL OR inc.firstSeen < e.firstSeen THEN inc.firstSeen ELSE e.firstSeen END AS first
SET e = CASE WHEN ls IS NULL OR inc.lastSeen > ls THEN inc {.*, firstSeen: first}
             WHEN inc.lastSeen = ls THEN inc {.*, firstSeen: first, lastRunId: coalesce(lr, inc.lastRunId)}
             ELSE e {.*, firstSeen: first} END
"""

# $rows: [{id, inc}] where inc holds every property of the node (id, kind, namespace, name, firstSeen,
# lastSeen and the row's props).
_MERGE_NODES = """
UNWIND $rows AS row
MERGE (n:__LABEL__ {id: row.id})
WITH n, row.inc AS inc
WITH n, inc, n.lastSeen AS ls,
     CASE WHEN n.firstSeen IS NULL OR inc.firstSeen < n.firstSeen THEN inc.firstSeen ELSE n.firstSeen END AS first
SET n = CASE WHEN ls IS NULL OR inc.lastSeen >= ls THEN inc {.*, firstSeen: first} ELSE n {.*, firstSeen: first} END
"""
MERGE_NODES: Final[dict[NodeKind, str]] = {
    kind: _MERGE_NODES.replace("__LABEL__", kind.label) for kind in NodeKind
}

# $rows: [{src, dst, inc}] where inc holds firstSeen, lastSeen, lastRunId and the row's props. Endpoints are
# looked up by id under every node label (the planner answers each with a unique-index seek).
_MERGE_EDGES = """
UNWIND $rows AS row
MATCH (a:Dataset|Job|Field|Run|Source {id: row.src})
MATCH (b:Dataset|Job|Field|Run|Source {id: row.dst})
MERGE (a)-[e:__REL__]->(b)
WITH e, row.inc AS inc
""" + _EDGE_RULE
MERGE_EDGES: Final[dict[Rel, str]] = {rel: _MERGE_EDGES.replace("__REL__", rel.value) for rel in Rel}

# The same with the endpoints' labels known (from their ids): two unique-index seeks per row instead of ten
# (every label of the disjunction is probed for each endpoint). Keyed by (rel, source kind, target kind).
_ANY_SRC = "MATCH (a:Dataset|Job|Field|Run|Source {id: row.src})"
_ANY_DST = "MATCH (b:Dataset|Job|Field|Run|Source {id: row.dst})"
MERGE_EDGES_BETWEEN: Final[dict[tuple[Rel, NodeKind, NodeKind], str]] = {
    (rel, src, dst): MERGE_EDGES[rel].replace(_ANY_SRC, f"MATCH (a:{src.label} {{id: row.src}})")
    .replace(_ANY_DST, f"MATCH (b:{dst.label} {{id: row.dst}})")
    for rel in Rel for src in NodeKind for dst in NodeKind
}

# $rows: [{id, runId, job, state, rank, stateTime, startedAt, endedAt, firstSeen, lastSeen}].
# State moves forward only: a higher rank wins, or the later stateTime on an equal rank.
MERGE_RUNS: Final = """
UNWIND $rows AS row
MERGE (r:Run {id: row.id})
ON CREATE SET r.kind = 'run', r.namespace = '', r.name = row.runId
WITH r, row, r.firstSeen AS fs, r.lastSeen AS ls, r.startedAt AS sa,
     r.rank IS NULL OR row.rank > r.rank OR (row.rank = r.rank AND row.stateTime > r.stateTime) AS wins
SET r.state = CASE WHEN wins THEN row.state ELSE r.state END,
    r.rank = CASE WHEN wins THEN row.rank ELSE r.rank END,
    r.stateTime = CASE WHEN wins THEN row.stateTime ELSE r.stateTime END,
    r.endedAt = CASE WHEN wins THEN row.endedAt ELSE r.endedAt END,
    r.startedAt = CASE WHEN sa IS NULL OR row.startedAt < sa THEN row.startedAt ELSE sa END,
    r.firstSeen = CASE WHEN fs IS NULL OR row.firstSeen < fs THEN row.firstSeen ELSE fs END,
    r.lastSeen = CASE WHEN ls IS NULL OR row.lastSeen > ls THEN row.lastSeen ELSE ls END
WITH r, row
MATCH (j:Job {id: row.job})
MERGE (r)-[o:OF]->(j)
SET o.firstSeen = r.firstSeen, o.lastSeen = r.lastSeen
"""

# Re-homing a node (alias dataset -> canonical, old field -> new field): $pairs: [{old, new}] element ids.
# Each relationship of the old node is merged onto the new node with the edge rules, then deleted.
_MOVE_EDGES_OUT = """
UNWIND $pairs AS pair
MATCH (o) WHERE elementId(o) = pair.old
MATCH (n) WHERE elementId(n) = pair.new
MATCH (o)-[r:__REL__]->(m)
MERGE (n)-[e:__REL__]->(m)
WITH r, e, properties(r) AS inc
""" + _EDGE_RULE.replace("WITH e, inc,", "WITH r, e, inc,") + """DELETE r
"""
MOVE_EDGES_OUT: Final[dict[Rel, str]] = {rel: _MOVE_EDGES_OUT.replace("__REL__", rel.value) for rel in Rel}
MOVE_EDGES_IN: Final[dict[Rel, str]] = {
    rel: _MOVE_EDGES_OUT.replace("(o)-[r:__REL__]->(m)", "(o)<-[r:__REL__]-(m)")
    .replace("(n)-[e:__REL__]->(m)", "(n)<-[e:__REL__]-(m)")
    .replace("__REL__", rel.value)
    for rel in Rel
}

# $eids: element ids of nodes to remove with their relationships.
DELETE_NODES: Final = """
UNWIND $eids AS eid
MATCH (n) WHERE elementId(n) = eid
DETACH DELETE n
"""

_DELETE_EDGES: Final = """
UNWIND $rows AS row
MATCH (a:Dataset|Job|Field|Run|Source {id: row.src})-[r:__REL__]->(b:Dataset|Job|Field|Run|Source {id: row.dst})
DELETE r
"""
DELETE_EDGES: Final[dict[Rel, str]] = {rel: _DELETE_EDGES.replace("__REL__", rel.value) for rel in Rel}

DELETE_NODES_BY_ID: Final = """
UNWIND $ids AS id
MATCH (n:Dataset|Job|Field|Run|Source {id: id})
DETACH DELETE n
"""

_LIST_EDGES: Final = """
MATCH (a)-[r:__REL__]->(b)
RETURN a.id AS src, b.id AS dst, properties(r) AS props
ORDER BY src, dst
"""
LIST_EDGES: Final[dict[Rel, str]] = {rel: _LIST_EDGES.replace("__REL__", rel.value) for rel in Rel}

# Both run as auto-commit queries (CALL ... IN TRANSACTIONS).
CLEAR_EDGES: Final = """
MATCH ()-[r]->() WHERE NOT (type(r) = 'FLOWS_TO' AND r.origin = 'manual')
CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS
"""
CLEAR_NODES: Final = """
MATCH (n) WHERE NOT n:Source AND NOT EXISTS { (n)-[:FLOWS_TO {origin: 'manual'}]-() }
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
"""

# -- reads ----------------------------------------------------------------------------------------

# $ids -> the nodes that exist (any label).
NODES_BY_ID: Final = """
UNWIND $ids AS id
MATCH (n:Dataset|Job|Field|Run|Source {id: id})
RETURN elementId(n) AS eid, properties(n) AS props
"""

# $eids: dataset element ids -> their fields and the IN edge.
FIELDS_OF_ELEMENTS: Final = """
UNWIND $eids AS eid
MATCH (d) WHERE elementId(d) = eid
MATCH (f:Field)-[:IN]->(d)
RETURN eid AS dataset, elementId(f) AS eid, properties(f) AS props
"""

FIELDS_OF: Final = """
UNWIND $ids AS id
MATCH (:Dataset {id: id})<-[:IN]-(f:Field)
RETURN id AS dataset, properties(f) AS props
ORDER BY dataset, f.name, f.id
"""

# -- traversals -------------------------------------------------------------------------------------
#
# $ids (start node ids), $keep -> the nodes within a depth and the edges among them (Neo4jGraphStore.traverse:
# one statement unless more than $keep nodes are within the depth). The depth bound and the relationship types
# cannot be parameters, so each statement is keyed by (Direction, depth 0..MAX_TRAVERSE_DEPTH, non-empty set of
# Rel). That domain is closed but large -- 3 x 51 x 127 keys per kind of statement, 58,293 statements in all,
# 1.5 s and 37 MB to build -- so a statement is built on first use from its key (enum values and a range-checked
# int, never input) and kept.

MAX_TRAVERSE_DEPTH: Final = 50

# Every start node that exists, as s (one row each).
_ROOTS = """
UNWIND $ids AS id
MATCH (s:Dataset|Job|Field|Run|Source {id: id})
"""

# The nodes m within __DEPTH__ edges of s (s included) against / along the edges of the types __TYPES__. Under
# DISTINCT a variable-length pattern is planned as a pruning breadth-first search (VarLengthExpand(Pruning,BFS)):
# every node once, ~1 ms per thousand nodes. (An ANY SHORTEST quantified path pattern, which would give each
# node its depth, took 10 s for 17,000 nodes; the bound must be literal either way: a {1,} or *1.. pattern
# filtered by a depth parameter is not bounded during the search.)
_WALKS: Final[dict[Direction, str]] = {
    Direction.UPSTREAM: "MATCH (s)<-[:__TYPES__*0..__DEPTH__]-(m)",
    Direction.DOWNSTREAM: "MATCH (s)-[:__TYPES__*0..__DEPTH__]->(m)",
    Direction.BOTH: "CALL (s) { MATCH (s)<-[:__TYPES__*0..__DEPTH__]-(m) RETURN m\n"
                    "  UNION MATCH (s)-[:__TYPES__*0..__DEPTH__]->(m) RETURN m }",
}


# The answer for the kept nodes ns (and a boolean truncated): the nodes' property maps and each edge of the
# types __TYPES__ with both ends in ns as [src, dst, type, properties]. Edges are expanded from the end the walk
# arrived by (an upstream walk does not expand a dataset's many readers), the other end checked against ns.
# (Listing the properties instead of properties() maps is slower with neo4j-rust-ext: the driver decodes maps
# fast, and listing every property exactly costs more on the server than the maps do.)
_ANSWER = """
CALL (ns) {
  UNWIND ns AS __FROM__
  MATCH (a)-[r:__TYPES__]->(b) WHERE __OTHER__ IN ns
  RETURN collect([a.id, b.id, type(r), properties(r)]) AS edges
}
RETURN truncated, [n IN ns | properties(n)] AS nodes, edges
"""

# $ids, $keep -> the answer, if at most $keep nodes are within the depth; else truncated and no nodes.
_REACH = _ROOTS + """__WALK__
WITH DISTINCT m LIMIT $keep + 1
WITH collect(m) AS found
WITH size(found) > $keep AS truncated, CASE WHEN size(found) > $keep THEN [] ELSE found END AS ns
""" + _ANSWER

# $ids, $keep -> how many nodes are within the depth, counting to $keep + 1 at most.
_REACH_COUNT = _ROOTS + """__WALK__
WITH DISTINCT m LIMIT $keep + 1
RETURN count(m) AS reached
"""

# $ids, $keep -> the answer for the $keep nearest nodes (by depth, then id): every node within __DEPTH__ - 1
# edges (the caller found that they are at most $keep), then those first reached at __DEPTH__ edges, by id.
_NEAREST = _ROOTS + """WITH collect(s) AS roots
CALL (roots) {
  UNWIND roots AS s
  __INNER_WALK__
  RETURN collect(DISTINCT m) AS inner
}
CALL (roots, inner) {
  UNWIND roots AS s
  __WALK__
  WITH DISTINCT m WHERE NOT m IN inner
  ORDER BY m.id
  RETURN collect(m) AS outer
}
WITH true AS truncated, (inner + outer)[..$keep] AS ns
""" + _ANSWER


def _traversal(template: str, direction: Direction, depth: int, rels: frozenset[Rel]) -> str:
    if not (isinstance(direction, Direction) and type(depth) is int and 0 <= depth <= MAX_TRAVERSE_DEPTH
            and isinstance(rels, frozenset) and rels and all(isinstance(rel, Rel) for rel in rels)):
        raise ValueError(f"no traversal statement for {direction!r}, depth {depth!r}, {rels!r}")
    walk = _WALKS[direction]
    inner = walk.replace("__DEPTH__", str(depth - 1)) if depth else "UNWIND [] AS m"  # depth 0: no inner nodes
    ends = ("a", "b") if direction is Direction.DOWNSTREAM else ("b", "a")
    return (template.replace("__INNER_WALK__", inner).replace("__WALK__", walk)
            .replace("__FROM__", ends[0]).replace("__OTHER__", ends[1])
            .replace("__DEPTH__", str(depth)).replace("__TYPES__", "|".join(sorted(rel.value for rel in rels))))


@functools.cache
def traverse_reach(direction: Direction, depth: int, rels: frozenset[Rel]) -> str:
    """The statement of :data:`_REACH` for one (direction, depth, relationship types)."""
    return _traversal(_REACH, direction, depth, rels)


@functools.cache
def traverse_count(direction: Direction, depth: int, rels: frozenset[Rel]) -> str:
    """The statement of :data:`_REACH_COUNT` for one (direction, depth, relationship types)."""
    return _traversal(_REACH_COUNT, direction, depth, rels)


@functools.cache
def traverse_nearest(direction: Direction, depth: int, rels: frozenset[Rel]) -> str:
    """The statement of :data:`_NEAREST` for one (direction, boundary depth, relationship types)."""
    return _traversal(_NEAREST, direction, depth, rels)


# All shortest directed paths; the hop cap must be a literal, so it is fixed here and $maxDepth filters.
SHORTEST_PATH_CAP: Final = 50
SHORTEST_PATHS: Final = """
MATCH (a:Dataset|Job|Field|Run|Source {id: $src})
MATCH (b:Dataset|Job|Field|Run|Source {id: $dst})
MATCH p = allShortestPaths((a)-[:INPUT_TO|OUTPUTS|FLOWS_TO|DERIVES|CHILD_OF|OF|IN*..50]->(b))
WHERE all(r IN relationships(p) WHERE type(r) IN $rels)
WITH p WHERE length(p) <= $maxDepth
WITH [n IN nodes(p) | n.id] AS ids,
     [r IN relationships(p) | {src: startNode(r).id, dst: endNode(r).id, rel: type(r), props: properties(r)}]
       AS edges
RETURN ids, edges
ORDER BY ids
LIMIT $limit
"""

# $q is lower-cased by the caller; $kinds holds NodeKind values.
SEARCH: Final = """
CALL () {
  MATCH (n:Dataset) WHERE 'dataset' IN $kinds
    AND (toLower(n.name) CONTAINS $q OR toLower(n.namespace) CONTAINS $q) RETURN n
  UNION ALL MATCH (n:Job) WHERE 'job' IN $kinds
    AND (toLower(n.name) CONTAINS $q OR toLower(n.namespace) CONTAINS $q) RETURN n
  UNION ALL MATCH (n:Field) WHERE 'datasetField' IN $kinds
    AND (toLower(n.name) CONTAINS $q OR toLower(n.namespace) CONTAINS $q) RETURN n
  UNION ALL MATCH (n:Run) WHERE 'run' IN $kinds
    AND (toLower(n.name) CONTAINS $q OR toLower(n.namespace) CONTAINS $q) RETURN n
  UNION ALL MATCH (n:Source) WHERE 'source' IN $kinds
    AND (toLower(n.name) CONTAINS $q OR toLower(n.namespace) CONTAINS $q) RETURN n
}
WITH n, toLower(n.name) AS lname
RETURN properties(n) AS props
ORDER BY CASE WHEN lname = $q THEN 0 WHEN lname STARTS WITH $q THEN 1 ELSE 2 END, size(n.name), n.id
LIMIT $limit
"""

ALL_NODES: Final = "MATCH (n) RETURN properties(n) AS props ORDER BY n.id"
ALL_EDGES: Final = """
MATCH (a)-[r]->(b)
RETURN a.id AS src, b.id AS dst, type(r) AS rel, properties(r) AS props
ORDER BY src, dst, rel
"""

COUNTS: Final = """
CALL () { MATCH (n:Dataset) RETURN count(n) AS dataset }
CALL () { MATCH (n:Job) RETURN count(n) AS job }
CALL () { MATCH (n:Field) RETURN count(n) AS datasetField }
CALL () { MATCH (n:Run) RETURN count(n) AS run }
CALL () { MATCH (n:Source) RETURN count(n) AS source }
CALL () { MATCH ()-[r]->() RETURN count(r) AS edges }
RETURN dataset, job, datasetField, run, source, edges
"""
