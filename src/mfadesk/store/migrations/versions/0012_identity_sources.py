"""identity sources: every user belongs to one (`local` for the ones there were); leases

Each company gets its `local` source and its users join it. Users marked deleted before marking
times were recorded start their seven days before removal now.

Revision ID: 0012
Revises: 0009
Create Date: 2026-11-27
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    now = datetime.now(UTC)
    sources = op.create_table(
        "identity_sources",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("company_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("config", sa.Text(), nullable=False),
        sa.Column("secrets", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name="fk_identity_sources_company_id_companies"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_identity_sources"),
        sa.UniqueConstraint("company_id", "name", name="uq_identity_sources_company_name"),
    )
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_leases"),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("principal_username", sa.String(length=320)))
        batch_op.add_column(sa.Column("alternate_username", sa.String(length=320)))
        batch_op.add_column(sa.Column("primary_unique_identifier", sa.String(length=255)))
        batch_op.add_column(sa.Column("last_sync_time", sa.DateTime(timezone=True)))

    connection = op.get_bind()
    companies = sa.table("companies", sa.column("id", sa.String))
    company_ids = [row.id for row in connection.execute(sa.select(companies.c.id))]
    if company_ids:
        op.bulk_insert(
            sources,
            [
                {
                    "id": str(uuid.uuid4()),
                    "company_id": company_id,
                    "name": "local",
                    "kind": "local",
                    "config": "{}",
                    "secrets": None,
                    "created_at": now,
                }
                for company_id in company_ids
            ],
        )
    users = sa.table(
        "users",
        sa.column("company_id", sa.String),
        sa.column("source_id", sa.String),
        sa.column("mark_deleted", sa.Boolean),
        sa.column("mark_deleted_at", sa.DateTime(timezone=True)),
    )
    local = (
        sa.select(sources.c.id)
        .where(sources.c.company_id == users.c.company_id, sources.c.name == "local")
        .scalar_subquery()
    )
    op.execute(users.update().values(source_id=local))
    op.execute(
        users.update()
        .where(users.c.mark_deleted.is_(True), users.c.mark_deleted_at.is_(None))
        .values(mark_deleted_at=now)
    )

    # SQLite rebuilds `users` for this (copy, drop, rename): `store.migrate.upgrade` runs
    # migrations with foreign keys checked after them, as the rows of tokens, devices and codes
    # refer to users.
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("source_id", existing_type=sa.String(length=36), nullable=False)
        batch_op.create_foreign_key(
            "fk_users_source_id_identity_sources", "identity_sources", ["source_id"], ["id"]
        )
        batch_op.create_unique_constraint(
            "uq_users_source_uid", ["source_id", "primary_unique_identifier"]
        )
    marked = sa.column("mark_deleted", sa.Boolean).is_(True)
    op.create_index(
        "ix_users_marked_deleted_at",
        "users",
        ["mark_deleted_at"],
        sqlite_where=marked,
        postgresql_where=marked,
    )


def downgrade() -> None:
    op.drop_index("ix_users_marked_deleted_at", table_name="users")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint("uq_users_source_uid", type_="unique")
        batch_op.drop_constraint("fk_users_source_id_identity_sources", type_="foreignkey")
        batch_op.drop_column("last_sync_time")
        batch_op.drop_column("primary_unique_identifier")
        batch_op.drop_column("alternate_username")
        batch_op.drop_column("principal_username")
        batch_op.drop_column("source_id")
    op.drop_table("leases")
    op.drop_table("identity_sources")
