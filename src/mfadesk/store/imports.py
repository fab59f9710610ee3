"""Bulk statements of the CSV imports: many rows per driver call, one chunk per transaction.

Reads take a chunk's keys `_KEYS_PER_QUERY` at a time, through one prepared IN list of that
many parameters (the last batch padded with NULLs, which match nothing); writes go through
`Prepared.execute_many`. The rows read are locked for the chunk on PostgreSQL (FOR UPDATE;
SQLite's writer holds the whole file). A write that meets a row
someone else wrote meanwhile (PostgreSQL: a concurrent insert of the same key, an assignment
that no longer finds a spare) raises `ConcurrentWrite`, and the caller runs the chunk again.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, case, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import BindParameter

from mfadesk.domain.hardware_tokens import TokenStatus
from mfadesk.domain.import_rows import UserState
from mfadesk.domain.users import UserStatus
from mfadesk.store.prepared import Prepared
from mfadesk.store.tables import Timestamp, users
from mfadesk.store.tables import hardware_tokens as tokens

_KEYS_PER_QUERY = 500
_KEYS: list[BindParameter[Any]] = [bindparam(f"k{index}") for index in range(_KEYS_PER_QUERY)]
_SQLITE_CACHE_KIB = 256 * 1024

_USERS_BY_EMAIL = Prepared(
    select(
        users.c.id,
        users.c.email,
        users.c.source_id,
        users.c.first_name,
        users.c.last_name,
        users.c.status,
        users.c.mark_deleted,
        users.c.principal_username,
    )
    .where(users.c.company_id == bindparam("company_id"), users.c.email.in_(_KEYS))
    .with_for_update()
)
_USER_IDS_BY_EMAIL = Prepared(
    select(users.c.email, users.c.id).where(
        users.c.company_id == bindparam("company_id"), users.c.email.in_(_KEYS)
    )
)
_INSERT_USER = Prepared(
    insert(users).values(
        id=bindparam("id"),
        company_id=bindparam("company_id"),
        email=bindparam("email"),
        first_name=bindparam("first_name"),
        last_name=bindparam("last_name"),
        status=bindparam("status"),
        mark_deleted=False,
        created_at=bindparam("created_at"),
        source_id=bindparam("source_id"),
        principal_username=bindparam("principal_username"),
    )
)
_UPDATE_USER = Prepared(
    update(users)
    .where(users.c.id == bindparam("b_id"), users.c.source_id == bindparam("b_source_id"))
    .values(
        first_name=bindparam("first_name"),
        last_name=bindparam("last_name"),
        status=bindparam("status"),
        principal_username=bindparam("principal_username"),
    )
)
_TOKENS_BY_SERIAL = Prepared(
    select(tokens.c.serial, tokens.c.company_id, tokens.c.user_id, tokens.c.seed_ciphertext)
    .where(tokens.c.serial.in_(_KEYS))
    .with_for_update()
)
_INSERT_TOKEN = Prepared(
    insert(tokens).values(
        serial=bindparam("serial"),
        company_id=bindparam("company_id"),
        status=bindparam("status"),
        user_id=bindparam("user_id"),
        name=bindparam("name"),
        status_changed_at=bindparam("now"),
        status_changed_by=bindparam("by"),
        seed_ciphertext=bindparam("seed"),
        digits=6,
        interval_seconds=60,
        assigned_at=bindparam("assigned_at"),
        assigned_by=bindparam("assigned_by"),
        clock_offset=0,
        failed_attempts=0,
    )
)
# As `HardwareToken.assigned`: a spare becomes the user's, Enabled, without a PIN; the status
# change is recorded only if it was not Enabled already.
_ENABLED = TokenStatus.ENABLED.value
_ASSIGN_SPARE = Prepared(
    update(tokens)
    .where(tokens.c.serial == bindparam("b_serial"), tokens.c.user_id.is_(None))
    .values(
        user_id=bindparam("user_id"),
        name=tokens.c.serial,
        pin_salt=None,
        pin_digest=None,
        assigned_at=bindparam("now"),
        assigned_by=bindparam("by"),
        status_changed_at=case(
            (tokens.c.status == _ENABLED, tokens.c.status_changed_at),
            else_=bindparam("now", type_=Timestamp),
        ),
        status_changed_by=case(
            (tokens.c.status == _ENABLED, tokens.c.status_changed_by),
            else_=bindparam("by", type_=tokens.c.status_changed_by.type),
        ),
        status=_ENABLED,
    )
)


class ConcurrentWrite(Exception):
    """Another transaction wrote a row this chunk meant to write: run the chunk again."""


class StoredToken(NamedTuple):
    serial: str
    company_id: str
    user_id: str | None
    seed_ciphertext: bytes | None


class NewUser(NamedTuple):
    id: str
    email: str
    first_name: str
    last_name: str
    status: UserStatus
    principal_username: str | None


class NewToken(NamedTuple):
    serial: str
    user_id: str | None
    seed: bytes  # encrypted


def _batches(keys: Sequence[str]) -> Iterator[dict[str, str | None]]:
    """The keys as the parameters of the IN lists, `_KEYS_PER_QUERY` at a time."""
    names = [key.key for key in _KEYS]
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        batch: list[str | None] = list(keys[start : start + _KEYS_PER_QUERY])
        batch += [None] * (_KEYS_PER_QUERY - len(batch))
        yield dict(zip(names, batch, strict=True))


def _checked(matched: int, expected: int) -> None:
    if matched != expected:
        raise ConcurrentWrite(f"{expected - matched} of {expected} rows changed meanwhile")


class ImportRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    @property
    def _integrity_errors(self) -> tuple[type[Exception], ...]:
        # Bulk writes run on the driver's cursor: its own exception, not SQLAlchemy's.
        return (IntegrityError, self._c.dialect.loaded_dbapi.IntegrityError)

    def _statistics_anew(self, table: str, inserted: int) -> None:
        """PostgreSQL plans the next chunk's IN lookups from the table's statistics: a table
        that grew by a chunk (from empty, at first) is scanned whole for each key list unless
        they are taken again. (SQLite's planner uses the index without them.)"""
        if inserted and self._c.dialect.name == "postgresql":
            self._c.exec_driver_sql(f"ANALYZE {table}")

    def _bulk_cache(self) -> None:
        """SQLite: a page cache that holds the indexes a chunk's rows go into (random ids
        land all over them); the default 2 MiB has them read again and again."""
        if self._c.dialect.name == "sqlite":
            self._c.exec_driver_sql(f"PRAGMA cache_size = -{_SQLITE_CACHE_KIB}")

    def users_by_email(self, company_id: str, emails: Sequence[str]) -> dict[str, UserState]:
        """The company's users with these (normalised) e-mails, locked for the chunk."""
        found: dict[str, UserState] = {}
        for batch in _batches(emails):
            for row in _USERS_BY_EMAIL.all(self._c, {"company_id": company_id, **batch}):
                found[row.email] = UserState(
                    id=row.id,
                    source_id=row.source_id,
                    first_name=row.first_name,
                    last_name=row.last_name,
                    status=UserStatus(row.status),
                    mark_deleted=row.mark_deleted,
                    principal_username=row.principal_username,
                )
        return found

    def user_ids_by_email(self, company_id: str, emails: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for batch in _batches(emails):
            rows = _USER_IDS_BY_EMAIL.all(self._c, {"company_id": company_id, **batch})
            found.update((row.email, row.id) for row in rows)
        return found

    def insert_users(
        self, company_id: str, source_id: str, now: datetime, new: Sequence[NewUser]
    ) -> None:
        self._bulk_cache()
        rows = [
            {
                "id": user.id,
                "email": user.email,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "status": user.status.value,
                "principal_username": user.principal_username,
            }
            for user in new
        ]
        constants = {"company_id": company_id, "source_id": source_id, "created_at": now}
        try:
            _INSERT_USER.execute_many(self._c, rows, constants)
        except self._integrity_errors as error:
            raise ConcurrentWrite(str(error)) from error
        self._statistics_anew("users", len(rows))

    def update_users(self, changed: Sequence[UserState]) -> None:
        rows = [
            {
                "b_id": user.id,
                "b_source_id": user.source_id,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "status": user.status.value,
                "principal_username": user.principal_username,
            }
            for user in changed
        ]
        _checked(_UPDATE_USER.execute_many(self._c, rows), len(rows))

    def tokens_by_serial(self, serials: Sequence[str]) -> dict[str, StoredToken]:
        """These serials' tokens (of any company: serials are unique), locked for the chunk."""
        found: dict[str, StoredToken] = {}
        for batch in _batches(serials):
            for row in _TOKENS_BY_SERIAL.all(self._c, batch):
                seed = None if row.seed_ciphertext is None else bytes(row.seed_ciphertext)
                found[row.serial] = StoredToken(row.serial, row.company_id, row.user_id, seed)
        return found

    def insert_tokens(
        self, company_id: str, now: datetime, by: str, new: Sequence[NewToken]
    ) -> None:
        """New tokens: assigned and Enabled when they have a user, else spare and Disabled."""
        self._bulk_cache()
        shared = {"company_id": company_id, "now": now, "by": by}
        assigned = {
            **shared,
            "status": TokenStatus.ENABLED.value,
            "assigned_at": now,
            "assigned_by": by,
        }
        spare = {
            **shared,
            "status": TokenStatus.DISABLED.value,
            "user_id": None,
            "name": None,
            "assigned_at": None,
            "assigned_by": None,
        }
        try:
            _INSERT_TOKEN.execute_many(
                self._c,
                [
                    {"serial": t.serial, "user_id": t.user_id, "name": t.serial, "seed": t.seed}
                    for t in new
                    if t.user_id is not None
                ],
                assigned,
            )
            _INSERT_TOKEN.execute_many(
                self._c,
                [{"serial": t.serial, "seed": t.seed} for t in new if t.user_id is None],
                spare,
            )
        except self._integrity_errors as error:
            raise ConcurrentWrite(str(error)) from error
        self._statistics_anew("hardware_tokens", len(new))

    def assign_spares(self, now: datetime, by: str, assignments: Mapping[str, str]) -> None:
        """Serial -> user id: each spare token becomes that user's, Enabled, without a PIN."""
        rows = [{"b_serial": serial, "user_id": user_id} for serial, user_id in assignments.items()]
        matched = _ASSIGN_SPARE.execute_many(self._c, rows, {"now": now, "by": by})
        _checked(matched, len(rows))
