"""SID700 hardware tokens and the rules that move their status and assignment."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from mfadesk.domain.errors import Conflict

MAX_SERIAL_LENGTH = 36
MAX_TOKEN_NAME_LENGTH = 255


class TokenStatus(StrEnum):
    ENABLED = "Enabled"
    DISABLED = "Disabled"


@dataclass(frozen=True, slots=True)
class HardwareToken:
    serial: str
    company_id: str
    status: TokenStatus
    user_id: str | None
    name: str | None
    status_changed_at: datetime
    status_changed_by: str
    pin_set: bool = False
    expiry_date: date | None = None

    def require_assigned_to(self, user_id: str) -> None:
        if self.user_id is None:
            raise Conflict(f"Hardware token {self.serial} is not assigned to a user")
        if self.user_id != user_id:
            raise Conflict(f"Hardware token {self.serial} is not assigned to user {user_id}")

    def with_status(
        self, user_id: str, status: TokenStatus, changed_by: str, now: datetime
    ) -> tuple[HardwareToken, bool]:
        """Enable or disable for `user_id`; only an assigned token moves. Repeats change nothing."""
        self.require_assigned_to(user_id)
        if self.status is status:
            return self, False
        return replace(
            self, status=status, status_changed_at=now, status_changed_by=changed_by
        ), True
