"""The tenant (company), its emergency-access configuration and its PIN policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from mfadesk.domain.errors import BadRequest
from mfadesk.domain.pins import PinPolicy

# No 0/O, 1/I/L: codes are read aloud over the phone by a help desk.
UNAMBIGUOUS_ALPHANUMERIC = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
MAX_EMERGENCY_VALIDITY = timedelta(days=7)
MIN_EMERGENCY_VALIDITY = timedelta(minutes=1)
MAX_OFFLINE_VALIDITY = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class EmergencyAccessSettings:
    """Company-level emergency-access configuration (defaults are ours: docs/decisions.md)."""

    locked: bool = False
    default_validity: timedelta = timedelta(days=7)
    one_time_use: bool = False
    code_length: int = 8
    alphabet: str = UNAMBIGUOUS_ALPHANUMERIC
    offline_validity: timedelta = timedelta(days=7)

    def __post_init__(self) -> None:
        if not MIN_EMERGENCY_VALIDITY <= self.default_validity <= MAX_EMERGENCY_VALIDITY:
            raise BadRequest("Default validity must be between 1 minute and 7 days.")
        if not 6 <= self.code_length <= 32:
            raise BadRequest("Code length must be between 6 and 32 characters.")
        if len(set(self.alphabet)) < 10 or len(set(self.alphabet)) != len(self.alphabet):
            raise BadRequest("The alphabet needs at least 10 distinct characters, none repeated.")
        # Codes are compared ignoring case, blanks and hyphens: only letters and digits are
        # safe, and "a" and "A" would be one character to the person typing the code.
        if not (self.alphabet.isascii() and self.alphabet.isalnum()):
            raise BadRequest("The alphabet may hold only letters and digits.")
        if len(set(self.alphabet.upper())) != len(self.alphabet):
            raise BadRequest("The alphabet must not hold a letter in both cases.")
        if not timedelta(0) <= self.offline_validity <= MAX_OFFLINE_VALIDITY:
            raise BadRequest("Offline validity must be between 0 and 30 days.")

    def validity_for(self, requested: timedelta | None) -> timedelta:
        """What a request gets: the company's values win when the configuration is locked."""
        if self.locked or requested is None:
            return self.default_validity
        return requested

    def expirations(self, validity: timedelta, now: datetime) -> tuple[datetime, datetime]:
        """(online expiry, offline expiry); offline is never earlier than online."""
        online = now + validity
        return online, online + self.offline_validity


@dataclass(frozen=True, slots=True)
class Company:
    id: str
    name: str
    emergency_access: EmergencyAccessSettings = field(default_factory=EmergencyAccessSettings)
    pin_policy: PinPolicy = field(default_factory=PinPolicy)
