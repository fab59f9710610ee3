"""SID700 tokens and DS100 OTP credentials as the verifier reads and updates them (their
verification state, and the PIN a user sets in New PIN mode).

A user's usable credentials are read (and locked, for a verification) in one fixed order —
SID700 before DS100, by serial — so concurrent verifications never deadlock on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, bindparam, literal, or_, select, update

from mfadesk.domain.hardware_tokens import TokenStatus
from mfadesk.domain.lockout import Lockout
from mfadesk.domain.pins import StoredPin
from mfadesk.domain.securid_credentials import (
    CredentialKind,
    SecurIdCredential,
    VerificationState,
)
from mfadesk.store.prepared import Prepared
from mfadesk.store.tables import ds100_credentials, ds100_devices, hardware_tokens
from mfadesk.store.timestamps import as_utc_or_none

_ENABLED = TokenStatus.ENABLED.value
_tokens = hardware_tokens.c
_ds100 = ds100_credentials.c
_STATE_COLUMNS = (
    "clock_offset",
    "last_interval",
    "failed_attempts",
    "locked_until",
    "pin_salt",
    "pin_digest",
)

_SID700 = (
    select(
        _tokens.serial,
        _tokens.seed_ciphertext,
        _tokens.digits,
        _tokens.interval_seconds,
        _tokens.expiry_date,
        *(_tokens[name] for name in _STATE_COLUMNS),
    )
    .where(
        _tokens.user_id == bindparam("user_id"),
        _tokens.company_id == bindparam("company_id"),
        _tokens.status == _ENABLED,
    )
    .order_by(_tokens.serial)
)
_DS100 = (
    select(
        _ds100.serial,
        _ds100.seed_ciphertext,
        literal(6).label("digits"),
        literal(60).label("interval_seconds"),
        literal(None).label("expiry_date"),
        *(_ds100[name] for name in _STATE_COLUMNS),
    )
    .join(ds100_devices, ds100_devices.c.serial == _ds100.device_serial)
    .where(
        ds100_devices.c.user_id == bindparam("user_id"),
        ds100_devices.c.company_id == bindparam("company_id"),
        _ds100.status == _ENABLED,
    )
    .order_by(_ds100.serial)
)
_READ = {
    (CredentialKind.SID700, False): _SID700,
    (CredentialKind.SID700, True): _SID700.with_for_update(of=hardware_tokens),
    (CredentialKind.DS100, False): _DS100,
    (CredentialKind.DS100, True): _DS100.with_for_update(of=ds100_credentials),
}
# Every verification reads and updates its user's credentials: prepared (see store/prepared.py).
_READ_PREPARED = {key: Prepared(statement) for key, statement in _READ.items()}
_ONE = {
    (kind, locking): statement.where(
        (_tokens if kind is CredentialKind.SID700 else _ds100).serial == bindparam("serial")
    )
    for (kind, locking), statement in _READ.items()
}
_TABLES = {CredentialKind.SID700: hardware_tokens, CredentialKind.DS100: ds100_credentials}
_SAVE = {
    kind: Prepared(
        update(table)
        .where(table.c.serial == bindparam("b_serial"))
        .values(
            clock_offset=bindparam("clock_offset"),
            last_interval=bindparam("last_interval"),
            failed_attempts=bindparam("failed_attempts"),
            locked_until=bindparam("locked_until"),
        )
    )
    for kind, table in _TABLES.items()
}


# Only a credential without a PIN takes one: of two New PIN exchanges, one sets it.
_SET_PIN = {
    kind: Prepared(
        update(table)
        .where(table.c.serial == bindparam("b_serial"), table.c.pin_digest.is_(None))
        .values(pin_salt=bindparam("pin_salt"), pin_digest=bindparam("pin_digest"))
    )
    for kind, table in _TABLES.items()
}


def _locked(table: Any) -> Any:
    return or_(table.c.failed_attempts > 0, table.c.locked_until.is_not(None))


# Run on every enable: prepared, and matching no row (so writing nothing) unless locked.
_CLEAR_TOKEN = Prepared(
    update(hardware_tokens)
    .where(_tokens.serial == bindparam("b_serial"), _locked(hardware_tokens))
    .values(failed_attempts=0, locked_until=None)
)
_CLEAR_DEVICE = Prepared(
    update(ds100_credentials)
    .where(and_(_ds100.device_serial == bindparam("b_device"), _locked(ds100_credentials)))
    .values(failed_attempts=0, locked_until=None)
)


def _to_credential(kind: CredentialKind, row: Any) -> SecurIdCredential:
    return SecurIdCredential(
        kind=kind,
        serial=row.serial,
        seed_ciphertext=row.seed_ciphertext,
        digits=row.digits,
        interval_seconds=row.interval_seconds,
        expiry_date=row.expiry_date,
        state=VerificationState(
            offset=row.clock_offset,
            last_interval=row.last_interval,
            lockout=Lockout(row.failed_attempts, as_utc_or_none(row.locked_until)),
        ),
        pin=None if row.pin_digest is None else StoredPin(row.pin_salt, row.pin_digest),
    )


class SecurIdCredentialRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def of_user(
        self, company_id: str, user_id: str, *, for_update: bool = False
    ) -> list[SecurIdCredential]:
        """The user's enabled SID700 tokens and enabled DS100 OTP credentials."""
        params = {"user_id": user_id, "company_id": company_id}
        return [
            _to_credential(kind, row)
            for kind in CredentialKind
            for row in _READ_PREPARED[kind, for_update].all(self._c, params)
        ]

    def get(
        self,
        company_id: str,
        user_id: str,
        kind: CredentialKind,
        serial: str,
        *,
        for_update: bool = False,
    ) -> SecurIdCredential | None:
        """One credential, only while it is enabled and the user's."""
        params = {"user_id": user_id, "company_id": company_id, "serial": serial}
        row = self._c.execute(_ONE[kind, for_update], params).one_or_none()
        return None if row is None else _to_credential(kind, row)

    def save_state(self, credential: SecurIdCredential, state: VerificationState) -> None:
        _SAVE[credential.kind].execute(
            self._c,
            {
                "b_serial": credential.serial,
                "clock_offset": state.offset,
                "last_interval": state.last_interval,
                "failed_attempts": state.lockout.failures,
                "locked_until": state.lockout.locked_until,
            },
        )

    def set_pin(self, kind: CredentialKind, serial: str, pin: StoredPin) -> bool:
        """Store the PIN a user chose, unless the credential has one already."""
        params = {"b_serial": serial, "pin_salt": pin.salt, "pin_digest": pin.digest}
        return _SET_PIN[kind].execute(self._c, params) > 0

    def clear_token_lockout(self, serial: str) -> bool:
        """Forget a SID700 token's failures (an administrator enabled it)."""
        return _CLEAR_TOKEN.execute(self._c, {"b_serial": serial}) > 0

    def clear_device_lockout(self, device_serial: str) -> bool:
        """Forget the failures of a DS100 device's OTP credentials."""
        return _CLEAR_DEVICE.execute(self._c, {"b_device": device_serial}) > 0
