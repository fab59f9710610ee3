"""Users found by their principal username (any case): the RADIUS User-Name and subjectName

An expression index on ``lower(principal_username)`` per company, so that a name that is no
e-mail address is found without reading every user.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_users_company_principal_username",
        "users",
        ["company_id", sa.text("lower(principal_username)")],
    )


def downgrade() -> None:
    op.drop_index("ix_users_company_principal_username", table_name="users")
