"""The three streams: which nodes each covers, and its first messages (a snapshot, or a replay after
``since``). ``Monitor`` is the per-app object (``services.get().monitor``) that owns the change feed, the
status reader, the hub and the listener."""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from lineagelens.receiver.dashboards import DashboardService, graph_id
from lineagelens.receiver.graph.base import GraphStore
from lineagelens.receiver.graph.model import Direction, NodeKind
from lineagelens.receiver.lineage import Resolver, flow_view
from lineagelens.receiver.monitoring.changes import ChangeFeed
from lineagelens.receiver.monitoring.client import Client
from lineagelens.receiver.monitoring.hub import Hub, Scope, View
from lineagelens.receiver.monitoring.listener import Listener
from lineagelens.receiver.monitoring.status import Message, StatusReader, filter_graph

log = logging.getLogger(__name__)

REPLAY_LIMIT = 5000  # a client further behind than this gets a fresh snapshot instead


def _keys(nodes: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {n.id: (n.namespace, n.name) for n in nodes.values() if n.kind in (NodeKind.JOB, NodeKind.DATASET)}


@dataclass
class Monitor:
    engine: sa.Engine
    graph: GraphStore
    resolver: Resolver
    dashboards: DashboardService
    feed: ChangeFeed
    reader: StatusReader
    hub: Hub
    listener: Listener
    max_depth: int
    max_nodes: int

    def __post_init__(self) -> None:
        self.hub.on_subscribe = self._subscribe

    # -- scopes ------------------------------------------------------------------------------------
    def lineage_scope(self, node_id: str, depth: int) -> Scope:
        """The view around ``node_id`` (both directions); NotFound for an unknown node."""
        start = self.resolver.resolve(node_id)
        depth = min(depth, self.max_depth)

        def refresh() -> tuple[frozenset[str], dict[str, tuple[str, str]]]:
            view = flow_view(self.graph, start, Direction.BOTH, depth, self.max_nodes)
            return frozenset(view.nodes), _keys(view.nodes)

        return Scope(view=self.hub.view(("lineage", start.id, str(depth)),
                                        lambda: View(("lineage", start.id, str(depth)), *refresh(), refresh, True)))

    def dashboard_scope(self, dashboard: str) -> Scope:
        """The nodes on a dashboard; NotFound for an unknown dashboard."""
        self.dashboards.get(dashboard)

        def refresh() -> tuple[frozenset[str], dict[str, tuple[str, str]]]:
            ids = frozenset(graph_id(n["ref"]) for n in self.dashboards.get(dashboard)["nodes"])
            found = self.graph.get_nodes(ids=sorted(ids))
            return ids, _keys(found)

        return Scope(view=self.hub.view(("dashboard", dashboard),
                                        lambda: View(("dashboard", dashboard), *refresh(), refresh, False)))

    @staticmethod
    def events_scope(filter_: dict[str, Any] | None = None) -> Scope:
        filter_ = filter_ or {}
        node_ids = [str(n) for n in filter_.get("nodeIds") or [] if isinstance(n, str)]
        namespaces = [str(n) for n in filter_.get("namespaces") or [] if isinstance(n, str)]
        return Scope(node_filter=frozenset(node_ids) or None, ns_filter=frozenset(namespaces) or None)

    # -- first messages ----------------------------------------------------------------------------
    def snapshot(self, scope: Scope, *, resync: bool = False) -> tuple[str, int]:
        """A ``snapshot`` message for ``scope`` and its seq (statuses read after that seq was committed)."""
        seq = self.feed.latest()
        nodes = scope.nodes()
        keys = scope.view.keys if scope.view is not None else {}
        if scope.view is None and scope.node_filter is not None:
            keys = _keys(self.graph.get_nodes(ids=sorted(scope.node_filter)))
        if scope.view is None and scope.ns_filter is not None:
            statuses = self.reader.snapshot(None, {})
            statuses = {k: v for k, v in statuses.items() if _namespace_of(k, scope.ns_filter)}
            if nodes is not None:
                statuses.update(self.reader.snapshot(nodes, keys))
        else:
            statuses = self.reader.snapshot(nodes, keys)
        return Message("snapshot", seq, {"nodes": statuses, "resync": resync}).wire(), seq

    def first_messages(self, scope: Scope, since: int | None) -> tuple[list[str], int]:
        """What a client gets first: the messages after ``since`` when the feed still has them all,
        otherwise a snapshot (``resync`` true when the client asked to resume)."""
        if since is not None:
            oldest = self.feed.oldest()
            latest = self.feed.latest()
            if since >= latest:
                return [], latest
            if oldest is not None and since >= oldest - 1 and latest - since <= REPLAY_LIMIT:
                changes = self.feed.since(since, limit=REPLAY_LIMIT)
                wired = [_wire(scope, m) for m in self.reader.messages(changes) if _covers(scope, m)]
                return [w for w in wired if w is not None], changes[-1].id if changes else since
        snapshot, seq = self.snapshot(scope, resync=since is not None)
        return [snapshot], seq

    def attach(self, sock: socket.socket, scope: Scope, since: int | None) -> Client:
        """Hand a detached, upgraded socket to the hub and send its first messages."""
        self.listener.start()
        try:
            client = self.hub.adopt(sock, scope)
        except Exception:
            self.hub.release(scope)
            sock.close()
            raise
        try:
            messages, after = self.first_messages(scope, since)
        except Exception:
            self.hub.close(client, 1011, "internal error")
            raise
        self.hub.begin(client, messages, after)
        return client

    def _subscribe(self, client: Client, obj: dict[str, Any]) -> None:
        """A ``subscribe`` message on /ws/events: the new filter, answered with a fresh snapshot."""
        scope = self.events_scope(obj)
        self.hub.rescope(client, scope)
        snapshot, seq = self.snapshot(scope)
        self.hub.begin(client, [snapshot], seq)

    def stop(self) -> None:
        self.listener.stop()
        self.hub.stop()


def _namespace_of(node_id: str, namespaces: frozenset[str]) -> bool:
    kind, _, rest = node_id.partition(":")
    return kind in {"job", "dataset"} and any(rest.startswith(ns + ":") for ns in namespaces)


def _covers(scope: Scope, message: Message) -> bool:
    return scope.covers(message) if message.type != "graph.changed" or scope.view is None else True


def _wire(scope: Scope, message: Message) -> str | None:
    if message.type == "graph.changed" and scope.view is not None:
        payload = filter_graph(message, scope.view.nodes)
        return message.wire(payload) if payload is not None else None
    return message.wire()

