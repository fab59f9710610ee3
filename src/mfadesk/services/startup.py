"""Opening the database and the master key for a process.

Only `mfadesk migrate`, `serve` and `demo` create a database, upgrade its schema or create a
master key (`open_creating`); every other command opens what is there (`open_existing`) and
stops with one line when it is missing, behind, or was set up with another master key. The
database records a fingerprint of its master key (`record_key_fingerprint`), so a wrong or
missing `MFADESK_SECRET_KEY_FILE` is caught before anything is read with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from mfadesk.otp.secret_key import (
    MissingSecretKey,
    ServerKeys,
    load_or_create_server_keys,
    load_server_keys,
)
from mfadesk.settings import Settings
from mfadesk.store.database import Database
from mfadesk.store.errors import display_url
from mfadesk.store.migrate import upgrade
from mfadesk.store.schema import (
    SchemaState,
    erase_data,
    inspect_schema,
    record_key_fingerprint,
)

CREATE_HINT = "create it with `mfadesk migrate` (or `mfadesk demo`)"


class StartupError(Exception):
    """The database or the master key cannot be used as they are; the message is one line."""


@dataclass(frozen=True, slots=True)
class Opened:
    db: Database
    keys: ServerKeys
    before: SchemaState  # as found, before `open_creating` upgraded it
    key_created: bool = False
    fingerprint_recorded: bool = False


def _where(settings: Settings) -> str:
    return display_url(settings.database_url)


def _key_mismatch(settings: Settings) -> StartupError:
    return StartupError(
        f"the database at {_where(settings)} was set up with another master key than "
        f"{settings.secret_key_file}: set MFADESK_SECRET_KEY_FILE to its key file"
    )


def _existing_keys(settings: Settings) -> ServerKeys:
    """The key file of a database that has data: never a new one."""
    try:
        return load_server_keys(settings.secret_key_file)
    except MissingSecretKey:
        raise StartupError(
            f"secret key file {settings.secret_key_file} does not exist, but the database at "
            f"{_where(settings)} is set up: set MFADESK_SECRET_KEY_FILE to its key file"
        ) from None


def _check_known(settings: Settings, state: SchemaState) -> None:
    if not state.known:
        raise StartupError(
            f"the database at {_where(settings)} has schema revision {state.revision}, which "
            f"this mfadesk does not know (its newest is {state.head}): is it a newer mfadesk's?"
        )


def check_key(settings: Settings, recorded: str | None, keys: ServerKeys) -> None:
    if recorded is not None and recorded != keys.fingerprint:
        raise _key_mismatch(settings)


def claim_master_key(settings: Settings, db: Database, keys: ServerKeys) -> None:
    """Record the key's fingerprint if the database has none yet, else check it. For the
    processes that serve (and `migrate`, `demo`), on a current schema."""
    check_key(settings, record_key_fingerprint(db.engine, keys.fingerprint), keys)


def open_existing(settings: Settings) -> Opened:
    """The database as it is, for commands that must not create or upgrade anything."""
    db = Database(
        settings.database_url,
        create=False,
        sqlite_sync=settings.sqlite_sync,
        audit_after_commit=settings.audit_after_commit,
    )
    try:
        state = inspect_schema(db.engine)
        if state.revision is None:
            raise StartupError(f"no mfadesk database at {_where(settings)}: {CREATE_HINT}")
        _check_known(settings, state)
        if not state.is_current:
            raise StartupError(
                f"the database at {_where(settings)} is at schema {state.revision}, this "
                f"mfadesk needs {state.head}: run `mfadesk migrate`"
            )
        keys = _existing_keys(settings)
        if state.key_fingerprint is None:
            raise StartupError(
                f"the database at {_where(settings)} has no master key recorded yet: run "
                "`mfadesk migrate` (it records the key in MFADESK_SECRET_KEY_FILE)"
            )
        check_key(settings, state.key_fingerprint, keys)
    except BaseException:
        db.close()
        raise
    return Opened(db, keys, state)


def open_creating(settings: Settings) -> Opened:
    """Create or upgrade the database and, for a new database only, the master key; record
    the key's fingerprint. The key is settled before the schema is touched."""
    db = Database(
        settings.database_url,
        sqlite_sync=settings.sqlite_sync,
        audit_after_commit=settings.audit_after_commit,
    )
    try:
        state = inspect_schema(db.engine)
        _check_known(settings, state)
        is_new = state.revision is None
        if is_new:
            created = not settings.secret_key_file.exists()
            keys = load_or_create_server_keys(settings.secret_key_file)
        else:
            created, keys = False, _existing_keys(settings)
        check_key(settings, state.key_fingerprint, keys)
        upgrade(db.engine)
        claim_master_key(settings, db, keys)
    except BaseException:
        db.close()
        raise
    recorded_now = state.key_fingerprint is None
    return Opened(db, keys, state, key_created=created, fingerprint_recorded=recorded_now)


def erase_all_data(db: Database) -> None:
    """Every row gone but the master key's fingerprint (a fresh audit chain starts): for
    throw-away databases only (`mfadesk.testing`)."""
    erase_data(db.engine)
