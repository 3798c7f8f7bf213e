"""Table definitions of the state store (SQLAlchemy Core). Alembic (``migrations/``) owns the schema;
these definitions are what the code reads and writes, and a test checks they match the migrations."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

log = logging.getLogger(__name__)


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on every backend (SQLite stores naive text)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON()

metadata = sa.MetaData()


def _ts(name: str, **kw: Any) -> sa.Column[datetime]:
    return sa.Column(name, UtcDateTime(), **kw)


lineage_events = sa.Table(
    "lineage_events", metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("event_type", sa.String(16)),
    _ts("event_time", nullable=False),
    sa.Column("run_id", sa.String(64)),
    sa.Column("job_namespace", sa.Text()),
    sa.Column("job_name", sa.Text()),
    sa.Column("producer", sa.Text(), nullable=False),
    sa.Column("payload", sa.Text(), nullable=False),
    _ts("received_at", nullable=False),
    sa.Column("projected", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text()),
    # JSON paths of the standard facets ingest dropped (broken schema); NULL: stored before this was recorded.
    sa.Column("dropped_facets", sa.JSON()),
    sa.Index("ix_lineage_events_pending", "projected", "id"),
    sa.Index("ix_lineage_events_run", "run_id"),
    sa.Index("ix_lineage_events_job", "job_namespace", "job_name"),
)

runs = sa.Table(
    "runs", metadata,
    sa.Column("run_id", sa.String(64), primary_key=True),
    sa.Column("job_namespace", sa.Text(), nullable=False),
    sa.Column("job_name", sa.Text(), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    _ts("state_time", nullable=False),
    _ts("first_seen", nullable=False),
    _ts("last_seen", nullable=False),
    _ts("started_at"),
    _ts("ended_at"),
    sa.Column("parent_run_id", sa.String(64)),
    sa.Column("nominal_start", sa.Text()),
    sa.Column("nominal_end", sa.Text()),
    sa.Column("facets", Json, nullable=False),
    sa.Column("facet_times", Json, nullable=False),
    sa.Index("ix_runs_job", "job_namespace", "job_name", "first_seen"),
)

jobs = sa.Table(
    "jobs", metadata,
    sa.Column("namespace", sa.Text(), primary_key=True),
    sa.Column("name", sa.Text(), primary_key=True),
    _ts("first_seen", nullable=False),
    _ts("last_seen", nullable=False),
    sa.Column("latest_run_id", sa.String(64)),
    _ts("latest_run_time"),
    sa.Column("parent_namespace", sa.Text()),
    sa.Column("parent_name", sa.Text()),
    sa.Column("facets", Json, nullable=False),
    sa.Column("facet_times", Json, nullable=False),
)

datasets = sa.Table(
    "datasets", metadata,
    sa.Column("namespace", sa.Text(), primary_key=True),
    sa.Column("name", sa.Text(), primary_key=True),
    _ts("first_seen", nullable=False),
    _ts("last_seen", nullable=False),
    sa.Column("current_version", sa.String(64)),
    _ts("version_time"),
    sa.Column("facets", Json, nullable=False),
    sa.Column("facet_times", Json, nullable=False),
)

dataset_versions = sa.Table(
    "dataset_versions", metadata,
    sa.Column("namespace", sa.Text(), primary_key=True),
    sa.Column("name", sa.Text(), primary_key=True),
    sa.Column("version", sa.String(64), primary_key=True),
    sa.Column("fields", Json, nullable=False),
    _ts("created_at", nullable=False),
    sa.Column("run_id", sa.String(64)),
)

run_datasets = sa.Table(
    "run_datasets", metadata,
    sa.Column("run_id", sa.String(64), primary_key=True),
    sa.Column("namespace", sa.Text(), primary_key=True),
    sa.Column("name", sa.Text(), primary_key=True),
    sa.Column("direction", sa.String(8), primary_key=True),
    sa.Column("version", sa.String(64)),
    sa.Index("ix_run_datasets_dataset", "namespace", "name"),
)

dataset_aliases = sa.Table(
    "dataset_aliases", metadata,
    sa.Column("namespace", sa.Text(), primary_key=True),
    sa.Column("name", sa.Text(), primary_key=True),
    sa.Column("canonical_namespace", sa.Text(), nullable=False),
    sa.Column("canonical_name", sa.Text(), nullable=False),
)

# Identity console merge rules (lineagelens.receiver.identity): the alias dataset is read as the canonical one by
# projection while the rule is active (pending, applying, applied); undoing and undone rules are history.
identity_merges = sa.Table(
    "identity_merges", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("alias_namespace", sa.Text(), nullable=False),
    sa.Column("alias_name", sa.Text(), nullable=False),
    sa.Column("canonical_namespace", sa.Text(), nullable=False),
    sa.Column("canonical_name", sa.Text(), nullable=False),
    sa.Column("created_by", sa.Text(), nullable=False),
    _ts("created_at", nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("progress", sa.Float(), nullable=False, server_default="0"),
    sa.Column("error", sa.Text()),
    _ts("updated_at", nullable=False),
    sa.Index("ix_identity_merges_state", "state"),
)

# The SQL graph store's tables (used when LINEAGELENS_GRAPH_URL is empty).
graph_nodes = sa.Table(
    "graph_nodes", metadata,
    sa.Column("id", sa.Text(), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("namespace", sa.Text(), nullable=False),
    sa.Column("name", sa.Text(), nullable=False),
    _ts("first_seen", nullable=False),
    _ts("last_seen", nullable=False),
    sa.Column("props", Json, nullable=False),
    sa.Index("ix_graph_nodes_kind_name", "kind", "name"),
)

graph_edges = sa.Table(
    "graph_edges", metadata,
    sa.Column("src", sa.Text(), primary_key=True),
    sa.Column("dst", sa.Text(), primary_key=True),
    sa.Column("rel", sa.String(16), primary_key=True),
    _ts("first_seen", nullable=False),
    _ts("last_seen", nullable=False),
    sa.Column("last_run_id", sa.String(64)),
    sa.Column("props", Json, nullable=False),
    sa.Index("ix_graph_edges_dst", "dst", "rel"),
)

# Sources: user-managed nodes for data systems, with their connection-test history.
sources = sa.Table(
    "sources", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("description", sa.Text(), nullable=False, server_default=""),
    sa.Column("config", Json, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default="unknown"),
    sa.Column("status_message", sa.Text()),
    _ts("checked_at"),
    sa.Column("latency_ms", sa.Float()),
    _ts("created_at", nullable=False),
    _ts("updated_at", nullable=False),
    sa.Column("check_interval_seconds", sa.Integer()),  # NULL: LINEAGELENS_HEALTH_CHECK_INTERVAL
    sa.UniqueConstraint("kind", "name", name="uq_sources_kind_name"),
)

source_checks = sa.Table(
    "source_checks", metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("source_id", sa.String(36), sa.ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    sa.Column("ok", sa.Boolean(), nullable=False),
    sa.Column("message", sa.Text(), nullable=False),
    sa.Column("latency_ms", sa.Float()),
    sa.Column("details", Json, nullable=False),
    _ts("checked_at", nullable=False),
    sa.Index("ix_source_checks_source", "source_id", "checked_at"),
)

# Live monitoring: what projection and health checks changed, in commit order; ``id`` is the ``seq`` of the
# streams. Ids only (kind, node id, run or check id, an edge's target): subscribers read the rest.
monitoring_changes = sa.Table(
    "monitoring_changes", metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16), nullable=False),  # run | dataset | node | edge | source | alert
    sa.Column("subject", sa.Text(), nullable=False),  # a node id (an edge's source, an incident's root)
    sa.Column("namespace", sa.Text()),  # the subject's namespace (for namespace-scoped credentials)
    sa.Column("ref", sa.Text()),  # run id, check id, incident id, or an edge's relationship type
    sa.Column("target", sa.Text()),  # an edge's target node id, or an alert's message type
    sa.Column("detail", sa.Text()),  # an alert's incident state when the message was recorded
    _ts("created_at", nullable=False),
    sa.Index("ix_monitoring_changes_created", "created_at"),
)

# Dashboards: a React Flow document (nodes, edges, viewport) with optimistic concurrency by version.
dashboards = sa.Table(
    "dashboards", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("description", sa.Text(), nullable=False, server_default=""),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("document", Json, nullable=False),
    sa.Column("import_key", sa.String(64), unique=True),
    _ts("created_at", nullable=False),
    _ts("updated_at", nullable=False),
)

# Manual lineage drawn on dashboards; the graph's FLOWS_TO {origin: 'manual'} edges mirror this table.
manual_edges = sa.Table(
    "manual_edges", metadata,
    sa.Column("dashboard_id", sa.String(36), sa.ForeignKey("dashboards.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("edge_id", sa.String(128), primary_key=True),
    sa.Column("src", sa.Text(), nullable=False),
    sa.Column("dst", sa.Text(), nullable=False),
    sa.Column("author", sa.Text(), nullable=False, server_default=""),
    sa.Column("note", sa.Text()),
    _ts("created_at", nullable=False),
    sa.Index("ix_manual_edges_ends", "src", "dst"),
)

# Users, sessions, API keys and the audit log (see lineagelens.receiver.auth).
users = sa.Table(
    "users", metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.Text()),  # NULL: cannot sign in with a password (e.g. single sign-on)
    _ts("created_at", nullable=False),
    _ts("updated_at", nullable=False),
)

# One row per sign-in; the refresh token is stored as a SHA-256 hash and rotated on every refresh.
sessions = sa.Table(
    "sessions", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("refresh_hash", sa.String(64), nullable=False, unique=True),
    _ts("created_at", nullable=False),
    _ts("refreshed_at", nullable=False),
    _ts("expires_at", nullable=False),
    _ts("revoked_at"),
    sa.Index("ix_sessions_user", "user_id"),
)

api_keys = sa.Table(
    "api_keys", metadata,
    sa.Column("id", sa.String(16), primary_key=True),  # the public prefix of the key: ll_<id><secret>
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("scope", sa.String(16), nullable=False),
    sa.Column("namespaces", Json, nullable=False),
    sa.Column("key_hash", sa.String(64), nullable=False),
    _ts("created_at", nullable=False),
    sa.Column("created_by", sa.Text(), nullable=False),
    _ts("last_used_at"),
    _ts("revoked_at"),
)

audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    _ts("at", nullable=False),
    sa.Column("actor", sa.Text(), nullable=False),
    sa.Column("via", sa.String(32), nullable=False),
    sa.Column("action", sa.String(128), nullable=False),
    sa.Column("method", sa.String(16), nullable=False, server_default=""),
    sa.Column("path", sa.Text(), nullable=False, server_default=""),
    sa.Column("target", sa.Text()),
    sa.Column("status", sa.Integer()),
    sa.Index("ix_audit_log_at", "at"),
    sa.Index("ix_audit_log_actor", "actor"),
)

# Alerts (see lineagelens.receiver.alerts): channels, rules, incidents, the delivery queue, SLA evaluations.
alert_channels = sa.Table(
    "alert_channels", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.Text(), nullable=False, unique=True),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("config", Json, nullable=False),  # secret fields sealed (sources/secrets.py)
    sa.Column("owners", Json, nullable=False),  # ownership-facet owner names whose incidents come here too
    sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
    sa.Column("rate_limit_per_minute", sa.Integer(), nullable=False, server_default="30"),
    _ts("created_at", nullable=False),
    _ts("updated_at", nullable=False),
)

alert_rules = sa.Table(
    "alert_rules", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
    sa.Column("severity", sa.String(16), nullable=False, server_default="error"),
    sa.Column("scope", Json, nullable=False),
    sa.Column("params", Json, nullable=False),
    sa.Column("channel_ids", Json, nullable=False),
    _ts("created_at", nullable=False),
    _ts("updated_at", nullable=False),
)

# One row per condition that fired (its key names the run / version / deadline ...): the unique key is what
# makes a condition fire once, whichever receiver saw it first.
alert_firings = sa.Table(
    "alert_firings", metadata,
    sa.Column("key", sa.String(512), primary_key=True),
    sa.Column("rule_id", sa.String(36), nullable=False),
    sa.Column("node_id", sa.Text(), nullable=False),
    sa.Column("incident_id", BigId),
    _ts("fired_at", nullable=False),
)

incidents = sa.Table(
    "incidents", metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("rule_id", sa.String(36)),
    sa.Column("rule_type", sa.String(32), nullable=False),
    sa.Column("root_node_id", sa.Text(), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("severity", sa.String(16), nullable=False),
    sa.Column("title", sa.Text(), nullable=False),
    sa.Column("details", Json, nullable=False),
    sa.Column("impact", Json, nullable=False),
    sa.Column("owners", Json, nullable=False),
    sa.Column("open_key", sa.String(512), unique=True),  # rule|root while not resolved, NULL after
    sa.Column("occurrences", sa.Integer(), nullable=False, server_default="1"),
    _ts("opened_at", nullable=False),
    _ts("updated_at", nullable=False),
    _ts("acknowledged_at"),
    sa.Column("acknowledged_by", sa.Text()),
    _ts("resolved_at"),
    sa.Column("resolved_by", sa.Text()),
    sa.Index("ix_incidents_state", "state", "opened_at"),
    sa.Index("ix_incidents_root", "root_node_id"),
)

incident_events = sa.Table(
    "incident_events", metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("incident_id", BigId, sa.ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False),
    _ts("at", nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # opened, repeated, attached, acknowledged, resolved
    sa.Column("node_id", sa.Text()),
    sa.Column("rule_id", sa.String(36)),
    sa.Column("message", sa.Text(), nullable=False, server_default=""),
    sa.Index("ix_incident_events_incident", "incident_id", "id"),
)

# The delivery queue and log: one row per (incident, event, channel), worked by a background thread.
alert_notifications = sa.Table(
    "alert_notifications", metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("incident_id", BigId),
    sa.Column("event", sa.String(16), nullable=False),  # opened, resolved, test
    sa.Column("channel_id", sa.String(36), nullable=False),
    sa.Column("dedup_key", sa.String(128), unique=True),
    sa.Column("status", sa.String(16), nullable=False),  # pending, delivered, failed
    sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text()),
    sa.Column("response_status", sa.Integer()),
    sa.Column("message", Json, nullable=False),
    _ts("created_at", nullable=False),
    _ts("next_attempt_at", nullable=False),
    _ts("last_attempt_at"),
    _ts("delivered_at"),
    sa.Index("ix_alert_notifications_due", "status", "next_attempt_at"),
    sa.Index("ix_alert_notifications_channel", "channel_id", "last_attempt_at"),
)

sla_evaluations = sa.Table(
    "sla_evaluations", metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("rule_id", sa.String(36), nullable=False),
    sa.Column("node_id", sa.Text(), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # deadline, freshness
    _ts("due_at", nullable=False),
    sa.Column("met", sa.Boolean(), nullable=False),
    _ts("observed_at", nullable=False),
    sa.UniqueConstraint("rule_id", "node_id", "due_at", name="uq_sla_evaluations_due"),
    sa.Index("ix_sla_evaluations_node", "node_id", "due_at"),
)

# Where the rule evaluator is in the event log (the id of the last event it evaluated).
alert_cursor = sa.Table(
    "alert_cursor", metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("position", BigId, nullable=False),
)
