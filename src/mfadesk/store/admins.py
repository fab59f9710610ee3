"""Administrators and the public halves of their API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from mfadesk.domain.admins import Admin, ApiKey, Role
from mfadesk.store.prepared import Prepared
from mfadesk.store.tables import admins, api_keys
from mfadesk.store.timestamps import as_utc, as_utc_or_none

_BY_ACCESS_ID = Prepared(
    select(
        admins,
        api_keys.c.access_id,
        api_keys.c.public_key_pem,
        api_keys.c.revoked_at,
        api_keys.c.expires_at,
    )
    .join(api_keys, api_keys.c.admin_id == admins.c.id)
    .where(api_keys.c.access_id == bindparam("access_id"))
)
_BY_EMAIL = Prepared(
    select(admins).where(
        admins.c.email == bindparam("email"), admins.c.company_id == bindparam("company_id")
    )
)


def _to_admin(row: Any) -> Admin:
    return Admin(id=row.id, company_id=row.company_id, email=row.email, role=Role(row.role))


class AdminRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def by_access_id(self, access_id: str) -> tuple[Admin, ApiKey] | None:
        row = _BY_ACCESS_ID.one_or_none(self._c, {"access_id": access_id})
        if row is None:
            return None
        key = ApiKey(
            access_id=row.access_id,
            admin_id=row.id,
            public_key_pem=row.public_key_pem,
            revoked=row.revoked_at is not None,
            expires_at=as_utc_or_none(row.expires_at),
        )
        return _to_admin(row), key

    def get(self, admin_id: str) -> Admin | None:
        row = self._c.execute(select(admins).where(admins.c.id == admin_id)).first()
        return None if row is None else _to_admin(row)

    def all_by_email(self, email: str) -> list[Admin]:
        """The administrators with this e-mail, in every company (the console's sign-in)."""
        rows = self._c.execute(select(admins).where(admins.c.email == email).order_by(admins.c.id))
        return [_to_admin(row) for row in rows]

    def of_company(self, company_id: str) -> list[Admin]:
        rows = self._c.execute(
            select(admins).where(admins.c.company_id == company_id).order_by(admins.c.email)
        )
        return [_to_admin(row) for row in rows]

    def keys_of(self, admin_id: str) -> list[tuple[ApiKey, str, datetime]]:
        """The administrator's API keys with their descriptions and creation times."""
        rows = self._c.execute(
            select(api_keys).where(api_keys.c.admin_id == admin_id).order_by(api_keys.c.created_at)
        )
        return [
            (
                ApiKey(
                    access_id=row.access_id,
                    admin_id=row.admin_id,
                    public_key_pem=row.public_key_pem,
                    revoked=row.revoked_at is not None,
                    expires_at=as_utc_or_none(row.expires_at),
                ),
                row.description,
                as_utc(row.created_at),
            )
            for row in rows
        ]

    def get_by_email(self, company_id: str, email: str) -> Admin | None:
        row = _BY_EMAIL.one_or_none(self._c, {"email": email, "company_id": company_id})
        return None if row is None else _to_admin(row)

    def add(self, admin: Admin) -> None:
        self._c.execute(
            insert(admins).values(
                id=admin.id, company_id=admin.company_id, email=admin.email, role=admin.role.value
            )
        )

    def set_role(self, admin_id: str, role: Role) -> None:
        self._c.execute(update(admins).where(admins.c.id == admin_id).values(role=role.value))

    def add_key(self, key: ApiKey, description: str, now: datetime) -> None:
        self._c.execute(
            insert(api_keys).values(
                access_id=key.access_id,
                admin_id=key.admin_id,
                public_key_pem=key.public_key_pem,
                description=description,
                created_at=now,
                expires_at=key.expires_at,
            )
        )

    def revoke_key(self, access_id: str, now: datetime) -> bool:
        result = self._c.execute(
            update(api_keys)
            .where(api_keys.c.access_id == access_id, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return result.rowcount > 0
