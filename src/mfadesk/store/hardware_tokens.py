"""SID700 hardware tokens."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, null, select, update
from sqlalchemy.exc import IntegrityError

from mfadesk.domain.errors import Conflict
from mfadesk.domain.hardware_tokens import HardwareToken, TokenStatus
from mfadesk.store.prepared import Prepared
from mfadesk.store.tables import hardware_tokens
from mfadesk.store.timestamps import as_utc

_SECRET_COLUMNS = ("seed_ciphertext", "pin_salt", "pin_digest")
_COLUMNS = [
    *(c for c in hardware_tokens.c if c.name not in _SECRET_COLUMNS),
    hardware_tokens.c.pin_digest.is_not(None).label("pin_set"),
]
_SELECT_BY_SERIAL = select(*_COLUMNS).where(
    hardware_tokens.c.serial == bindparam("serial"),
    hardware_tokens.c.company_id == bindparam("company_id"),
)
_BY_SERIAL = Prepared(_SELECT_BY_SERIAL)
_BY_SERIAL_FOR_UPDATE = Prepared(_SELECT_BY_SERIAL.with_for_update())
_ASSIGNED_TO = (
    select(*_COLUMNS)
    .where(
        hardware_tokens.c.user_id == bindparam("user_id"),
        hardware_tokens.c.company_id == bindparam("company_id"),
    )
    .order_by(hardware_tokens.c.serial)
)
_SAVE_STATEMENT = (
    update(hardware_tokens)
    .where(hardware_tokens.c.serial == bindparam("b_serial"))
    .values(
        status=bindparam("status"),
        user_id=bindparam("user_id"),
        name=bindparam("name"),
        status_changed_at=bindparam("status_changed_at"),
        status_changed_by=bindparam("status_changed_by"),
        assigned_at=bindparam("assigned_at"),
        assigned_by=bindparam("assigned_by"),
    )
)
# An administrator never sets a PIN (the user does, in New PIN mode): a token saved with
# `pin_set` false has its PIN cleared (clear PIN, assign, unassign); one saved with it true
# keeps the PIN it has.
_SAVE = {
    True: Prepared(_SAVE_STATEMENT),
    False: Prepared(_SAVE_STATEMENT.values(pin_salt=null(), pin_digest=null())),
}
# A flip writes only what it changes: setting even an unchanged indexed column (user_id)
# rewrites that index's page.
_SAVE_STATUS = Prepared(
    update(hardware_tokens)
    .where(hardware_tokens.c.serial == bindparam("b_serial"))
    .values(
        status=bindparam("status"),
        status_changed_at=bindparam("status_changed_at"),
        status_changed_by=bindparam("status_changed_by"),
    )
)
_DELETE = delete(hardware_tokens).where(hardware_tokens.c.serial == bindparam("serial"))


def _to_token(row: Any) -> HardwareToken:
    return HardwareToken(
        serial=row.serial,
        company_id=row.company_id,
        status=TokenStatus(row.status),
        user_id=row.user_id,
        name=row.name,
        status_changed_at=as_utc(row.status_changed_at),
        status_changed_by=row.status_changed_by,
        pin_set=row.pin_set,
        expiry_date=row.expiry_date,
        assigned_at=None if row.assigned_at is None else as_utc(row.assigned_at),
        assigned_by=row.assigned_by,
    )


class HardwareTokenRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(
        self, company_id: str, serial: str, *, for_update: bool = False
    ) -> HardwareToken | None:
        statement = _BY_SERIAL_FOR_UPDATE if for_update else _BY_SERIAL
        row = statement.one_or_none(self._c, {"serial": serial, "company_id": company_id})
        return None if row is None else _to_token(row)

    def assigned_to(self, company_id: str, user_id: str) -> list[HardwareToken]:
        """The user's tokens, by serial."""
        rows = self._c.execute(_ASSIGNED_TO, {"user_id": user_id, "company_id": company_id})
        return [_to_token(r) for r in rows]

    def exists(self, serial: str) -> bool:
        """Serials are unique across companies: they are printed on physical tokens."""
        query = select(hardware_tokens.c.serial).where(hardware_tokens.c.serial == serial)
        return self._c.execute(query).first() is not None

    def add(
        self,
        token: HardwareToken,
        seed_ciphertext: bytes | None,
        *,
        digits: int = 6,
        interval_seconds: int = 60,
    ) -> None:
        """Insert a new token, without a PIN (whatever ``token.pin_set`` says: the user sets
        one in New PIN mode); a serial already taken (say, by a concurrent import) is a
        ``Conflict``."""
        statement = insert(hardware_tokens).values(
            serial=token.serial,
            company_id=token.company_id,
            status=token.status.value,
            user_id=token.user_id,
            name=token.name,
            status_changed_at=token.status_changed_at,
            status_changed_by=token.status_changed_by,
            expiry_date=token.expiry_date,
            assigned_at=token.assigned_at,
            assigned_by=token.assigned_by,
            seed_ciphertext=seed_ciphertext,
            digits=digits,
            interval_seconds=interval_seconds,
        )
        try:
            self._c.execute(statement)
        except IntegrityError as error:
            raise Conflict(f"Hardware token {token.serial} already exists") from error

    def save(self, token: HardwareToken) -> None:
        _SAVE[token.pin_set].execute(
            self._c,
            {
                "b_serial": token.serial,
                "status": token.status.value,
                "user_id": token.user_id,
                "name": token.name,
                "status_changed_at": token.status_changed_at,
                "status_changed_by": token.status_changed_by,
                "assigned_at": token.assigned_at,
                "assigned_by": token.assigned_by,
            },
        )

    def delete(self, serial: str) -> None:
        """Remove the token and its seed for good."""
        self._c.execute(_DELETE, {"serial": serial})

    def save_status(self, token: HardwareToken) -> None:
        """Store a status change alone (`save` stores everything)."""
        _SAVE_STATUS.execute(
            self._c,
            {
                "b_serial": token.serial,
                "status": token.status.value,
                "status_changed_at": token.status_changed_at,
                "status_changed_by": token.status_changed_by,
            },
        )
