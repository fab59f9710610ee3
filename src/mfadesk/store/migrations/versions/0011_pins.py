"""SecurID PINs: per-credential PIN digests, the company PIN policy, New PIN mode steps

SID700 tokens and DS100 OTP credentials lose ``pin_set`` (nothing ever set a PIN before) and
gain ``pin_salt`` / ``pin_digest``: whether a PIN is set is whether a digest is stored, so the two
cannot disagree. Every existing credential has no PIN afterwards and enters New PIN mode at its
next login (docs/upgrading.md). Companies gain the PIN policy (required, 4 to 8 digits); open
authentication attempts gain the step they wait in (a next tokencode, until now the only one).

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_CREDENTIAL_TABLES = ("hardware_tokens", "ds100_credentials")


def upgrade() -> None:
    for table in _CREDENTIAL_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("pin_set")
            batch_op.add_column(sa.Column("pin_salt", sa.LargeBinary(), nullable=True))
            batch_op.add_column(sa.Column("pin_digest", sa.LargeBinary(), nullable=True))
    # Plain-text defaults: SQLite then adds the columns in place (an expression would have
    # batch mode copy the table, which other tables' foreign keys forbid).
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("pin_required", sa.Boolean(), server_default="1", nullable=False)
        )
        batch_op.add_column(
            sa.Column("pin_min_length", sa.Integer(), server_default="4", nullable=False)
        )
        batch_op.add_column(
            sa.Column("pin_max_length", sa.Integer(), server_default="8", nullable=False)
        )
        batch_op.add_column(
            sa.Column("pin_alphanumeric", sa.Boolean(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("authn_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pending_step", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("pending_refusals", sa.Integer(), server_default="0", nullable=False)
        )
    op.execute(
        "UPDATE authn_attempts SET pending_step = 'NEXT_TOKENCODE' WHERE pending_kind IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("authn_attempts", schema=None) as batch_op:
        batch_op.drop_column("pending_refusals")
        batch_op.drop_column("pending_step")
    with op.batch_alter_table("companies", schema=None) as batch_op:
        for column in ("pin_alphanumeric", "pin_max_length", "pin_min_length", "pin_required"):
            batch_op.drop_column(column)
    for table in _CREDENTIAL_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("pin_digest")
            batch_op.drop_column("pin_salt")
            batch_op.add_column(
                sa.Column("pin_set", sa.Boolean(), server_default="0", nullable=False)
            )
