"""event log: the JSON paths of the standard facets ingest dropped (they broke their schema), so projection can
rebuild the parsed event without validating it again

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL for events stored before this column: projection validates those again, as it always did.
    op.add_column("lineage_events", sa.Column("dropped_facets", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("lineage_events", "dropped_facets")
