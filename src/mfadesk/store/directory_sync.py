"""Bulk statements of a directory synchronisation: a chunk of entries per transaction.

Like the CSV imports (`store.imports`): IN lists of `_KEYS_PER_QUERY` prepared parameters and
`Prepared.execute_many` for the writes; a write that meets a row someone else wrote meanwhile
raises `ConcurrentWrite` and the chunk is applied again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from mfadesk.domain.ldap_sources import DirectoryEntry, SyncedUser
from mfadesk.domain.users import UserStatus
from mfadesk.store.imports import _KEYS, ConcurrentWrite, _batches, _checked
from mfadesk.store.prepared import Prepared
from mfadesk.store.tables import users

_SYNCED_COLUMNS = (
    users.c.id,
    users.c.primary_unique_identifier,
    users.c.email,
    users.c.first_name,
    users.c.last_name,
    users.c.principal_username,
    users.c.alternate_username,
    users.c.status,
    users.c.mark_deleted,
)
_BY_UNIQUE_ID = Prepared(
    select(*_SYNCED_COLUMNS)
    .where(
        users.c.source_id == bindparam("source_id"),
        users.c.primary_unique_identifier.in_(_KEYS),
    )
    .with_for_update()
)
_EMAIL_OWNERS = Prepared(
    select(users.c.email, users.c.id, users.c.source_id).where(
        users.c.company_id == bindparam("company_id"), users.c.email.in_(_KEYS)
    )
)
_INSERT = Prepared(
    insert(users).values(
        id=bindparam("id"),
        company_id=bindparam("company_id"),
        email=bindparam("email"),
        first_name=bindparam("first_name"),
        last_name=bindparam("last_name"),
        status=bindparam("status"),
        mark_deleted=False,
        created_at=bindparam("now"),
        source_id=bindparam("source_id"),
        principal_username=bindparam("principal_username"),
        alternate_username=bindparam("alternate_username"),
        primary_unique_identifier=bindparam("unique_id"),
        last_sync_time=bindparam("now"),
    )
)
_UPDATE = Prepared(
    update(users)
    .where(users.c.id == bindparam("b_id"), users.c.source_id == bindparam("b_source_id"))
    .values(
        email=bindparam("email"),
        first_name=bindparam("first_name"),
        last_name=bindparam("last_name"),
        principal_username=bindparam("principal_username"),
        alternate_username=bindparam("alternate_username"),
        status=bindparam("status"),
    )
)
_TOUCH = Prepared(
    update(users).where(users.c.id == bindparam("b_id")).values(last_sync_time=bindparam("b_now"))
)
_DISABLE = Prepared(
    update(users)
    .where(users.c.id == bindparam("b_id"), users.c.source_id == bindparam("b_source_id"))
    .values(status=UserStatus.DISABLED.value)
)
_PAGE = Prepared(
    select(users.c.id, users.c.primary_unique_identifier, users.c.status)
    .where(users.c.source_id == bindparam("source_id"), users.c.id > bindparam("after"))
    .order_by(users.c.id)
    .limit(bindparam("limit"))
)


def _to_synced(row: Any) -> SyncedUser:
    return SyncedUser(
        id=row.id,
        unique_id=row.primary_unique_identifier,
        email=row.email,
        first_name=row.first_name,
        last_name=row.last_name,
        username=row.principal_username,
        alternate_username=row.alternate_username,
        status=UserStatus(row.status),
        mark_deleted=row.mark_deleted,
    )


class DirectorySyncRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    @property
    def _integrity_errors(self) -> tuple[type[Exception], ...]:
        return (IntegrityError, self._c.dialect.loaded_dbapi.IntegrityError)

    def refresh_statistics(self) -> None:
        """PostgreSQL plans the chunks' IN lookups from the table's statistics: while they say
        the users table is small (new, or grown by this sync) each lookup scans it whole.
        (SQLite's planner uses the indexes without them.)"""
        if self._c.dialect.name == "postgresql":
            self._c.exec_driver_sql("ANALYZE users")

    def by_unique_id(self, source_id: str, unique_ids: Sequence[str]) -> dict[str, SyncedUser]:
        """The source's users with these directory ids, locked for the chunk."""
        found: dict[str, SyncedUser] = {}
        for batch in _batches(unique_ids):
            for row in _BY_UNIQUE_ID.all(self._c, {"source_id": source_id, **batch}):
                found[row.primary_unique_identifier] = _to_synced(row)
        return found

    def email_owners(self, company_id: str, emails: Sequence[str]) -> dict[str, tuple[str, str]]:
        """E-mail -> (user id, source id) of the company's users with these e-mails."""
        found: dict[str, tuple[str, str]] = {}
        for batch in _batches(emails):
            for row in _EMAIL_OWNERS.all(self._c, {"company_id": company_id, **batch}):
                found[row.email] = (row.id, row.source_id)
        return found

    def insert(
        self,
        company_id: str,
        source_id: str,
        now: datetime,
        new: Sequence[tuple[str, DirectoryEntry]],
    ) -> None:
        """New users (id, entry) of the source, synchronised `now`."""
        rows = [
            {
                "id": user_id,
                "email": entry.email,
                "first_name": entry.first_name,
                "last_name": entry.last_name,
                "status": entry.status.value,
                "principal_username": entry.username,
                "alternate_username": entry.alternate_username,
                "unique_id": entry.unique_id,
            }
            for user_id, entry in new
        ]
        constants = {"company_id": company_id, "source_id": source_id, "now": now}
        try:
            _INSERT.execute_many(self._c, rows, constants)
        except self._integrity_errors as error:
            raise ConcurrentWrite(str(error)) from error

    def update(self, source_id: str, changed: Sequence[SyncedUser]) -> None:
        rows = [
            {
                "b_id": user.id,
                "b_source_id": source_id,
                "email": user.email,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "principal_username": user.username,
                "alternate_username": user.alternate_username,
                "status": user.status.value,
            }
            for user in changed
        ]
        try:
            matched = _UPDATE.execute_many(self._c, rows)
        except self._integrity_errors as error:
            raise ConcurrentWrite(str(error)) from error
        _checked(matched, len(rows))

    def touch(self, user_ids: Sequence[str], now: datetime) -> None:
        """Record a successful sync of these users."""
        _TOUCH.execute_many(self._c, [{"b_id": user_id} for user_id in user_ids], {"b_now": now})

    def disable(self, source_id: str, user_ids: Sequence[str]) -> None:
        rows = [{"b_id": user_id} for user_id in user_ids]
        _DISABLE.execute_many(self._c, rows, {"b_source_id": source_id})

    def page(self, source_id: str, after: str, limit: int) -> list[tuple[str, str, UserStatus]]:
        """(id, directory id, status) of the source's users after `after` in id order."""
        rows = _PAGE.all(self._c, {"source_id": source_id, "after": after, "limit": limit})
        return [(row.id, row.primary_unique_identifier, UserStatus(row.status)) for row in rows]
