"""Read-only figures the console shows: recent authentications, locks, tokens by status."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, func, select

from mfadesk.domain.user_events import StoredUserEvent
from mfadesk.store.tables import hardware_tokens, user_events, users
from mfadesk.store.timestamps import as_utc
from mfadesk.store.user_events import to_stored_event


class ConsoleReads:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def recent_events_of_user(
        self, company_id: str, user_id: str, limit: int
    ) -> list[StoredUserEvent]:
        rows = self._c.execute(
            select(user_events)
            .where(user_events.c.company_id == company_id, user_events.c.user_id == user_id)
            .order_by(user_events.c.id.desc())
            .limit(limit)
        )
        return [to_stored_event(row) for row in rows]

    def event_times(self, company_id: str, after: datetime) -> list[tuple[datetime, str]]:
        """When each of the company's authentication steps since `after` happened, and its
        result (at most 200 000: a chart, not an export)."""
        rows = self._c.execute(
            select(user_events.c.occurred_at, user_events.c.result)
            .where(user_events.c.company_id == company_id, user_events.c.occurred_at > after)
            .limit(200_000)
        )
        return [(as_utc(row.occurred_at), str(row.result)) for row in rows]

    def locked_users(self, company_id: str, max_failures: int, now: datetime) -> int:
        locked_until = users.c.authn_locked_until
        return int(
            self._c.execute(
                select(func.count())
                .select_from(users)
                .where(
                    users.c.company_id == company_id,
                    users.c.authn_failed_attempts >= max_failures,
                    locked_until.is_(None) | (locked_until > now),
                )
            ).scalar_one()
        )

    def tokens_by_status(self, company_id: str) -> dict[str, int]:
        assigned = hardware_tokens.c.user_id.is_not(None)
        rows = self._c.execute(
            select(hardware_tokens.c.status, assigned.label("assigned"), func.count())
            .where(hardware_tokens.c.company_id == company_id)
            .group_by(hardware_tokens.c.status, assigned)
        )
        counts: dict[str, int] = {}
        for status, is_assigned, count in rows:
            label = f"{status}, {'assigned' if is_assigned else 'unassigned'}"
            counts[label] = int(count)
        return counts

    def spare_tokens(self, company_id: str, limit: int) -> list[str]:
        rows = self._c.execute(
            select(hardware_tokens.c.serial)
            .where(hardware_tokens.c.company_id == company_id, hardware_tokens.c.user_id.is_(None))
            .order_by(hardware_tokens.c.serial)
            .limit(limit)
        )
        return [str(row.serial) for row in rows]
