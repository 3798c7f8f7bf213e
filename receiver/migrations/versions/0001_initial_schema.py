"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "dataset_aliases",
        sa.Column("namespace", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("canonical_namespace", sa.Text(), nullable=False),
        sa.Column("canonical_name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("namespace", "name"),
    )
    op.create_table(
        "dataset_versions",
        sa.Column("namespace", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("namespace", "name", "version"),
    )
    op.create_table(
        "datasets",
        sa.Column("namespace", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("current_version", sa.String(length=64), nullable=True),
        sa.Column("version_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("facets", sa.JSON(), nullable=False),
        sa.Column("facet_times", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("namespace", "name"),
    )
    op.create_table(
        "graph_edges",
        sa.Column("src", sa.Text(), nullable=False),
        sa.Column("dst", sa.Text(), nullable=False),
        sa.Column("rel", sa.String(length=16), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_run_id", sa.String(length=64), nullable=True),
        sa.Column("props", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("src", "dst", "rel"),
    )
    with op.batch_alter_table("graph_edges", schema=None) as batch_op:
        batch_op.create_index("ix_graph_edges_dst", ["dst", "rel"], unique=False)

    op.create_table(
        "graph_nodes",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("namespace", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("props", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("graph_nodes", schema=None) as batch_op:
        batch_op.create_index("ix_graph_nodes_kind_name", ["kind", "name"], unique=False)

    op.create_table(
        "jobs",
        sa.Column("namespace", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("latest_run_id", sa.String(length=64), nullable=True),
        sa.Column("latest_run_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("parent_namespace", sa.Text(), nullable=True),
        sa.Column("parent_name", sa.Text(), nullable=True),
        sa.Column("facets", sa.JSON(), nullable=False),
        sa.Column("facet_times", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("namespace", "name"),
    )
    op.create_table(
        "lineage_events",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("event_type", sa.String(length=16), nullable=True),
        sa.Column("event_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=True),
        sa.Column("job_namespace", sa.Text(), nullable=True),
        sa.Column("job_name", sa.Text(), nullable=True),
        sa.Column("producer", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("projected", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("content_hash"),
    )
    with op.batch_alter_table("lineage_events", schema=None) as batch_op:
        batch_op.create_index("ix_lineage_events_job", ["job_namespace", "job_name"], unique=False)
        batch_op.create_index("ix_lineage_events_pending", ["projected", "id"], unique=False)
        batch_op.create_index("ix_lineage_events_run", ["run_id"], unique=False)

    op.create_table(
        "run_datasets",
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("namespace", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("run_id", "namespace", "name", "direction"),
    )
    with op.batch_alter_table("run_datasets", schema=None) as batch_op:
        batch_op.create_index("ix_run_datasets_dataset", ["namespace", "name"], unique=False)

    op.create_table(
        "runs",
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("job_namespace", sa.Text(), nullable=False),
        sa.Column("job_name", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("state_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("parent_run_id", sa.String(length=64), nullable=True),
        sa.Column("nominal_start", sa.Text(), nullable=True),
        sa.Column("nominal_end", sa.Text(), nullable=True),
        sa.Column("facets", sa.JSON(), nullable=False),
        sa.Column("facet_times", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("run_id"),
    )
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.create_index("ix_runs_job", ["job_namespace", "job_name", "first_seen"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index("ix_runs_job")

    op.drop_table("runs")
    with op.batch_alter_table("run_datasets", schema=None) as batch_op:
        batch_op.drop_index("ix_run_datasets_dataset")

    op.drop_table("run_datasets")
    with op.batch_alter_table("lineage_events", schema=None) as batch_op:
        batch_op.drop_index("ix_lineage_events_run")
        batch_op.drop_index("ix_lineage_events_pending")
        batch_op.drop_index("ix_lineage_events_job")

    op.drop_table("lineage_events")
    op.drop_table("jobs")
    with op.batch_alter_table("graph_nodes", schema=None) as batch_op:
        batch_op.drop_index("ix_graph_nodes_kind_name")

    op.drop_table("graph_nodes")
    with op.batch_alter_table("graph_edges", schema=None) as batch_op:
        batch_op.drop_index("ix_graph_edges_dst")

    op.drop_table("graph_edges")
    op.drop_table("datasets")
    op.drop_table("dataset_versions")
    op.drop_table("dataset_aliases")
