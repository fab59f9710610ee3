"""Migration 0002 on a database that already holds users (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import select, text

from mfadesk.store.database import create_db_engine
from mfadesk.store.migrate import upgrade
from mfadesk.store.migrations import __file__ as migrations_init
from mfadesk.store.tables import users
from mfadesk.store.timestamps import as_utc


def test_users_from_before_get_a_creation_date(database_url: str) -> None:
    engine = create_db_engine(database_url)
    config = Config()
    config.set_main_option("script_location", str(Path(migrations_init).parent))
    try:
        upgrade(engine)  # from wherever the database is (a fresh file, or PostgreSQL at head)
        with engine.connect() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0001")
            connection.commit()
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO companies (id, name, eac_locked, eac_default_validity_minutes,"
                    " eac_one_time_use, eac_code_length, eac_alphabet,"
                    " eac_offline_validity_minutes) VALUES ('c', 'Old', false, 60, false, 8,"
                    " '0123456789', 0)"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO users (id, company_id, email, first_name, last_name, status,"
                    " mark_deleted) VALUES ('u', 'c', 'old@x', '', '', 'Enabled', false)"
                )
            )
        before = datetime.now(UTC)
        upgrade(engine)
        with engine.connect() as connection:
            row = connection.execute(
                select(users.c.created_at, users.c.mark_deleted_at, users.c.mark_deleted_by)
            ).one()
    finally:
        upgrade(engine)  # whatever happened, leave the schema current for the next test
        engine.dispose()
    created = as_utc(row.created_at)
    assert before - timedelta(seconds=5) <= created <= datetime.now(UTC)
    assert (row.mark_deleted_at, row.mark_deleted_by) == (None, None)
