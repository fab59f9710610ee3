"""What a database holds before anything is done to it: an mfadesk schema or not, at which
migration, set up with which master key. Reading it creates nothing (no file, no table)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, delete, insert, inspect, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from mfadesk.store.audit import GENESIS_HASH
from mfadesk.store.errors import DatabaseUnavailable, describe_database_error, display_url
from mfadesk.store.migrate import alembic_config
from mfadesk.store.tables import audit_head, master_key, metadata

_ROW_ID = 1


@dataclass(frozen=True, slots=True)
class SchemaState:
    revision: str | None  # None: no mfadesk schema (no database yet, or an empty or foreign one)
    head: str  # the newest migration this mfadesk knows
    known: bool  # `revision` is one of this mfadesk's migrations
    key_fingerprint: str | None  # recorded by `migrate`/`serve` (migration 0010 on)

    @property
    def is_current(self) -> bool:
        return self.revision == self.head


def _unavailable(engine: Engine, error: SQLAlchemyError) -> DatabaseUnavailable:
    detail = describe_database_error(error)
    url = display_url(engine.url.render_as_string(hide_password=False))
    return DatabaseUnavailable(f"cannot open the database at {url}: {detail}")


def _sqlite_file_missing(engine: Engine) -> bool:
    path = engine.url.database
    return (
        engine.dialect.name == "sqlite"
        and bool(path)
        and path != ":memory:"
        and not Path(str(path)).exists()
    )


def inspect_schema(engine: Engine) -> SchemaState:
    """The database's state; a SQLite file that does not exist is not created (nor opened)."""
    scripts = ScriptDirectory.from_config(alembic_config())
    head = scripts.get_current_head()
    assert head is not None
    if _sqlite_file_missing(engine):
        return SchemaState(None, head, True, None)
    try:
        with engine.connect() as connection:
            connection.execution_options(mfadesk_readonly=True)
            revision = MigrationContext.configure(connection).get_current_revision()
            fingerprint = None
            if inspect(connection).has_table(master_key.name):
                fingerprint = connection.execute(
                    select(master_key.c.fingerprint).where(master_key.c.id == _ROW_ID)
                ).scalar_one_or_none()
    except SQLAlchemyError as error:
        raise _unavailable(engine, error) from error
    known = revision is None or revision in {s.revision for s in scripts.walk_revisions()}
    return SchemaState(revision, head, known, fingerprint)


def record_key_fingerprint(engine: Engine, fingerprint: str) -> str:
    """Record `fingerprint` unless one is recorded already; the recorded one is returned (it
    differs from `fingerprint` when the database was set up with another key)."""
    try:
        for _ in range(2):  # a second process may record between our read and our insert
            try:
                with engine.begin() as connection:
                    recorded = connection.execute(
                        select(master_key.c.fingerprint).where(master_key.c.id == _ROW_ID)
                    ).scalar_one_or_none()
                    if recorded is not None:
                        return str(recorded)
                    connection.execute(
                        insert(master_key).values(id=_ROW_ID, fingerprint=fingerprint)
                    )
                    return fingerprint
            except IntegrityError:
                continue
    except SQLAlchemyError as error:
        raise _unavailable(engine, error) from error
    raise DatabaseUnavailable("the master key fingerprint could not be recorded")


def erase_data(engine: Engine) -> None:
    """Delete every row but the master key's fingerprint and start a new audit chain: the
    database as `mfadesk migrate` left it (for `mfadesk.testing`'s throw-away databases)."""
    try:
        with engine.begin() as connection:
            for table in reversed(metadata.sorted_tables):
                if table is not master_key:
                    connection.execute(delete(table))
            connection.execute(insert(audit_head).values(id=1, seq=0, hash=GENESIS_HASH))
    except SQLAlchemyError as error:
        raise _unavailable(engine, error) from error
