"""DS100 devices and their OTP credentials."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, null, select, update

from mfadesk.domain.ds100 import Ds100Device, OtpCredential
from mfadesk.domain.hardware_tokens import TokenStatus
from mfadesk.store.prepared import Prepared
from mfadesk.store.tables import ds100_credentials, ds100_devices
from mfadesk.store.timestamps import as_utc

_DEVICE = select(ds100_devices).where(
    ds100_devices.c.serial == bindparam("serial"),
    ds100_devices.c.company_id == bindparam("company_id"),
)
_SECRET_COLUMNS = ("seed_ciphertext", "pin_salt", "pin_digest")
_CREDENTIAL_COLUMNS = [
    *(c for c in ds100_credentials.c if c.name not in _SECRET_COLUMNS),
    ds100_credentials.c.pin_digest.is_not(None).label("pin_set"),
]
_CREDENTIALS = (
    select(*_CREDENTIAL_COLUMNS)
    .where(ds100_credentials.c.device_serial == bindparam("device_serial"))
    .order_by(ds100_credentials.c.serial)
)
_CREDENTIALS_FOR_UPDATE = _CREDENTIALS.with_for_update()
_CREDENTIAL = select(*_CREDENTIAL_COLUMNS).where(
    ds100_credentials.c.serial == bindparam("serial"),
    ds100_credentials.c.company_id == bindparam("company_id"),
)
_CREDENTIAL_FOR_UPDATE = _CREDENTIAL.with_for_update()
_DELETE_CREDENTIAL = delete(ds100_credentials).where(
    ds100_credentials.c.serial == bindparam("serial")
)
_DEVICES_OF_USER = (
    select(ds100_devices)
    .where(
        ds100_devices.c.user_id == bindparam("user_id"),
        ds100_devices.c.company_id == bindparam("company_id"),
    )
    .order_by(ds100_devices.c.serial)
)
_CREDENTIALS_OF_USER = (
    select(*_CREDENTIAL_COLUMNS)
    .join(ds100_devices, ds100_devices.c.serial == ds100_credentials.c.device_serial)
    .where(
        ds100_devices.c.user_id == bindparam("user_id"),
        ds100_devices.c.company_id == bindparam("company_id"),
    )
    .order_by(ds100_credentials.c.serial)
)
_SAVE_STATEMENT = (
    update(ds100_credentials)
    .where(ds100_credentials.c.serial == bindparam("b_serial"))
    .values(
        status=bindparam("status"),
        status_changed_at=bindparam("status_changed_at"),
        status_changed_by=bindparam("status_changed_by"),
    )
)
# Saved with `pin_set` false, the credential's PIN is cleared; true keeps the PIN it has (only
# the user sets one, in New PIN mode).
_SAVE = {
    True: Prepared(_SAVE_STATEMENT),
    False: Prepared(_SAVE_STATEMENT.values(pin_salt=null(), pin_digest=null())),
}


def _to_credential(row: Any) -> OtpCredential:
    return OtpCredential(
        serial=row.serial,
        device_serial=row.device_serial,
        company_id=row.company_id,
        status=TokenStatus(row.status),
        status_changed_at=as_utc(row.status_changed_at),
        status_changed_by=row.status_changed_by,
        pin_set=row.pin_set,
    )


class Ds100Repository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get_device(self, company_id: str, serial: str) -> Ds100Device | None:
        row = self._c.execute(_DEVICE, {"serial": serial, "company_id": company_id}).one_or_none()
        if row is None:
            return None
        return Ds100Device(serial=row.serial, company_id=row.company_id, user_id=row.user_id)

    def devices_of(self, company_id: str, user_id: str) -> list[Ds100Device]:
        """The devices registered to the user, by serial."""
        rows = self._c.execute(_DEVICES_OF_USER, {"user_id": user_id, "company_id": company_id})
        return [Ds100Device(r.serial, r.company_id, r.user_id) for r in rows]

    def credentials_of_user(self, company_id: str, user_id: str) -> list[OtpCredential]:
        """The OTP credentials of every device registered to the user, by serial."""
        params = {"user_id": user_id, "company_id": company_id}
        return [_to_credential(r) for r in self._c.execute(_CREDENTIALS_OF_USER, params)]

    def device_exists(self, serial: str) -> bool:
        query = select(ds100_devices.c.serial).where(ds100_devices.c.serial == serial)
        return self._c.execute(query).first() is not None

    def credentials(self, device_serial: str, *, for_update: bool = False) -> list[OtpCredential]:
        statement = _CREDENTIALS_FOR_UPDATE if for_update else _CREDENTIALS
        rows = self._c.execute(statement, {"device_serial": device_serial})
        return [_to_credential(r) for r in rows]

    def get_credential(
        self, company_id: str, serial: str, *, for_update: bool = False
    ) -> OtpCredential | None:
        statement = _CREDENTIAL_FOR_UPDATE if for_update else _CREDENTIAL
        row = self._c.execute(statement, {"serial": serial, "company_id": company_id}).one_or_none()
        return None if row is None else _to_credential(row)

    def delete_credential(self, serial: str) -> None:
        """Remove the OTP credential and its seed; the device stays registered."""
        self._c.execute(_DELETE_CREDENTIAL, {"serial": serial})

    def delete_device(self, serial: str) -> None:
        """Remove the device's registration (its OTP credentials must be gone already)."""
        self._c.execute(delete(ds100_devices).where(ds100_devices.c.serial == serial))

    def add_device(self, device: Ds100Device) -> None:
        self._c.execute(
            insert(ds100_devices).values(
                serial=device.serial, company_id=device.company_id, user_id=device.user_id
            )
        )

    def add_credential(self, credential: OtpCredential, seed_ciphertext: bytes | None) -> None:
        """A new OTP credential has no PIN (the user sets one in New PIN mode)."""
        self._c.execute(
            insert(ds100_credentials).values(
                serial=credential.serial,
                device_serial=credential.device_serial,
                company_id=credential.company_id,
                status=credential.status.value,
                status_changed_at=credential.status_changed_at,
                status_changed_by=credential.status_changed_by,
                seed_ciphertext=seed_ciphertext,
            )
        )

    def save_credential(self, credential: OtpCredential) -> None:
        _SAVE[credential.pin_set].execute(
            self._c,
            {
                "b_serial": credential.serial,
                "status": credential.status.value,
                "status_changed_at": credential.status_changed_at,
                "status_changed_by": credential.status_changed_by,
            },
        )
