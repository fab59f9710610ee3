"""Users."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from mfadesk.domain.users import User, UserStatus
from mfadesk.store.prepared import Prepared
from mfadesk.store.tables import users

_BY_ID = Prepared(
    select(users).where(
        users.c.id == bindparam("id"), users.c.company_id == bindparam("company_id")
    )
)
_BY_EMAIL = Prepared(
    select(users).where(
        users.c.email == bindparam("email"), users.c.company_id == bindparam("company_id")
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
    )


class UserRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self, company_id: str, user_id: str) -> User | None:
        row = _BY_ID.one_or_none(self._c, {"id": user_id, "company_id": company_id})
        return None if row is None else _to_user(row)

    def get_by_email(self, company_id: str, email: str) -> User | None:
        """`email` must already be normalised (lower case)."""
        row = _BY_EMAIL.one_or_none(self._c, {"email": email, "company_id": company_id})
        return None if row is None else _to_user(row)

    def add(self, user: User) -> None:
        self._c.execute(
            insert(users).values(
                id=user.id,
                company_id=user.company_id,
                email=user.email,
                first_name=user.first_name,
                last_name=user.last_name,
                status=user.status.value,
                mark_deleted=user.mark_deleted,
            )
        )

    def save(self, user: User) -> None:
        self._c.execute(
            update(users)
            .where(users.c.id == user.id)
            .values(
                first_name=user.first_name,
                last_name=user.last_name,
                status=user.status.value,
                mark_deleted=user.mark_deleted,
            )
        )
