"""Identity sources, and how many users each holds."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, select, update

from mfadesk.domain.identity_sources import IdentitySource, SourceKind
from mfadesk.store.dialects import insert_unless_present
from mfadesk.store.prepared import Prepared
from mfadesk.store.tables import identity_sources as sources
from mfadesk.store.tables import users
from mfadesk.store.timestamps import as_utc

_COLUMNS = [c for c in sources.c if c.name != "secrets"]
_BY_ID = Prepared(select(*_COLUMNS).where(sources.c.id == bindparam("id")))
_BY_NAME = Prepared(
    select(*_COLUMNS).where(
        sources.c.company_id == bindparam("company_id"), sources.c.name == bindparam("name")
    )
)
_MOVE_USERS_BATCH = 50_000


def _to_source(row: Any) -> IdentitySource:
    return IdentitySource(
        id=row.id,
        company_id=row.company_id,
        name=row.name,
        kind=SourceKind(row.kind),
        created_at=as_utc(row.created_at),
        config=json.loads(row.config),
    )


class SourceRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self, source_id: str) -> IdentitySource | None:
        row = _BY_ID.one_or_none(self._c, {"id": source_id})
        return None if row is None else _to_source(row)

    def by_name(self, company_id: str, name: str) -> IdentitySource | None:
        row = _BY_NAME.one_or_none(self._c, {"company_id": company_id, "name": name})
        return None if row is None else _to_source(row)

    def list(self, company_id: str) -> list[IdentitySource]:
        query = select(*_COLUMNS).where(sources.c.company_id == company_id).order_by(sources.c.name)
        return [_to_source(r) for r in self._c.execute(query)]

    def names(self, company_id: str) -> dict[str, str]:
        """Source id -> name, for the company's sources."""
        query = select(sources.c.id, sources.c.name).where(sources.c.company_id == company_id)
        return {row.id: row.name for row in self._c.execute(query)}

    def add(self, source: IdentitySource, secrets: bytes | None = None) -> bool:
        """Insert the source unless the company has one of that name already (a concurrent
        creator may have won); whether this call inserted it."""
        values = {
            "id": source.id,
            "company_id": source.company_id,
            "name": source.name,
            "kind": source.kind.value,
            "config": json.dumps(dict(source.config), sort_keys=True),
            "secrets": secrets,
            "created_at": source.created_at,
        }
        return insert_unless_present(self._c, sources, values)

    def secrets(self, source_id: str) -> bytes | None:
        """The sealed secret settings of the source (see `otp.source_secrets`)."""
        query = select(sources.c.secrets).where(sources.c.id == source_id)
        value = self._c.execute(query).scalar_one_or_none()
        return None if value is None else bytes(value)

    def count_users(self, source_id: str) -> int:
        query = select(func.count()).select_from(users).where(users.c.source_id == source_id)
        return int(self._c.execute(query).scalar_one())

    def move_users(self, from_id: str, to_id: str, status: str) -> int:
        """Move up to a batch of the source's users to another source, with `status`, dropping
        what only the old source knew (its unique id, the sync time); how many moved."""
        batch = (
            select(users.c.id)
            .where(users.c.source_id == from_id)
            .limit(_MOVE_USERS_BATCH)
            .scalar_subquery()
        )
        statement = (
            update(users)
            .where(users.c.id.in_(batch))
            .values(
                source_id=to_id,
                status=status,
                primary_unique_identifier=None,
                last_sync_time=None,
            )
        )
        return int(self._c.execute(statement).rowcount)

    def delete(self, source_id: str) -> None:
        self._c.execute(delete(sources).where(sources.c.id == source_id))

    def set_config(self, source_id: str, config: dict[str, Any]) -> None:
        """Replace the source's plain settings."""
        statement = (
            update(sources)
            .where(sources.c.id == source_id)
            .values(config=json.dumps(config, sort_keys=True))
        )
        self._c.execute(statement)
