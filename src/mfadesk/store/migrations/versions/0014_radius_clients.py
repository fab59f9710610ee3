"""RADIUS: clients (shared secrets encrypted), the retransmit cache, attempts begun over RADIUS

Open authentication attempts name the agent that began them: a client-key (``authn_key_id``, no
longer required) or a RADIUS client (``radius_client_id``). ``radius_replies`` keeps the reply
to each RADIUS request for 30 s so that a retransmit reaching any worker is answered without a
second verification.

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "radius_clients",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("company_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("network", sa.String(length=64), nullable=False),
        sa.Column("secret_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("require_message_authenticator", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_radius_clients_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_radius_clients")),
        sa.UniqueConstraint("name", name=op.f("uq_radius_clients_name")),
        sa.UniqueConstraint("network", name=op.f("uq_radius_clients_network")),
    )
    op.create_table(
        "radius_replies",
        sa.Column("request_key", sa.String(length=64), nullable=False),
        sa.Column("reply", sa.LargeBinary(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("request_key", name=op.f("pk_radius_replies")),
    )
    op.create_index(
        op.f("ix_radius_replies_expires_at"), "radius_replies", ["expires_at"], unique=False
    )
    # Nothing refers to authn_attempts: SQLite's batch mode may copy it.
    with op.batch_alter_table("authn_attempts", schema=None) as batch_op:
        batch_op.alter_column("authn_key_id", existing_type=sa.String(length=36), nullable=True)
        batch_op.add_column(sa.Column("radius_client_id", sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_authn_attempts_radius_client_id_radius_clients"),
            "radius_clients",
            ["radius_client_id"],
            ["id"],
        )


def downgrade() -> None:
    # Attempts begun over RADIUS cannot be kept without their client.
    op.execute("DELETE FROM authn_attempts WHERE authn_key_id IS NULL")
    with op.batch_alter_table("authn_attempts", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_authn_attempts_radius_client_id_radius_clients"), type_="foreignkey"
        )
        batch_op.drop_column("radius_client_id")
        batch_op.alter_column("authn_key_id", existing_type=sa.String(length=36), nullable=False)
    op.drop_index(op.f("ix_radius_replies_expires_at"), table_name="radius_replies")
    op.drop_table("radius_replies")
    op.drop_table("radius_clients")
