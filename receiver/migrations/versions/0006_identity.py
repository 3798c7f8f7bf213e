"""identity console: merge rules (an alias dataset folded into a canonical one), applied in the background

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "identity_merges",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("alias_namespace", sa.Text(), nullable=False),
        sa.Column("alias_name", sa.Text(), nullable=False),
        sa.Column("canonical_namespace", sa.Text(), nullable=False),
        sa.Column("canonical_name", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        _ts("created_at", False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Float(), server_default="0", nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        _ts("updated_at", False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_identity_merges_state", "identity_merges", ["state"])


def downgrade() -> None:
    op.drop_index("ix_identity_merges_state", table_name="identity_merges")
    op.drop_table("identity_merges")
