"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("company_id", sa.String(length=36), nullable=True),
        sa.Column("admin_email", sa.String(length=320), nullable=True),
        sa.Column("admin_role", sa.String(length=32), nullable=True),
        sa.Column("access_id", sa.String(length=36), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target_type", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column("target_name", sa.String(length=320), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("changed", sa.Boolean(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("source_ip", sa.String(length=64), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_audit_events_event_id")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_events_occurred_at"), ["occurred_at"], unique=False
        )

    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    # The chain starts at a fixed genesis link, so the first append has a row to lock.
    op.execute("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '" + "0" * 64 + "')")
    op.create_table(
        "companies",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("eac_locked", sa.Boolean(), nullable=False),
        sa.Column("eac_default_validity_minutes", sa.Integer(), nullable=False),
        sa.Column("eac_one_time_use", sa.Boolean(), nullable=False),
        sa.Column("eac_code_length", sa.Integer(), nullable=False),
        sa.Column("eac_alphabet", sa.String(length=64), nullable=False),
        sa.Column("eac_offline_validity_minutes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_companies")),
        sa.UniqueConstraint("name", name=op.f("uq_companies_name")),
    )
    op.create_table(
        "admins",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("company_id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_admins_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admins")),
        sa.UniqueConstraint("company_id", "email", name="uq_admins_company_email"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("company_id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("first_name", sa.String(length=255), nullable=False),
        sa.Column("last_name", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("mark_deleted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_users_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("company_id", "email", name="uq_users_company_email"),
    )
    op.create_table(
        "api_keys",
        sa.Column("access_id", sa.String(length=36), nullable=False),
        sa.Column("admin_id", sa.String(length=36), nullable=False),
        sa.Column("public_key_pem", sa.Text(), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["admin_id"], ["admins.id"], name=op.f("fk_api_keys_admin_id_admins")
        ),
        sa.PrimaryKeyConstraint("access_id", name=op.f("pk_api_keys")),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_keys_admin_id"), ["admin_id"], unique=False)

    op.create_table(
        "ds100_devices",
        sa.Column("serial", sa.String(length=9), nullable=False),
        sa.Column("company_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_ds100_devices_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_ds100_devices_user_id_users")
        ),
        sa.PrimaryKeyConstraint("serial", name=op.f("pk_ds100_devices")),
    )
    with op.batch_alter_table("ds100_devices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ds100_devices_user_id"), ["user_id"], unique=False)

    op.create_table(
        "emergency_tokencodes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("company_id", sa.String(length=36), nullable=False),
        sa.Column("online_hash", sa.LargeBinary(), nullable=False),
        sa.Column("offline_verifier", sa.String(length=255), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("offline_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("one_time_use", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_emergency_tokencodes_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_emergency_tokencodes_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emergency_tokencodes")),
    )
    with op.batch_alter_table("emergency_tokencodes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_emergency_tokencodes_user_status", ["user_id", "status"], unique=False
        )

    op.create_table(
        "hardware_tokens",
        sa.Column("serial", sa.String(length=36), nullable=False),
        sa.Column("company_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_changed_by", sa.String(length=320), nullable=False),
        sa.Column("pin_set", sa.Boolean(), nullable=False),
        sa.Column("expiry_date", sa.Date(), nullable=True),
        sa.Column("seed_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("digits", sa.Integer(), nullable=False),
        sa.Column("interval_seconds", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_hardware_tokens_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_hardware_tokens_user_id_users")
        ),
        sa.PrimaryKeyConstraint("serial", name=op.f("pk_hardware_tokens")),
    )
    with op.batch_alter_table("hardware_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hardware_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "ds100_credentials",
        sa.Column("serial", sa.String(length=12), nullable=False),
        sa.Column("device_serial", sa.String(length=9), nullable=False),
        sa.Column("company_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_changed_by", sa.String(length=320), nullable=False),
        sa.Column("pin_set", sa.Boolean(), nullable=False),
        sa.Column("seed_ciphertext", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_ds100_credentials_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["device_serial"],
            ["ds100_devices.serial"],
            name=op.f("fk_ds100_credentials_device_serial_ds100_devices"),
        ),
        sa.PrimaryKeyConstraint("serial", name=op.f("pk_ds100_credentials")),
    )
    with op.batch_alter_table("ds100_credentials", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ds100_credentials_device_serial"), ["device_serial"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("ds100_credentials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ds100_credentials_device_serial"))

    op.drop_table("ds100_credentials")
    with op.batch_alter_table("hardware_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hardware_tokens_user_id"))

    op.drop_table("hardware_tokens")
    with op.batch_alter_table("emergency_tokencodes", schema=None) as batch_op:
        batch_op.drop_index("ix_emergency_tokencodes_user_status")

    op.drop_table("emergency_tokencodes")
    with op.batch_alter_table("ds100_devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ds100_devices_user_id"))

    op.drop_table("ds100_devices")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_keys_admin_id"))

    op.drop_table("api_keys")
    op.drop_table("users")
    op.drop_table("admins")
    op.drop_table("companies")
    op.drop_table("audit_head")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_occurred_at"))

    op.drop_table("audit_events")
