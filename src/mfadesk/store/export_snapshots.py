"""Snapshots of exports in progress (see `domain.event_logs.ExportSnapshot`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection, Executable, Table, bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from mfadesk.domain.event_logs import ExportSnapshot
from mfadesk.store.tables import export_snapshots
from mfadesk.store.timestamps import as_utc

_GET = select(export_snapshots).where(export_snapshots.c.key == bindparam("key"))
_PURGE = delete(export_snapshots).where(export_snapshots.c.taken_at < bindparam("cutoff"))


def _upsert(insert: Callable[[Table], postgresql.Insert | sqlite.Insert]) -> Executable:
    statement = insert(export_snapshots)
    return statement.on_conflict_do_update(
        index_elements=[export_snapshots.c.key],
        set_={
            "high_seq": statement.excluded.high_seq,
            "total": statement.excluded.total,
            "taken_at": statement.excluded.taken_at,
        },
    )


_UPSERT = {"postgresql": _upsert(postgresql.insert), "sqlite": _upsert(sqlite.insert)}


class ExportSnapshotRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self, key: str) -> ExportSnapshot | None:
        row = self._c.execute(_GET, {"key": key}).one_or_none()
        if row is None:
            return None
        return ExportSnapshot(row.key, row.high_seq, row.total, as_utc(row.taken_at))

    def put(self, snapshot: ExportSnapshot) -> None:
        """Insert or replace (two exports racing for one key both end with a valid snapshot)."""
        self._c.execute(
            _UPSERT[self._c.dialect.name],
            {
                "key": snapshot.key,
                "high_seq": snapshot.high_seq,
                "total": snapshot.total,
                "taken_at": snapshot.taken_at,
            },
        )

    def purge(self, taken_before: datetime) -> None:
        self._c.execute(_PURGE, {"cutoff": taken_before})
