"""The users of a SCIM source, as the provisioning client sees them: found by what the client
calls them, and updated with what it says (e-mail, names, status, user name, external id)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, select, update

from mfadesk.domain.scim import ScimUserQuery
from mfadesk.domain.users import User, UserStatus
from mfadesk.store.dialects import insert_unless_present
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

    def add(self, user: User) -> bool:
        """Insert the user unless a concurrent transaction took its e-mail or external id
        first (a unique constraint); whether it went in."""
        values = {
            "id": user.id,
            "company_id": user.company_id,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "status": user.status.value,
            "mark_deleted": False,
            "created_at": user.created_at,
            "source_id": user.source_id,
            "principal_username": user.principal_username,
            "primary_unique_identifier": user.primary_unique_identifier,
            "last_sync_time": user.last_sync_time,
        }
        return insert_unless_present(self._c, users, values)

    def by_source_uid(self, source_id: str, unique_id: str) -> User | None:
        query = select(users).where(
            users.c.source_id == source_id, users.c.primary_unique_identifier == unique_id
        )
        row = self._c.execute(query).first()
        return None if row is None else _to_user(row)

    def principal_taken(self, company_id: str, username: str, except_user_id: str) -> bool:
        """Another user of the company signs in as `username` (any case): by their principal
        username, or by their e-mail when they have none. Two lookups, each on an index (the
        principal usernames' expression index, the company's e-mails)."""
        name = username.lower()
        by_username = select(users.c.id).where(
            users.c.company_id == company_id,
            func.lower(users.c.principal_username) == name,
            users.c.id != except_user_id,
        )
        by_email = select(users.c.id).where(
            users.c.company_id == company_id,
            users.c.email == name,
            users.c.principal_username.is_(None),
            users.c.id != except_user_id,
        )
        return any(
            self._c.execute(query.limit(1)).first() is not None for query in (by_username, by_email)
        )

    def _of_source(self, company_id: str, source_id: str, query: ScimUserQuery) -> Any:
        # The company too, so that a userName is found through the company's index on it.
        conditions = [users.c.company_id == company_id, users.c.source_id == source_id]
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

    def count_of_source(self, company_id: str, source_id: str, query: ScimUserQuery) -> int:
        matching = self._of_source(company_id, source_id, query)
        statement = select(func.count()).select_from(users).where(matching)
        return int(self._c.execute(statement).scalar_one())

    def page_of_source(
        self, company_id: str, source_id: str, query: ScimUserQuery, limit: int, offset: int
    ) -> list[User]:
        """Matching users of the source, oldest first (ties by id), one page."""
        statement = (
            select(users)
            .where(self._of_source(company_id, source_id, query))
            .order_by(users.c.created_at, users.c.id)
            .limit(limit)
            .offset(offset)
        )
        return [_to_user(row) for row in self._c.execute(statement)]
