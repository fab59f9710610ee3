"""oauth_clients, oauth_access_tokens, oauth_assertion_jtis: OAuth 2.0 API clients

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oauth_clients",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("company_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("public_jwk", sa.Text(), nullable=False),
        sa.Column("key_id", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_oauth_clients_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_clients")),
        sa.UniqueConstraint("company_id", "name", name="uq_oauth_clients_company_name"),
    )
    op.create_table(
        "oauth_access_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["oauth_clients.id"],
            name=op.f("fk_oauth_access_tokens_client_id_oauth_clients"),
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_oauth_access_tokens")),
    )
    op.create_index(
        "ix_oauth_access_tokens_client_expires",
        "oauth_access_tokens",
        ["client_id", "expires_at"],
        unique=False,
    )
    op.create_table(
        "oauth_assertion_jtis",
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("jti", sa.String(length=255), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["oauth_clients.id"],
            name=op.f("fk_oauth_assertion_jtis_client_id_oauth_clients"),
        ),
        sa.PrimaryKeyConstraint("client_id", "jti", name=op.f("pk_oauth_assertion_jtis")),
    )


def downgrade() -> None:
    op.drop_table("oauth_assertion_jtis")
    op.drop_index("ix_oauth_access_tokens_client_expires", table_name="oauth_access_tokens")
    op.drop_table("oauth_access_tokens")
    op.drop_table("oauth_clients")
