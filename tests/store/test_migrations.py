"""The migrations build exactly the schema `store/tables.py` declares, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from mfadesk.store.database import create_db_engine
from mfadesk.store.migrate import upgrade
from mfadesk.store.tables import metadata


def test_the_migrated_schema_is_the_declared_one(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        upgrade(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    assert differences == []
