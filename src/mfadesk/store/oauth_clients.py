"""OAuth API clients, the hashes of their access tokens, and the jtis of used assertions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Executable, Table, bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from mfadesk.domain.admins import Admin, Role
from mfadesk.domain.oauth_clients import AccessToken, OAuthClient
from mfadesk.store.prepared import Prepared
from mfadesk.store.tables import oauth_access_tokens as tokens
from mfadesk.store.tables import oauth_assertion_jtis as jtis
from mfadesk.store.tables import oauth_clients as clients
from mfadesk.store.timestamps import as_utc, as_utc_or_none

_CLIENT_COLUMNS = tuple(clients.c)
_BY_ID = Prepared(select(*_CLIENT_COLUMNS).where(clients.c.id == bindparam("id")))
_BY_NAME = select(*_CLIENT_COLUMNS).where(
    clients.c.company_id == bindparam("company_id"), clients.c.name == bindparam("name")
)
_OF_COMPANY = (
    select(*_CLIENT_COLUMNS)
    .where(clients.c.company_id == bindparam("company_id"))
    .order_by(clients.c.name)
)
# The hot path: one read per admin request, as the legacy key's admin + key join.
_BY_TOKEN = Prepared(
    select(
        *_CLIENT_COLUMNS,
        tokens.c.token_hash,
        tokens.c.scopes.label("token_scopes"),
        tokens.c.expires_at.label("token_expires_at"),
    )
    .join(clients, clients.c.id == tokens.c.client_id)
    .where(tokens.c.token_hash == bindparam("token_hash"))
)
# The hot path's read, in each use case's transaction: only what the actor and the checks need.
_ACTOR_BY_TOKEN = Prepared(
    select(
        clients.c.id,
        clients.c.company_id,
        clients.c.name,
        clients.c.role,
        clients.c.revoked_at,
        tokens.c.expires_at,
    )
    .join(clients, clients.c.id == tokens.c.client_id)
    .where(tokens.c.token_hash == bindparam("token_hash"))
)
_REVOKE = (
    update(clients)
    .where(clients.c.id == bindparam("b_id"), clients.c.revoked_at.is_(None))
    .values(revoked_at=bindparam("revoked_at"))
)
_PURGE_TOKENS = delete(tokens).where(
    tokens.c.client_id == bindparam("client_id"), tokens.c.expires_at < bindparam("before")
)
_PURGE_JTIS = delete(jtis).where(
    jtis.c.client_id == bindparam("client_id"), jtis.c.expires_at < bindparam("before")
)


def _record_jti(insert_for: Callable[[Table], postgresql.Insert | sqlite.Insert]) -> Executable:
    statement = insert_for(jtis).on_conflict_do_nothing(
        index_elements=[jtis.c.client_id, jtis.c.jti]
    )
    return statement.returning(jtis.c.jti)  # a row back: inserted (rowcount is -1 on psycopg)


# One statement that tells a first use from a replay, without an error, on both backends.
_RECORD_JTI = {"postgresql": _record_jti(postgresql.insert), "sqlite": _record_jti(sqlite.insert)}


def _scopes(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _to_client(row: Any) -> OAuthClient:
    return OAuthClient(
        id=row.id,
        company_id=row.company_id,
        name=row.name,
        role=Role(row.role),
        scopes=_scopes(row.scopes),
        public_jwk=row.public_jwk,
        key_id=row.key_id,
        created_at=as_utc(row.created_at),
        revoked_at=as_utc_or_none(row.revoked_at),
    )


class OAuthClientRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self, client_id: str) -> OAuthClient | None:
        row = _BY_ID.one_or_none(self._c, {"id": client_id})
        return None if row is None else _to_client(row)

    def by_name(self, company_id: str, name: str) -> OAuthClient | None:
        row = self._c.execute(_BY_NAME, {"company_id": company_id, "name": name}).one_or_none()
        return None if row is None else _to_client(row)

    def of_company(self, company_id: str) -> list[OAuthClient]:
        return [_to_client(r) for r in self._c.execute(_OF_COMPANY, {"company_id": company_id})]

    def add(self, client: OAuthClient, scopes_text: str) -> None:
        self._c.execute(
            insert(clients).values(
                id=client.id,
                company_id=client.company_id,
                name=client.name,
                role=client.role.value,
                scopes=scopes_text,
                public_jwk=client.public_jwk,
                key_id=client.key_id,
                created_at=client.created_at,
            )
        )

    def revoke(self, client_id: str, now: datetime) -> bool:
        return self._c.execute(_REVOKE, {"b_id": client_id, "revoked_at": now}).rowcount > 0

    def by_token(self, token_hash: str) -> tuple[OAuthClient, AccessToken] | None:
        row = _BY_TOKEN.one_or_none(self._c, {"token_hash": token_hash})
        if row is None:
            return None
        token = AccessToken(
            token_hash=row.token_hash,
            client_id=row.id,
            scopes=_scopes(row.token_scopes),
            expires_at=as_utc(row.token_expires_at),
        )
        return _to_client(row), token

    def actor_by_token(self, token_hash: str) -> tuple[Admin, bool, datetime] | None:
        """The client a token belongs to, as the actor of its calls; whether the client is
        revoked; when the token expires."""
        row = _ACTOR_BY_TOKEN.one_or_none(self._c, {"token_hash": token_hash})
        if row is None:
            return None
        actor = Admin(id=row.id, company_id=row.company_id, email=row.name, role=Role(row.role))
        return actor, row.revoked_at is not None, as_utc(row.expires_at)

    def add_token(self, token: AccessToken, scopes_text: str, now: datetime) -> None:
        self._c.execute(
            insert(tokens).values(
                token_hash=token.token_hash,
                client_id=token.client_id,
                scopes=scopes_text,
                expires_at=token.expires_at,
                created_at=now,
            )
        )

    def record_jti(self, client_id: str, jti: str, keep_until: datetime) -> bool:
        """True the first time this client's `jti` is seen (until `keep_until`), else False."""
        statement = _RECORD_JTI[self._c.dialect.name]
        values = {"client_id": client_id, "jti": jti, "expires_at": keep_until}
        return self._c.execute(statement, values).first() is not None

    def purge_expired(self, client_id: str, now: datetime) -> None:
        """Forget the client's expired tokens and the jtis that could not be replayed anyway."""
        self._c.execute(_PURGE_TOKENS, {"client_id": client_id, "before": now})
        self._c.execute(_PURGE_JTIS, {"client_id": client_id, "before": now})
