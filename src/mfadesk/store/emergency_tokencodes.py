"""Emergency tokencodes: hashes and expiries only, never the code."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from mfadesk.domain.emergency_tokencodes import EmergencyStatus, EmergencyTokencode
from mfadesk.store.prepared import Prepared
from mfadesk.store.tables import emergency_tokencodes as codes
from mfadesk.store.timestamps import as_utc, as_utc_or_none

_BY_ID = Prepared(
    select(codes).where(codes.c.id == bindparam("id"), codes.c.user_id == bindparam("user_id"))
)
_LATEST = Prepared(
    select(codes)
    .where(codes.c.user_id == bindparam("user_id"))
    .order_by(codes.c.created_at.desc())
    .limit(1)
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
            },
        )

    def disable_all(self, user_id: str) -> int:
        """Take every enabled code of the user out of online use; returns how many changed."""
        return _DISABLE_ALL.execute(self._c, {"b_user_id": user_id})
