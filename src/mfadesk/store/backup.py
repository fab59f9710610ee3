"""Backing up and restoring a SQLite database file with SQLite's online backup API.

The backup copies every page in one step, inside one read transaction of the source: with the
server running (WAL mode) it is a consistent snapshot of the last commit before it started, and
the server's writers are never blocked. The copy is a single file (journal mode DELETE, no
``-wal`` beside it). The master key is never in the database (only its one-way fingerprint),
so it is never in a backup either. PostgreSQL is backed up with ``pg_dump`` (docs/operations.md).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

ALEMBIC_TABLE = "alembic_version"


class BackupError(Exception):
    """The backup or restore cannot be made; the message is one line."""


@dataclass(frozen=True, slots=True)
class Copied:
    revision: str
    size: int


def _revision(connection: sqlite3.Connection) -> str | None:
    found = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (ALEMBIC_TABLE,)
    ).fetchone()
    if found is None:
        return None
    row = connection.execute(f"SELECT version_num FROM {ALEMBIC_TABLE}").fetchone()  # noqa: S608
    return None if row is None else str(row[0])


def _has_tables(connection: sqlite3.Connection) -> bool:
    return (
        connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1").fetchone()
        is not None
    )


def _open_readonly(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)


def _scratch(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


def _copy(source: sqlite3.Connection, target: Path, journal_mode: str) -> int:
    """`source` into a new file beside `target`, checked, then moved into place."""
    scratch = _scratch(target)
    scratch.unlink(missing_ok=True)
    try:
        copy = sqlite3.connect(scratch)
        try:
            source.backup(copy)  # every page in one step: one consistent snapshot
            copy.execute(f"PRAGMA journal_mode={journal_mode}")
            problem = copy.execute("PRAGMA quick_check").fetchone()[0]
            if problem != "ok":
                raise BackupError(f"the copy failed its integrity check: {problem}")
        finally:
            copy.close()
        os.replace(scratch, target)
    finally:
        scratch.unlink(missing_ok=True)
    return target.stat().st_size


def backup_sqlite(database: Path, file: Path) -> Copied:
    """A consistent copy of the mfadesk database `database` in `file` (replaced if there)."""
    if not database.is_file():
        raise BackupError(f"no database file at {database}")
    try:
        source = _open_readonly(database)
        try:
            revision = _revision(source)
            if revision is None:
                raise BackupError(f"{database} is not an mfadesk database")
            size = _copy(source, file, "DELETE")
        finally:
            source.close()
    except sqlite3.Error as error:
        raise BackupError(f"cannot back up {database}: {error}") from error
    except OSError as error:
        raise BackupError(f"cannot write {file}: {error.strerror or error}") from error
    return Copied(revision, size)


def _is_empty(database: Path) -> bool:
    if not database.exists() or database.stat().st_size == 0:
        return True
    with contextlib.closing(_open_readonly(database)) as existing:
        return not _has_tables(existing)


def restore_sqlite(file: Path, database: Path) -> Copied:
    """The backup `file` as the database `database`, which must be empty (or not exist)."""
    if not file.is_file():
        raise BackupError(f"no backup file at {file}")
    try:
        if not _is_empty(database):
            raise BackupError(
                f"the database at {database} is not empty: restore only into an empty database"
            )
        source = _open_readonly(file)
        try:
            revision = _revision(source)
            if revision is None:
                raise BackupError(f"{file} is not an mfadesk backup")
            database.parent.mkdir(parents=True, exist_ok=True)
            size = _copy(source, database, "WAL")
        finally:
            source.close()
    except sqlite3.Error as error:
        raise BackupError(f"cannot restore {file}: {error}") from error
    except OSError as error:
        raise BackupError(f"cannot write {database}: {error.strerror or error}") from error
    return Copied(revision, size)
