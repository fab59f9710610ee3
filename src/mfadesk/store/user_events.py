"""The user event log: appended without a lock, numbered gap-free before it is read.

Authentications must not queue behind one another to take a number, so ``append`` inserts an
unnumbered row. ``assign_sequence`` then numbers every committed, unnumbered row in insertion
order, from the highest number so far — under a lock held to the end of its transaction
(SQLite's write lock, a PostgreSQL transaction-level advisory lock). Numbers are
therefore gap-free and only ever grow; ``count``/``page`` read numbered rows only, so run the
sequencer first, in the same transaction (``services.user_events.user_event_page`` does).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    bindparam,
    func,
    insert,
    select,
    text,
    update,
)

from mfadesk.domain.event_logs import TimeWindow
from mfadesk.domain.user_events import (
    StoredUserEvent,
    UserEvent,
    UserEventReason,
    UserEventResult,
)
from mfadesk.store.tables import user_events as events
from mfadesk.store.timestamps import as_utc

_PG_LOCK_KEY = 0x6D666175  # any fixed number, distinct from the migration lock
_PG_LOCK = text("SELECT pg_advisory_xact_lock(:k)").bindparams(k=_PG_LOCK_KEY)
_LAST_SEQ = select(func.coalesce(func.max(events.c.seq), 0))
_UNNUMBERED = select(events.c.id).where(events.c.seq.is_(None)).order_by(events.c.id)
_NUMBER = update(events).where(events.c.id == bindparam("b_id")).values(seq=bindparam("b_seq"))
_INSERT = insert(events)


def _to_stored(row: Any) -> StoredUserEvent:
    event = UserEvent(
        occurred_at=as_utc(row.occurred_at),
        company_id=row.company_id,
        subject_name=row.subject_name,
        result=UserEventResult(row.result),
        reason=UserEventReason(row.reason),
        authn_key_name=row.authn_key_name,
        user_id=row.user_id,
        method=row.method,
        client_id=row.client_id,
        source_ip=row.source_ip,
        attempt_id=row.attempt_id,
        credential_serial=row.credential_serial,
    )
    return StoredUserEvent(seq=row.seq, event_id=row.event_id, event=event)


def _window(
    company_id: str, after: datetime | None, until: datetime | None
) -> list[ColumnElement[bool]]:
    conditions = [events.c.company_id == company_id, events.c.seq.is_not(None)]
    if after is not None:
        conditions.append(events.c.occurred_at > after)
    if until is not None:
        conditions.append(events.c.occurred_at <= until)
    return conditions


# A company's numbered events in an export window, up to a snapshot's newest seq, by seq.
_IN_EXPORT_WINDOW = (
    events.c.company_id == bindparam("company_id"),
    events.c.occurred_at > bindparam("after"),
    events.c.occurred_at <= bindparam("until"),
    events.c.seq <= bindparam("high_seq"),
)
_COUNT_IN_EXPORT_WINDOW = select(func.count()).select_from(events).where(*_IN_EXPORT_WINDOW)
_PAGE_IN_EXPORT_WINDOW = (
    select(events)
    .where(*_IN_EXPORT_WINDOW)
    .order_by(events.c.seq)
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)


def _export_params(company_id: str, window: TimeWindow, high_seq: int) -> dict[str, Any]:
    return {
        "company_id": company_id,
        "after": window.stored_after,
        "until": window.stored_until,
        "high_seq": high_seq,
    }


class UserEventRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection
        self._postgres = connection.dialect.name == "postgresql"

    def append(self, event: UserEvent, event_id: str) -> None:
        self._c.execute(
            _INSERT,
            {
                "event_id": event_id,
                "seq": None,
                "occurred_at": event.occurred_at,
                "company_id": event.company_id,
                "user_id": event.user_id,
                "subject_name": event.subject_name[:320],
                "method": event.method[:64] if event.method else None,
                "result": event.result.value,
                "reason": event.reason.value,
                "credential_serial": event.credential_serial,
                "client_id": event.client_id[:255] if event.client_id else None,
                "authn_key_name": event.authn_key_name,
                "source_ip": event.source_ip,
                "attempt_id": event.attempt_id,
            },
        )

    def assign_sequence(self) -> int:
        """Number the committed, unnumbered events; how many were numbered."""
        if self._postgres:
            self._c.execute(_PG_LOCK)
        pending = list(self._c.execute(_UNNUMBERED).scalars())
        if not pending:
            return 0
        last = int(self._c.execute(_LAST_SEQ).scalar_one())
        self._c.execute(
            _NUMBER, [{"b_id": row_id, "b_seq": last + n} for n, row_id in enumerate(pending, 1)]
        )
        return len(pending)

    def head_seq(self) -> int:
        """The newest sequence number given so far (0 when none)."""
        return int(self._c.execute(_LAST_SEQ).scalar_one())

    def count_in_window(self, company_id: str, window: TimeWindow, high_seq: int) -> int:
        params = _export_params(company_id, window, high_seq)
        return int(self._c.execute(_COUNT_IN_EXPORT_WINDOW, params).scalar_one())

    def page_in_window(
        self, company_id: str, window: TimeWindow, high_seq: int, offset: int, limit: int
    ) -> list[StoredUserEvent]:
        params = {**_export_params(company_id, window, high_seq), "offset": offset, "limit": limit}
        return [_to_stored(row) for row in self._c.execute(_PAGE_IN_EXPORT_WINDOW, params)]

    def count(
        self, company_id: str, after: datetime | None = None, until: datetime | None = None
    ) -> int:
        """How many numbered events of the company lie in ``(after, until]``."""
        query = select(func.count()).select_from(events).where(*_window(company_id, after, until))
        return int(self._c.execute(query).scalar_one())

    def page(
        self,
        company_id: str,
        after: datetime | None = None,
        until: datetime | None = None,
        *,
        offset: int = 0,
        limit: int = 100,
    ) -> list[StoredUserEvent]:
        """Numbered events of the company in ``(after, until]``, by ``seq``."""
        query = (
            select(events)
            .where(*_window(company_id, after, until))
            .order_by(events.c.seq)
            .offset(offset)
            .limit(limit)
        )
        return [_to_stored(row) for row in self._c.execute(query)]


to_stored_event = _to_stored  # the console's recent events of a user
