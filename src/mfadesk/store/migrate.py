"""Apply Alembic migrations: `mfadesk migrate`, `serve` and `demo` call `upgrade`."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

_MIGRATIONS = Path(__file__).parent / "migrations"
# Any fixed number: serialises concurrent upgrades from several processes on PostgreSQL.
_PG_LOCK_KEY = 0x6D666164


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision (idempotent, safe to run from several processes)."""
    config = alembic_config()
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_LOCK_KEY})
            connection.commit()
        try:
            config.attributes["connection"] = connection
            with _foreign_keys_checked_after(connection):
                command.upgrade(config, "head")
                connection.commit()
        finally:
            if engine.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_LOCK_KEY})
                connection.commit()


@contextmanager
def _foreign_keys_checked_after(connection: Connection) -> Iterator[None]:
    """SQLite changes a table's columns by rebuilding it (copy, drop, rename), and dropping a
    table that other rows refer to fails while foreign keys are enforced — even deferred. As
    SQLite's documentation advises, enforcement is off while migrations run (the pragma works
    only outside a transaction: on the driver, before any) and every row checked after."""
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.dbapi_connection
    assert driver is not None
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
        broken = driver.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"the migrations left rows that refer to nothing: {broken[:5]}")
    finally:
        driver.execute("PRAGMA foreign_keys=ON")


@functools.cache
def head_revisions() -> frozenset[str]:
    """The newest revision(s) this code knows (read once: the scripts do not change)."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def schema_is_current(connection: Connection) -> bool:
    """Whether the database's schema is at the newest revision (a readiness check)."""
    current = MigrationContext.configure(connection).get_current_heads()
    return frozenset(current) == head_revisions()
