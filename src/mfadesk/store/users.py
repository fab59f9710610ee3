"""Users."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, or_, select, update

from mfadesk.domain.lockout import Lockout
from mfadesk.domain.users import User, UserStatus
from mfadesk.store.prepared import Prepared
from mfadesk.store.tables import MARKED_DELETED, users
from mfadesk.store.timestamps import as_utc_or_none

_BY_ID = Prepared(
    select(users).where(
        users.c.id == bindparam("id"), users.c.company_id == bindparam("company_id")
    )
)
_BY_ID_FOR_UPDATE = Prepared(
    select(users)
    .where(users.c.id == bindparam("id"), users.c.company_id == bindparam("company_id"))
    .with_for_update()
)
_BY_EMAIL = Prepared(
    select(users).where(
        users.c.email == bindparam("email"), users.c.company_id == bindparam("company_id")
    )
)
_BY_EMAIL_FOR_UPDATE = Prepared(
    select(users)
    .where(users.c.email == bindparam("email"), users.c.company_id == bindparam("company_id"))
    .with_for_update()
)
# Two rows at most: a name two users of the company share (from two sources) names neither.
_BY_USERNAME = Prepared(
    select(users)
    .where(
        users.c.company_id == bindparam("company_id"),
        func.lower(users.c.principal_username) == bindparam("username"),
    )
    .limit(2)
)
_BY_USERNAME_FOR_UPDATE = Prepared(
    select(users)
    .where(
        users.c.company_id == bindparam("company_id"),
        func.lower(users.c.principal_username) == bindparam("username"),
    )
    .limit(2)
    .with_for_update()
)
_SAVE_AUTHN_LOCKOUT = Prepared(
    update(users)
    .where(users.c.id == bindparam("b_id"))
    .values(
        authn_failed_attempts=bindparam("failures"), authn_locked_until=bindparam("locked_until")
    )
)
# Run on every enable of a token or device: matching no row (so writing nothing) unless counted.
_CLEAR_AUTHN_LOCKOUT = Prepared(
    update(users)
    .where(
        users.c.id == bindparam("b_id"),
        users.c.company_id == bindparam("b_company_id"),
        or_(users.c.authn_failed_attempts > 0, users.c.authn_locked_until.is_not(None)),
    )
    .values(authn_failed_attempts=0, authn_locked_until=None)
)
# `/` escapes the LIKE wildcards of the user's text (see `_contains`); e-mails are stored in
# lower case, so a lower-case needle makes the search case-insensitive and index-friendly.
_MATCHING = (users.c.company_id == bindparam("company_id")) & users.c.email.like(
    bindparam("pattern"), escape="/"
)
_COUNT_MATCHING = select(func.count()).select_from(users).where(_MATCHING)
_PAGE_MATCHING = (
    select(users)
    .where(_MATCHING)
    .order_by(users.c.email)
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)
_SAVE = (
    update(users)
    .where(users.c.id == bindparam("b_id"))
    .values(
        first_name=bindparam("first_name"),
        last_name=bindparam("last_name"),
        status=bindparam("status"),
        mark_deleted=bindparam("mark_deleted"),
        mark_deleted_at=bindparam("mark_deleted_at"),
        mark_deleted_by=bindparam("mark_deleted_by"),
    )
)


def _to_user(row: Any) -> User:
    return User(
        id=row.id,
        company_id=row.company_id,
        email=row.email,
        first_name=row.first_name,
        last_name=row.last_name,
        status=UserStatus(row.status),
        mark_deleted=row.mark_deleted,
        created_at=as_utc_or_none(row.created_at),
        mark_deleted_at=as_utc_or_none(row.mark_deleted_at),
        mark_deleted_by=row.mark_deleted_by,
        authn_lockout=Lockout(row.authn_failed_attempts, as_utc_or_none(row.authn_locked_until)),
        source_id=row.source_id,
        principal_username=row.principal_username,
        alternate_username=row.alternate_username,
        primary_unique_identifier=row.primary_unique_identifier,
        last_sync_time=as_utc_or_none(row.last_sync_time),
    )


def _contains(text: str) -> str:
    """A LIKE pattern matching `text` literally anywhere: its own % and _ are not wildcards."""
    escaped = text.lower().replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"


class UserRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self, company_id: str, user_id: str, *, for_update: bool = False) -> User | None:
        statement = _BY_ID_FOR_UPDATE if for_update else _BY_ID
        row = statement.one_or_none(self._c, {"id": user_id, "company_id": company_id})
        return None if row is None else _to_user(row)

    def get_by_email(self, company_id: str, email: str, *, for_update: bool = False) -> User | None:
        """`email` must already be normalised (lower case)."""
        statement = _BY_EMAIL_FOR_UPDATE if for_update else _BY_EMAIL
        row = statement.one_or_none(self._c, {"email": email, "company_id": company_id})
        return None if row is None else _to_user(row)

    def get_by_principal_username(
        self, company_id: str, username: str, *, for_update: bool = False
    ) -> User | None:
        """The one user whose principal username is `username` in any case (None if none, or
        if two users of different sources share it)."""
        statement = _BY_USERNAME_FOR_UPDATE if for_update else _BY_USERNAME
        found = statement.all(self._c, {"company_id": company_id, "username": username.lower()})
        return _to_user(found[0]) if len(found) == 1 else None

    def username_taken(self, company_id: str, username: str) -> bool:
        """Some user of the company signs in as `username` (any case): their principal username,
        or their e-mail when they have none. Not indexed: for the rare Create Local User."""
        name = username.lower()
        taken = or_(
            func.lower(users.c.principal_username) == name,
            (users.c.principal_username.is_(None)) & (users.c.email == name),
        )
        statement = select(users.c.id).where(users.c.company_id == company_id, taken).limit(1)
        return self._c.execute(statement).first() is not None

    def count_email_containing(self, company_id: str, text: str) -> int:
        params = {"company_id": company_id, "pattern": _contains(text)}
        return int(self._c.execute(_COUNT_MATCHING, params).scalar_one())

    def email_containing(self, company_id: str, text: str, limit: int, offset: int) -> list[User]:
        """One page of the users whose e-mail contains `text` (any case), sorted by e-mail."""
        params = {
            "company_id": company_id,
            "pattern": _contains(text),
            "limit": limit,
            "offset": offset,
        }
        return [_to_user(r) for r in self._c.execute(_PAGE_MATCHING, params)]

    def add(self, user: User) -> None:
        if user.source_id is None:
            raise ValueError("a user must belong to an identity source")
        self._c.execute(
            insert(users).values(
                id=user.id,
                company_id=user.company_id,
                email=user.email,
                first_name=user.first_name,
                last_name=user.last_name,
                status=user.status.value,
                mark_deleted=user.mark_deleted,
                created_at=user.created_at,
                mark_deleted_at=user.mark_deleted_at,
                mark_deleted_by=user.mark_deleted_by,
                source_id=user.source_id,
                principal_username=user.principal_username,
                alternate_username=user.alternate_username,
                primary_unique_identifier=user.primary_unique_identifier,
                last_sync_time=user.last_sync_time,
            )
        )

    def save(self, user: User) -> None:
        self._c.execute(
            _SAVE,
            {
                "b_id": user.id,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "status": user.status.value,
                "mark_deleted": user.mark_deleted,
                "mark_deleted_at": user.mark_deleted_at,
                "mark_deleted_by": user.mark_deleted_by,
            },
        )

    def delete(self, user_id: str) -> None:
        """Remove the user's row (what refers to it must be gone or detached first)."""
        self._c.execute(delete(users).where(users.c.id == user_id))

    def marked_deleted_before(self, cutoff: datetime, limit: int) -> list[tuple[str, str]]:
        """(company id, user id) of up to `limit` users marked deleted at or before `cutoff`."""
        query = (
            select(users.c.company_id, users.c.id)
            .where(MARKED_DELETED, users.c.mark_deleted_at <= cutoff)
            .order_by(users.c.mark_deleted_at, users.c.id)
            .limit(limit)
        )
        return [(row.company_id, row.id) for row in self._c.execute(query)]

    def save_authn_lockout(self, user_id: str, lockout: Lockout) -> None:
        """The user's count of failed verifications (its row read `for_update`)."""
        _SAVE_AUTHN_LOCKOUT.execute(
            self._c,
            {"b_id": user_id, "failures": lockout.failures, "locked_until": lockout.locked_until},
        )

    def clear_authn_lockout(self, company_id: str, user_id: str) -> bool:
        """Forget the user's failed verifications (an administrator let them in again)."""
        params = {"b_id": user_id, "b_company_id": company_id}
        return _CLEAR_AUTHN_LOCKOUT.execute(self._c, params) > 0
