"""Emergency tokencodes: hashes and expiries only, never the code."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, case, delete, insert, select, update

from mfadesk.domain.emergency_tokencodes import EmergencyStatus, EmergencyTokencode
from mfadesk.domain.lockout import Lockout
from mfadesk.store.prepared import Prepared
from mfadesk.store.tables import emergency_tokencodes as codes
from mfadesk.store.timestamps import as_utc, as_utc_or_none

_BY_ID = Prepared(
    select(codes).where(codes.c.id == bindparam("id"), codes.c.user_id == bindparam("user_id"))
)
# The enabled code first: two codes issued within the same clock tick must not tie.
_LATEST = Prepared(
    select(codes)
    .where(codes.c.user_id == bindparam("user_id"))
    .order_by(
        case((codes.c.status == EmergencyStatus.ENABLED.value, 0), else_=1),
        codes.c.created_at.desc(),
    )
    .limit(1)
)
# Issuing a code disables the user's earlier ones in the same transaction: at most one is enabled.
_ENABLED = (
    select(codes)
    .where(codes.c.user_id == bindparam("user_id"), codes.c.status == EmergencyStatus.ENABLED.value)
    .order_by(codes.c.created_at.desc())
    .limit(1)
)
_ENABLED_FOR_UPDATE = _ENABLED.with_for_update()
_SAVE_CHECK = (
    update(codes)
    .where(codes.c.id == bindparam("b_id"))
    .values(
        used_at=bindparam("used_at"),
        failed_attempts=bindparam("failed_attempts"),
        locked_until=bindparam("locked_until"),
    )
)
_INSERT = Prepared(insert(codes))
_DISABLE_ALL = Prepared(
    update(codes)
    .where(
        codes.c.user_id == bindparam("b_user_id"), codes.c.status == EmergencyStatus.ENABLED.value
    )
    .values(status=EmergencyStatus.DISABLED.value)
)


def _to_code(row: Any) -> EmergencyTokencode:
    return EmergencyTokencode(
        id=row.id,
        user_id=row.user_id,
        company_id=row.company_id,
        online_hash=row.online_hash,
        offline_verifier=row.offline_verifier,
        expires_at=as_utc(row.expires_at),
        offline_expires_at=as_utc(row.offline_expires_at),
        status=EmergencyStatus(row.status),
        one_time_use=row.one_time_use,
        created_at=as_utc(row.created_at),
        used_at=as_utc_or_none(row.used_at),
        lockout=Lockout(row.failed_attempts, as_utc_or_none(row.locked_until)),
    )


class EmergencyTokencodeRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self, user_id: str, code_id: str) -> EmergencyTokencode | None:
        row = _BY_ID.one_or_none(self._c, {"id": code_id, "user_id": user_id})
        return None if row is None else _to_code(row)

    def latest(self, user_id: str) -> EmergencyTokencode | None:
        row = _LATEST.first(self._c, {"user_id": user_id})
        return None if row is None else _to_code(row)

    def enabled(self, user_id: str, *, for_update: bool = False) -> EmergencyTokencode | None:
        """The user's current code, while it is enabled online (expired or not)."""
        statement = _ENABLED_FOR_UPDATE if for_update else _ENABLED
        row = self._c.execute(statement, {"user_id": user_id}).first()
        return None if row is None else _to_code(row)

    def save_check(self, code: EmergencyTokencode) -> None:
        """Record what checking the code changed: its use and its failures."""
        self._c.execute(
            _SAVE_CHECK,
            {
                "b_id": code.id,
                "used_at": code.used_at,
                "failed_attempts": code.lockout.failures,
                "locked_until": code.lockout.locked_until,
            },
        )

    def add(self, code: EmergencyTokencode) -> None:
        _INSERT.execute(
            self._c,
            {
                "id": code.id,
                "user_id": code.user_id,
                "company_id": code.company_id,
                "online_hash": code.online_hash,
                "offline_verifier": code.offline_verifier,
                "expires_at": code.expires_at,
                "offline_expires_at": code.offline_expires_at,
                "status": code.status.value,
                "one_time_use": code.one_time_use,
                "created_at": code.created_at,
                "used_at": code.used_at,
                "failed_attempts": code.lockout.failures,
                "locked_until": code.lockout.locked_until,
            },
        )

    def disable_all(self, user_id: str) -> int:
        """Take every enabled code of the user out of online use; returns how many changed."""
        return _DISABLE_ALL.execute(self._c, {"b_user_id": user_id})

    def delete_all(self, user_id: str) -> int:
        """Remove every code of the user (their user is being deleted); how many there were."""
        return int(self._c.execute(delete(codes).where(codes.c.user_id == user_id)).rowcount)
