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


def parse_expiration_days(raw: object) -> timedelta:
    """v1's ``expirationDays``: 1..7 as a string (as documented) or an integer."""
    if isinstance(raw, bool):
        raise BadRequest(INVALID_EXPIRATION)
    if isinstance(raw, str) and raw.strip().isdigit():
        days = int(raw.strip())
    elif isinstance(raw, int):
        days = raw
    else:
        raise BadRequest(INVALID_EXPIRATION)
    if not 1 <= days <= 7:
        raise BadRequest(INVALID_EXPIRATION)
    return timedelta(days=days)
