"""`mfadesk backup FILE` and `mfadesk restore FILE`: a SQLite database, copied while it serves
(docs/operations.md, "Backups"). PostgreSQL is backed up with its own `pg_dump`."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.engine import make_url

from mfadesk.cli.runtime import CommandError, load_settings
from mfadesk.store.backup import BackupError, backup_sqlite, restore_sqlite
from mfadesk.store.errors import display_url

POSTGRES_HINT = (
    "is PostgreSQL: back it up with `pg_dump --format=custom` and restore it with "
    "`pg_restore` into an empty database (docs/operations.md, Backups)"
)


def _sqlite_file() -> Path:
    url = load_settings().database_url
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise CommandError(f"the database at {display_url(url)} {POSTGRES_HINT}")
    if not parsed.database or parsed.database == ":memory:":
        raise CommandError("an in-memory database has nothing to back up or restore")
    return Path(parsed.database)


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup(file: Path) -> None:
    """Copy the SQLite database into FILE, consistently, while it serves.

    The master key (MFADESK_SECRET_KEY_FILE) is not in the copy: keep a copy of it apart."""
    database = _sqlite_file()
    try:
        copied = backup_sqlite(database, file)
    except BackupError as error:
        raise CommandError(str(error)) from error
    click.echo(f"backup of {database} (schema {copied.revision}) in {file}: {copied.size} bytes")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def restore(file: Path) -> None:
    """Restore the backup FILE as the database (MFADESK_DATABASE_URL), which must be empty.

    The database needs the master key it was made with: set MFADESK_SECRET_KEY_FILE to it."""
    database = _sqlite_file()
    try:
        copied = restore_sqlite(file, database)
    except BackupError as error:
        raise CommandError(str(error)) from error
    click.echo(f"restored {file} (schema {copied.revision}) as {database}")
    click.echo("next: `mfadesk migrate` (with the database's master key), `mfadesk audit verify`")
