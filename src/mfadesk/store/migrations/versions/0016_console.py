"""Console: administrators' passwords (Argon2id hashes) and server-side console sessions

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "admin_passwords",
        sa.Column("admin_id", sa.String(length=36), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["admin_id"], ["admins.id"], name=op.f("fk_admin_passwords_admin_id_admins")
        ),
        sa.PrimaryKeyConstraint("admin_id", name=op.f("pk_admin_passwords")),
    )
    op.create_table(
        "console_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("admin_id", sa.String(length=36), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("attempt_id", sa.String(length=36), nullable=True),
        sa.Column("message_id", sa.String(length=128), nullable=True),
        sa.Column("challenge", sa.String(length=32), nullable=True),
        sa.Column("source_ip", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["admin_id"], ["admins.id"], name=op.f("fk_console_sessions_admin_id_admins")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_console_sessions")),
    )
    op.create_index(
        op.f("ix_console_sessions_admin_id"), "console_sessions", ["admin_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_console_sessions_admin_id"), table_name="console_sessions")
    op.drop_table("console_sessions")
    op.drop_table("admin_passwords")
