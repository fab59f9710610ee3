"""authentication: agent keys, attempts, the user event log, per-credential verification state

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_CREDENTIAL_TABLES = ("hardware_tokens", "ds100_credentials")


def _lockout_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("failed_attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
    ]


def upgrade() -> None:
    for table in _CREDENTIAL_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("clock_offset", sa.Integer(), server_default="0", nullable=False)
            )
            batch_op.add_column(sa.Column("last_interval", sa.BigInteger(), nullable=True))
            for column in _lockout_columns():
                batch_op.add_column(column)
    with op.batch_alter_table("emergency_tokencodes", schema=None) as batch_op:
        for column in _lockout_columns():
            batch_op.add_column(column)

    op.create_table(
        "authn_keys",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("company_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_authn_keys_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authn_keys")),
        sa.UniqueConstraint("company_id", "name", name="uq_authn_keys_company_name"),
        sa.UniqueConstraint("key_hash", name=op.f("uq_authn_keys_key_hash")),
    )
    op.create_table(
        "authn_attempts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("company_id", sa.String(length=36), nullable=False),
        sa.Column("authn_key_id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=True),
        sa.Column("subject_name", sa.String(length=320), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("last_message_id", sa.String(length=128), nullable=False),
        sa.Column("timeout_seconds", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("keep", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("successful_methods", sa.String(length=255), nullable=False),
        sa.Column("pending_kind", sa.String(length=16), nullable=True),
        sa.Column("pending_serial", sa.String(length=36), nullable=True),
        sa.Column("pending_interval", sa.BigInteger(), nullable=True),
        sa.Column("assurance_policy_id", sa.String(length=255), nullable=True),
        sa.Column("session_attributes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["authn_key_id"],
            ["authn_keys.id"],
            name=op.f("fk_authn_attempts_authn_key_id_authn_keys"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_authn_attempts_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authn_attempts")),
    )
    with op.batch_alter_table("authn_attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_authn_attempts_expires_at"), ["expires_at"], unique=False
        )

    op.create_table(
        "user_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("company_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=True),
        sa.Column("subject_name", sa.String(length=320), nullable=False),
        sa.Column("method", sa.String(length=64), nullable=True),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("credential_serial", sa.String(length=36), nullable=True),
        sa.Column("client_id", sa.String(length=255), nullable=True),
        sa.Column("authn_key_name", sa.String(length=128), nullable=False),
        sa.Column("source_ip", sa.String(length=64), nullable=True),
        sa.Column("attempt_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_user_events_event_id")),
        sa.UniqueConstraint("seq", name=op.f("uq_user_events_seq")),
    )
    with op.batch_alter_table("user_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_user_events_company_time", ["company_id", "occurred_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("user_events", schema=None) as batch_op:
        batch_op.drop_index("ix_user_events_company_time")
    op.drop_table("user_events")
    with op.batch_alter_table("authn_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_authn_attempts_expires_at"))
    op.drop_table("authn_attempts")
    op.drop_table("authn_keys")
    with op.batch_alter_table("emergency_tokencodes", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_attempts")
    for table in _CREDENTIAL_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in ("locked_until", "failed_attempts", "last_interval", "clock_offset"):
                batch_op.drop_column(name)
