"""Agents' API keys (hashes only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from mfadesk.domain.authn_keys import AuthnKey
from mfadesk.store.tables import authn_keys as keys
from mfadesk.store.timestamps import as_utc, as_utc_or_none

_COLUMNS = (
    keys.c.id,
    keys.c.company_id,
    keys.c.name,
    keys.c.created_at,
    keys.c.revoked_at,
)
_BY_HASH = select(*_COLUMNS).where(keys.c.key_hash == bindparam("key_hash"))
_BY_NAME = select(*_COLUMNS).where(
    keys.c.company_id == bindparam("company_id"), keys.c.name == bindparam("name")
)
_OF_COMPANY = select(*_COLUMNS).where(keys.c.company_id == bindparam("company_id"))
_REVOKE = (
    update(keys)
    .where(keys.c.id == bindparam("b_id"), keys.c.revoked_at.is_(None))
    .values(revoked_at=bindparam("revoked_at"))
)


def _to_key(row: Any) -> AuthnKey:
    return AuthnKey(
        id=row.id,
        company_id=row.company_id,
        name=row.name,
        created_at=as_utc(row.created_at),
        revoked_at=as_utc_or_none(row.revoked_at),
    )


class AuthnKeyRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def by_hash(self, key_hash: str) -> AuthnKey | None:
        row = self._c.execute(_BY_HASH, {"key_hash": key_hash}).one_or_none()
        return None if row is None else _to_key(row)

    def by_name(self, company_id: str, name: str) -> AuthnKey | None:
        row = self._c.execute(_BY_NAME, {"company_id": company_id, "name": name}).one_or_none()
        return None if row is None else _to_key(row)

    def of_company(self, company_id: str) -> list[AuthnKey]:
        rows = self._c.execute(_OF_COMPANY.order_by(keys.c.name), {"company_id": company_id})
        return [_to_key(row) for row in rows]

    def add(self, key: AuthnKey, key_hash: str) -> None:
        self._c.execute(
            insert(keys).values(
                id=key.id,
                company_id=key.company_id,
                name=key.name,
                key_hash=key_hash,
                created_at=key.created_at,
                revoked_at=key.revoked_at,
            )
        )

    def revoke(self, key_id: str, now: datetime) -> bool:
        return self._c.execute(_REVOKE, {"b_id": key_id, "revoked_at": now}).rowcount > 0
