"""master_key: the fingerprint of the master key the database's secrets are encrypted under

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26

The table starts empty: a database upgraded from 0009 gets the fingerprint of the key in use
at the first `mfadesk migrate` or `mfadesk serve` after the upgrade (migrations never read the
key file).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "master_key",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_master_key")),
    )


def downgrade() -> None:
    op.drop_table("master_key")
