"""Token buckets shared by every worker process through the database (see `api.rate_limit`)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, Executable, Table, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from mfadesk.domain.rate_buckets import Bucket
from mfadesk.store.tables import rate_buckets

_c = rate_buckets.c


def _create_full(insert: Callable[[Table], postgresql.Insert | sqlite.Insert]) -> Executable:
    return insert(rate_buckets).on_conflict_do_nothing(index_elements=[_c.key])


# The row exists before it is read FOR UPDATE, so two workers' first takes serialise on it.
_CREATE = {"postgresql": _create_full(postgresql.insert), "sqlite": _create_full(sqlite.insert)}
_GET = select(_c.tokens, _c.at).where(_c.key == bindparam("b_key")).with_for_update()
_SAVE = update(rate_buckets).where(_c.key == bindparam("b_key"))
_PURGE = delete(rate_buckets).where(_c.at < bindparam("before"))


class RateBucketRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def lock(self, key: str, full: Bucket) -> Bucket:
        """The bucket under `key` (created as `full` if new), locked until the transaction ends."""
        self._c.execute(
            _CREATE[self._c.dialect.name], {"key": key, "tokens": full.tokens, "at": full.at}
        )
        row = self._c.execute(_GET, {"b_key": key}).one()
        return Bucket(row.tokens, row.at)

    def save(self, key: str, bucket: Bucket) -> None:
        self._c.execute(_SAVE, {"b_key": key, "tokens": bucket.tokens, "at": bucket.at})

    def forget_older_than(self, before: float) -> int:
        """Drop buckets untouched since `before` (refilled by now: forgetting changes nothing)."""
        return int(self._c.execute(_PURGE, {"before": before}).rowcount)
