"""export snapshots and the company/time index of the audit trail

Revision ID: 0003
Revises: 0002_hardware_token_assignment
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002_hardware_token_assignment"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "export_snapshots",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("high_seq", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_export_snapshots")),
    )
    op.create_index(
        op.f("ix_export_snapshots_taken_at"), "export_snapshots", ["taken_at"], unique=False
    )
    op.create_index(
        "ix_audit_events_company_occurred",
        "audit_events",
        ["company_id", "occurred_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_audit_events_company_occurred", table_name="audit_events")
    op.drop_index(op.f("ix_export_snapshots_taken_at"), table_name="export_snapshots")
    op.drop_table("export_snapshots")
