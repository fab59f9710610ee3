"""Statements SQLite and PostgreSQL spell alike but SQLAlchemy builds per dialect."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert


def insert_unless_present(connection: Connection, table: Table, values: Mapping[str, Any]) -> bool:
    """``INSERT … ON CONFLICT DO NOTHING``: whether the row went in (a row with the same
    key — or unique columns — was there already, perhaps put there by a concurrent
    transaction, when not)."""
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    key = list(table.primary_key.columns)
    statement = insert(table).values(dict(values)).on_conflict_do_nothing().returning(*key)
    # RETURNING, not the row count: psycopg reports -1 for this statement.
    return connection.execute(statement).first() is not None
