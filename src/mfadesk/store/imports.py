"""Bulk statements of the CSV imports: many rows per driver call, one chunk per transaction.

Reads take a chunk's keys in batches of `_KEYS_PER_QUERY` (an IN list each, within every
driver's parameter limit); writes go through `Prepared.execute_many`. A write that meets a row
someone else wrote meanwhile (PostgreSQL: a concurrent insert of the same key, an assignment
that no longer finds a spare) raises `ConcurrentWrite`, and the caller runs the chunk again.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, case, insert, select, update
from sqlalchemy.exc import IntegrityError

from mfadesk.domain.hardware_tokens import TokenStatus
from mfadesk.domain.import_rows import UserState
from mfadesk.domain.users import UserStatus
from mfadesk.store.prepared import Prepared
from mfadesk.store.tables import Timestamp, users
from mfadesk.store.tables import hardware_tokens as tokens

_KEYS_PER_QUERY = 5_000

_USERS_BY_EMAIL = select(
    users.c.id,
    users.c.email,
    users.c.source_id,
    users.c.first_name,
    users.c.last_name,
    users.c.status,
    users.c.mark_deleted,
    users.c.principal_username,
).where(users.c.company_id == bindparam("company_id"), users.c.email.in_(bindparam("keys")))
_USER_IDS_BY_EMAIL = select(users.c.email, users.c.id).where(
    users.c.company_id == bindparam("company_id"), users.c.email.in_(bindparam("keys"))
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
_TOKENS_BY_SERIAL = select(
    tokens.c.serial, tokens.c.company_id, tokens.c.user_id, tokens.c.seed_ciphertext
).where(tokens.c.serial.in_(bindparam("keys")))
_INSERT_TOKEN = Prepared(
    insert(tokens).values(
        serial=bindparam("serial"),
        company_id=bindparam("company_id"),
        status=bindparam("status"),
        user_id=bindparam("user_id"),
        name=bindparam("name"),
        status_changed_at=bindparam("now"),
        status_changed_by=bindparam("by"),
        pin_set=False,
        seed_ciphertext=bindparam("seed_ciphertext"),
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
        pin_set=False,
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


@dataclass(frozen=True, slots=True)
class StoredToken:
    serial: str
    company_id: str
    user_id: str | None
    seed_ciphertext: bytes | None


@dataclass(frozen=True, slots=True)
class NewUser:
    id: str
    email: str
    first_name: str
    last_name: str
    status: UserStatus
    principal_username: str | None


@dataclass(frozen=True, slots=True)
class NewToken:
    serial: str
    user_id: str | None
    seed_ciphertext: bytes


def _batches(keys: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        yield list(keys[start : start + _KEYS_PER_QUERY])


def _checked(matched: int, expected: int) -> None:
    if matched != expected:
        raise ConcurrentWrite(f"{expected - matched} of {expected} rows changed meanwhile")


class ImportRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def _locking(self, statement: Any) -> Any:
        # PostgreSQL: hold the rows read until the chunk commits (SQLite's writer holds all).
        return statement.with_for_update() if self._c.dialect.name == "postgresql" else statement

    def users_by_email(self, company_id: str, emails: Sequence[str]) -> dict[str, UserState]:
        """The company's users with these (normalised) e-mails, locked for the chunk."""
        found: dict[str, UserState] = {}
        statement = self._locking(_USERS_BY_EMAIL)
        for batch in _batches(emails):
            for row in self._c.execute(statement, {"company_id": company_id, "keys": batch}):
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
            params = {"company_id": company_id, "keys": batch}
            found.update((row.email, row.id) for row in self._c.execute(_USER_IDS_BY_EMAIL, params))
        return found

    def insert_users(
        self, company_id: str, source_id: str, now: datetime, new: Sequence[NewUser]
    ) -> None:
        rows = [
            {
                "id": user.id,
                "company_id": company_id,
                "email": user.email,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "status": user.status.value,
                "created_at": now,
                "source_id": source_id,
                "principal_username": user.principal_username,
            }
            for user in new
        ]
        try:
            _INSERT_USER.execute_many(self._c, rows)
        except IntegrityError as error:
            raise ConcurrentWrite(str(error.orig)) from error

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
        statement = self._locking(_TOKENS_BY_SERIAL)
        for batch in _batches(serials):
            for row in self._c.execute(statement, {"keys": batch}):
                seed = None if row.seed_ciphertext is None else bytes(row.seed_ciphertext)
                found[row.serial] = StoredToken(row.serial, row.company_id, row.user_id, seed)
        return found

    def insert_tokens(
        self, company_id: str, now: datetime, by: str, new: Sequence[NewToken]
    ) -> None:
        """New tokens: assigned and Enabled when they have a user, else spare and Disabled."""
        rows: list[Mapping[str, Any]] = [
            {
                "serial": token.serial,
                "company_id": company_id,
                "status": (TokenStatus.ENABLED if token.user_id else TokenStatus.DISABLED).value,
                "user_id": token.user_id,
                "name": token.serial if token.user_id else None,
                "now": now,
                "by": by,
                "seed_ciphertext": token.seed_ciphertext,
                "assigned_at": now if token.user_id else None,
                "assigned_by": by if token.user_id else None,
            }
            for token in new
        ]
        try:
            _INSERT_TOKEN.execute_many(self._c, rows)
        except IntegrityError as error:
            raise ConcurrentWrite(str(error.orig)) from error

    def assign_spares(self, now: datetime, by: str, assignments: Mapping[str, str]) -> None:
        """Serial -> user id: each spare token becomes that user's, Enabled, without a PIN."""
        rows = [
            {"b_serial": serial, "user_id": user_id, "now": now, "by": by}
            for serial, user_id in assignments.items()
        ]
        _checked(_ASSIGN_SPARE.execute_many(self._c, rows), len(rows))
