"""Leases: a named lock one process of a deployment holds until it expires or is released.

Taken by a conditional UPDATE (free, expired, or already ours), or by inserting the row the
first time; the database decides who wins, so workers and hosts need no other coordination.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, or_, update

from mfadesk.store.dialects import insert_unless_present
from mfadesk.store.prepared import Prepared
from mfadesk.store.tables import leases

_TAKE = Prepared(
    update(leases)
    .where(
        leases.c.name == bindparam("b_name"),
        or_(leases.c.holder == bindparam("b_holder"), leases.c.expires_at <= bindparam("b_now")),
    )
    .values(holder=bindparam("holder"), expires_at=bindparam("expires_at"))
)
_RELEASE = Prepared(
    update(leases)
    .where(leases.c.name == bindparam("b_name"), leases.c.holder == bindparam("b_holder"))
    .values(expires_at=bindparam("expires_at"))
)


class LeaseRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def take(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        """Take or renew the lease `name` for `holder` until `until`, unless someone else holds
        it past `now`; whether `holder` has it now."""
        params = {
            "b_name": name,
            "b_holder": holder,
            "b_now": now,
            "holder": holder,
            "expires_at": until,
        }
        if _TAKE.execute(self._c, params) > 0:
            return True
        values = {"name": name, "holder": holder, "expires_at": until}
        return insert_unless_present(self._c, leases, values)

    def release(self, name: str, holder: str, now: datetime) -> None:
        """Let the lease go at once (if `holder` still has it)."""
        _RELEASE.execute(self._c, {"b_name": name, "b_holder": holder, "expires_at": now})
