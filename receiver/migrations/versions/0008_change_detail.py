"""live monitoring: a ``detail`` column on the change feed (an alert change's incident state at its time)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL for every row written before: only alert changes (new with this revision) carry a detail.
    op.add_column("monitoring_changes", sa.Column("detail", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("monitoring_changes") as batch:
        batch.drop_column("detail")
