"""audit_events keeps only the indexes its reads use

Nothing looks an audit event up by its id or by time alone: exports read a company's window
through ``ix_audit_events_company_occurred`` and verification reads in ``seq`` order. The unique
index on the random ``event_id`` cost every audited request a write to a random B-tree page, the
time index one more page. Event ids stay UUID4s from the OS's random source.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_occurred_at"))
        batch_op.drop_constraint(batch_op.f("uq_audit_events_event_id"), type_="unique")


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f("uq_audit_events_event_id"), ["event_id"])
        batch_op.create_index(
            batch_op.f("ix_audit_events_occurred_at"), ["occurred_at"], unique=False
        )
