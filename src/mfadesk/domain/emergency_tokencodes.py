"""Emergency tokencodes: what is kept of them (never the code) and when they count."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from mfadesk.domain.errors import BadRequest
from mfadesk.domain.lockout import Lockout

INVALID_EXPIRATION = "Invalid expiration date."


class EmergencyStatus(StrEnum):
    ENABLED = "Enabled"
    DISABLED = "Disabled"


@dataclass(frozen=True, slots=True)
class EmergencyTokencode:
    id: str
    user_id: str
    company_id: str
    online_hash: bytes
    offline_verifier: str
    expires_at: datetime
    offline_expires_at: datetime
    status: EmergencyStatus
    one_time_use: bool
    created_at: datetime
    used_at: datetime | None = None
    lockout: Lockout = field(default_factory=Lockout)

    def usable_online(self, now: datetime) -> bool:
        return (
            self.status is EmergencyStatus.ENABLED
            and now < self.expires_at
            and not (self.one_time_use and self.used_at is not None)
        )

    def offline_downloadable(self, now: datetime) -> bool:
        """Handed to offline agents while enabled online and valid offline (and not spent)."""
        return (
            self.status is EmergencyStatus.ENABLED
            and now < self.offline_expires_at
            and not (self.one_time_use and self.used_at is not None)
        )

    def usable_offline(self, now: datetime) -> bool:
        return now < self.offline_expires_at


def whole_number(raw: object) -> int | None:
    """A JSON value that is a whole number, tolerantly: an integer, a float without a fraction
    (``7.0``) or a string of ASCII digits (``"7"``, spaces around allowed); otherwise None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return int(raw) if raw.is_integer() else None
    if isinstance(raw, str):
        digits = raw.strip()
        if digits.isascii() and digits.isdigit():
            return int(digits)
    return None


def parse_expiration_days(raw: object) -> timedelta:
    """v1's ``expirationDays``: 1..7 as a string (as documented) or a number."""
    days = whole_number(raw)
    if days is None or not 1 <= days <= 7:
        raise BadRequest(INVALID_EXPIRATION)
    return timedelta(days=days)


class ExpiryUnit(StrEnum):
    """v2's ``expiryUnit``."""

    DAYS = "days"
    HOURS = "hours"
    MINUTES = "minutes"

    @property
    def minutes(self) -> int:
        return _UNIT_MINUTES[self]


_UNIT_MINUTES = {ExpiryUnit.DAYS: 24 * 60, ExpiryUnit.HOURS: 60, ExpiryUnit.MINUTES: 1}
_MIN_MINUTES = 1
_MAX_MINUTES = 7 * 24 * 60
EXPIRY_TOGETHER = "expiryUnit and expiryValue must be given together."
EXPIRY_UNIT = "expiryUnit must be days, hours or minutes."
EXPIRY_VALUE = "expiryValue must be a whole number."
EXPIRY_RANGE = "The validity must be between 1 minute and 7 days."
ONE_TIME_USE = "oneTimeUse must be true or false."


@dataclass(frozen=True, slots=True)
class Expiry:
    """A validity as a client states it: ``36 hours`` stays ``36 hours``."""

    value: int
    unit: ExpiryUnit

    @property
    def validity(self) -> timedelta:
        return timedelta(minutes=self.value * self.unit.minutes)

    @classmethod
    def of(cls, validity: timedelta) -> Expiry:
        """The largest unit that states `validity` exactly (7 days, 12 hours, 90 minutes)."""
        minutes = int(validity.total_seconds()) // 60
        for unit in ExpiryUnit:
            if minutes % unit.minutes == 0:
                return cls(minutes // unit.minutes, unit)
        raise AssertionError("minutes always divide")  # pragma: no cover


def _whole_number(raw: object) -> int:
    number = whole_number(raw)
    if number is None:
        raise BadRequest(EXPIRY_VALUE)
    return number


def parse_expiry(unit: object, value: object) -> Expiry | None:
    """v2's ``expiryUnit`` + ``expiryValue``: both or neither, 1 minute to 7 days in total."""
    if unit is None and value is None:
        return None
    if unit is None or value is None:
        raise BadRequest(EXPIRY_TOGETHER)
    if not isinstance(unit, str) or unit.strip().lower() not in {u.value for u in ExpiryUnit}:
        raise BadRequest(EXPIRY_UNIT)
    expiry_unit = ExpiryUnit(unit.strip().lower())
    amount = _whole_number(value)
    # Compared as integers: an absurd value must be a 400, never an overflow.
    if not _MIN_MINUTES <= amount * expiry_unit.minutes <= _MAX_MINUTES:
        raise BadRequest(EXPIRY_RANGE)
    return Expiry(amount, expiry_unit)


def parse_one_time_use(raw: object) -> bool | None:
    """v2's ``oneTimeUse``: a boolean (``"true"``/``"false"`` tolerated); absent = default."""
    if raw is None or isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
        return raw.strip().lower() == "true"
    raise BadRequest(ONE_TIME_USE)
