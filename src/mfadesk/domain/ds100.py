"""SecurID DS100 devices and their OTP credentials."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from mfadesk.domain.errors import BadRequest
from mfadesk.domain.hardware_tokens import TokenStatus

_DEVICE_SERIAL = re.compile(r"\d{9}")
_CREDENTIAL_SUFFIX = "31"


def validate_device_serial(serial: str) -> str:
    if not _DEVICE_SERIAL.fullmatch(serial):
        raise BadRequest("deviceSerialNumber must be a string of 9 digits")
    return serial


def credential_serial(device_serial: str, index: int = 0) -> str:
    """The 12-digit OTP credential serial: ``0`` + device serial + two digits (``…31`` first)."""
    suffix = _CREDENTIAL_SUFFIX if index == 0 else f"{(int(_CREDENTIAL_SUFFIX) + index) % 100:02d}"
    return f"0{validate_device_serial(device_serial)}{suffix}"


@dataclass(frozen=True, slots=True)
class Ds100Device:
    serial: str
    company_id: str
    user_id: str | None


@dataclass(frozen=True, slots=True)
class OtpCredential:
    serial: str
    device_serial: str
    company_id: str
    status: TokenStatus
    status_changed_at: datetime
    status_changed_by: str
    pin_set: bool = False

    def with_status(
        self, status: TokenStatus, changed_by: str, now: datetime
    ) -> tuple[OtpCredential, bool]:
        if self.status is status:
            return self, False
        return replace(
            self, status=status, status_changed_at=now, status_changed_by=changed_by
        ), True

    def with_pin_cleared(self) -> tuple[OtpCredential, bool]:
        if not self.pin_set:
            return self, False
        return replace(self, pin_set=False), True
