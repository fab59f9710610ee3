"""Replies to recent RADIUS requests, so that a retransmit is answered without a second
verification whichever worker receives it (see docs/radius.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection, Executable, Table, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from mfadesk.store.tables import radius_replies as replies
from mfadesk.store.timestamps import as_utc

_c = replies.c


def _claim(insert: Callable[[Table], postgresql.Insert | sqlite.Insert]) -> Executable:
    # RETURNING says whether a row went in (psycopg's rowcount does not, with ON CONFLICT).
    return (
        insert(replies)
        .on_conflict_do_nothing(index_elements=[_c.request_key])
        .returning(_c.request_key)
    )


# A second claim of one key waits for the first claimant's transaction (PostgreSQL: on the
# primary key; SQLite: on the write lock), then finds the row and inserts nothing.
_CLAIM = {"postgresql": _claim(postgresql.insert), "sqlite": _claim(sqlite.insert)}
_GET = select(_c.reply, _c.expires_at).where(_c.request_key == bindparam("b_key"))
_RENEW = (
    update(replies)
    .where(_c.request_key == bindparam("b_key"))
    .values(reply=None, expires_at=bindparam("expires_at"))
)
_ANSWER = update(replies).where(_c.request_key == bindparam("b_key")).values(reply=bindparam("r"))
_PURGE = delete(replies).where(_c.expires_at <= bindparam("before"))


class RadiusReplyRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def claim(self, key: str, expires_at: datetime) -> bool:
        """Whether this transaction is the first to answer the request ``key``."""
        statement = _CLAIM[self._c.dialect.name]
        claimed = self._c.execute(statement, {"request_key": key, "expires_at": expires_at})
        return claimed.one_or_none() is not None

    def get(self, key: str) -> tuple[bytes | None, datetime] | None:
        """The stored reply (None: the request got none) and when it expires."""
        row = self._c.execute(_GET, {"b_key": key}).one_or_none()
        if row is None:
            return None
        return (None if row.reply is None else bytes(row.reply)), as_utc(row.expires_at)

    def renew(self, key: str, expires_at: datetime) -> None:
        """An expired entry taken over by a new request with the same key."""
        self._c.execute(_RENEW, {"b_key": key, "expires_at": expires_at})

    def answer(self, key: str, reply: bytes | None) -> None:
        self._c.execute(_ANSWER, {"b_key": key, "r": reply})

    def purge_expired(self, now: datetime) -> int:
        return int(self._c.execute(_PURGE, {"before": now}).rowcount)
