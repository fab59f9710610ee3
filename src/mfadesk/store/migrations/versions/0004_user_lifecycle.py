"""users: creation time and who marked a user deleted, when

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("mark_deleted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("mark_deleted_by", sa.String(length=320), nullable=True))
    # Users that existed before get the upgrade time as their creation date.
    users = sa.table("users", sa.column("created_at", sa.DateTime(timezone=True)))
    op.execute(
        users.update().where(users.c.created_at.is_(None)).values(created_at=datetime.now(UTC))
    )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("mark_deleted_by")
        batch_op.drop_column("mark_deleted_at")
        batch_op.drop_column("created_at")
