"""Saved records: a query and its result (route plans, simulations, scenario runs, assignments).

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    """Create ``saved_records`` and its listing index."""
    op.create_table(
        "saved_records",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dataset", sa.String(200), nullable=False),
        sa.Column("dataset_version", sa.String(64), nullable=False),
        sa.Column("content_hash", sa.String(128), nullable=False),
        sa.Column("karavan", sa.String(32), nullable=False),
        sa.Column("query", JSON, nullable=False),
        sa.Column("result", JSON, nullable=False),
        sa.CheckConstraint("kind IN ('route', 'simulation', 'scenario', 'assignment')", name="ck_saved_records_kind"),
    )
    op.create_index("ix_saved_records_kind_created", "saved_records", ["kind", "created_at"])
    op.create_index("ix_saved_records_created", "saved_records", ["created_at"])


def downgrade() -> None:
    """Drop ``saved_records``."""
    op.drop_index("ix_saved_records_created", table_name="saved_records")
    op.drop_index("ix_saved_records_kind_created", table_name="saved_records")
    op.drop_table("saved_records")
