"""alerts: channels, rules, firings, incidents, the notification queue, SLA evaluations

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "alert_channels",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("owners", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("rate_limit_per_minute", sa.Integer(), server_default="30", nullable=False),
        _ts("created_at", False),
        _ts("updated_at", False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "alert_rules",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("severity", sa.String(length=16), server_default="error", nullable=False),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("channel_ids", sa.JSON(), nullable=False),
        _ts("created_at", False),
        _ts("updated_at", False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "alert_firings",
        sa.Column("key", sa.String(length=512), nullable=False),
        sa.Column("rule_id", sa.String(length=36), nullable=False),
        sa.Column("node_id", sa.Text(), nullable=False),
        sa.Column("incident_id", BigId, nullable=True),
        _ts("fired_at", False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "incidents",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("rule_id", sa.String(length=36), nullable=True),
        sa.Column("rule_type", sa.String(length=32), nullable=False),
        sa.Column("root_node_id", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("impact", sa.JSON(), nullable=False),
        sa.Column("owners", sa.JSON(), nullable=False),
        sa.Column("open_key", sa.String(length=512), nullable=True),
        sa.Column("occurrences", sa.Integer(), server_default="1", nullable=False),
        _ts("opened_at", False),
        _ts("updated_at", False),
        _ts("acknowledged_at"),
        sa.Column("acknowledged_by", sa.Text(), nullable=True),
        _ts("resolved_at"),
        sa.Column("resolved_by", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("open_key"),
    )
    op.create_index("ix_incidents_state", "incidents", ["state", "opened_at"])
    op.create_index("ix_incidents_root", "incidents", ["root_node_id"])
    op.create_table(
        "incident_events",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("incident_id", BigId, nullable=False),
        _ts("at", False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("node_id", sa.Text(), nullable=True),
        sa.Column("rule_id", sa.String(length=36), nullable=True),
        sa.Column("message", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_incident_events_incident", "incident_events", ["incident_id", "id"])
    op.create_table(
        "alert_notifications",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("incident_id", BigId, nullable=True),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("channel_id", sa.String(length=36), nullable=False),
        sa.Column("dedup_key", sa.String(length=128), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("message", sa.JSON(), nullable=False),
        _ts("created_at", False),
        _ts("next_attempt_at", False),
        _ts("last_attempt_at"),
        _ts("delivered_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedup_key"),
    )
    op.create_index("ix_alert_notifications_due", "alert_notifications", ["status", "next_attempt_at"])
    op.create_index("ix_alert_notifications_channel", "alert_notifications", ["channel_id", "last_attempt_at"])
    op.create_table(
        "sla_evaluations",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("rule_id", sa.String(length=36), nullable=False),
        sa.Column("node_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        _ts("due_at", False),
        sa.Column("met", sa.Boolean(), nullable=False),
        _ts("observed_at", False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("rule_id", "node_id", "due_at", name="uq_sla_evaluations_due"),
    )
    op.create_index("ix_sla_evaluations_node", "sla_evaluations", ["node_id", "due_at"])
    op.create_table(
        "alert_cursor",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("position", BigId, nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    for index, table in (("ix_sla_evaluations_node", "sla_evaluations"),
                         ("ix_alert_notifications_channel", "alert_notifications"),
                         ("ix_alert_notifications_due", "alert_notifications"),
                         ("ix_incident_events_incident", "incident_events"),
                         ("ix_incidents_root", "incidents"), ("ix_incidents_state", "incidents")):
        op.drop_index(index, table_name=table)
    for table in ("alert_cursor", "sla_evaluations", "alert_notifications", "incident_events", "incidents",
                  "alert_firings", "alert_rules", "alert_channels"):
        op.drop_table(table)
