"""The users of a SCIM source, as the provisioning client sees them: found by what the client
calls them, and updated with what it says (e-mail, names, status, user name, external id)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, or_, select, update

from mfadesk.domain.scim import ScimUserQuery
from mfadesk.domain.users import User, UserStatus
from mfadesk.store.tables import users
from mfadesk.store.users import _to_user

_SAVE_IDENTITY = (
    update(users)
    .where(users.c.id == bindparam("b_id"))
    .values(
        email=bindparam("email"),
        first_name=bindparam("first_name"),
        last_name=bindparam("last_name"),
        status=bindparam("status"),
        principal_username=bindparam("principal_username"),
        primary_unique_identifier=bindparam("primary_unique_identifier"),
        last_sync_time=bindparam("last_sync_time"),
    )
)


class ScimUserRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def save_identity(self, user: User) -> None:
        self._c.execute(
            _SAVE_IDENTITY,
            {
                "b_id": user.id,
                "email": user.email,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "status": user.status.value,
                "principal_username": user.principal_username,
                "primary_unique_identifier": user.primary_unique_identifier,
                "last_sync_time": user.last_sync_time,
            },
        )

    def by_source_uid(self, source_id: str, unique_id: str) -> User | None:
        query = select(users).where(
            users.c.source_id == source_id, users.c.primary_unique_identifier == unique_id
        )
        row = self._c.execute(query).first()
        return None if row is None else _to_user(row)

    def principal_taken(self, company_id: str, username: str, except_user_id: str) -> bool:
        """Another user of the company signs in as `username` (any case)."""
        name = username.lower()
        taken = or_(
            func.lower(users.c.principal_username) == name,
            (users.c.principal_username.is_(None)) & (users.c.email == name),
        )
        statement = (
            select(users.c.id)
            .where(users.c.company_id == company_id, users.c.id != except_user_id, taken)
            .limit(1)
        )
        return self._c.execute(statement).first() is not None

    def _of_source(self, source_id: str, query: ScimUserQuery) -> Any:
        conditions = [users.c.source_id == source_id]
        if query.user_id is not None:
            conditions.append(users.c.id == query.user_id)
        if query.user_name is not None:
            conditions.append(func.lower(users.c.principal_username) == query.user_name.lower())
        if query.external_id is not None:
            conditions.append(users.c.primary_unique_identifier == query.external_id)
        if query.email is not None:
            conditions.append(users.c.email == query.email.strip().lower())
        if query.active is not None:
            status = UserStatus.ENABLED if query.active else UserStatus.DISABLED
            conditions.append(users.c.status == status.value)
        return and_(*conditions)

    def count_of_source(self, source_id: str, query: ScimUserQuery) -> int:
        statement = select(func.count()).select_from(users).where(self._of_source(source_id, query))
        return int(self._c.execute(statement).scalar_one())

    def page_of_source(
        self, source_id: str, query: ScimUserQuery, limit: int, offset: int
    ) -> list[User]:
        """Matching users of the source, oldest first (ties by id), one page."""
        statement = (
            select(users)
            .where(self._of_source(source_id, query))
            .order_by(users.c.created_at, users.c.id)
            .limit(limit)
            .offset(offset)
        )
        return [_to_user(row) for row in self._c.execute(statement)]
