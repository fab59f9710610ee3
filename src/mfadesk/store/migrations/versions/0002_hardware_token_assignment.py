"""hardware token assignment: who assigned a token, and when

Revision ID: 0002_hardware_token_assignment
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_hardware_token_assignment"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hardware_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("assigned_by", sa.String(length=320), nullable=True))
    # Tokens assigned before this revision: the last status change is the best date we have.
    op.execute(
        "UPDATE hardware_tokens SET assigned_at = status_changed_at, "
        "assigned_by = status_changed_by WHERE user_id IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("hardware_tokens", schema=None) as batch_op:
        batch_op.drop_column("assigned_by")
        batch_op.drop_column("assigned_at")
