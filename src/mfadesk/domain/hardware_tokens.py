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
    assigned_at: datetime | None = None
    assigned_by: str | None = None

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

    def _moved_to(self, status: TokenStatus, changed_by: str, now: datetime) -> HardwareToken:
        if self.status is status:
            return self
        return replace(self, status=status, status_changed_at=now, status_changed_by=changed_by)

    def assigned(
        self, user_id: str, name: str | None, assigned_by: str, now: datetime
    ) -> tuple[HardwareToken, bool]:
        """Assign to `user_id` and enable: the token is ready to use with a PIN of the user's own.

        Assigning again to the same user only renames it (when a name is given); a token that
        belongs to someone else must be unassigned first.
        """
        if self.user_id == user_id:
            if name is None or name == self.name:
                return self, False
            return replace(self, name=name), True
        if self.user_id is not None:
            raise Conflict(f"Hardware token {self.serial} is assigned to another user")
        moved = self._moved_to(TokenStatus.ENABLED, assigned_by, now)
        return replace(
            moved,
            user_id=user_id,
            name=name or self.serial,
            assigned_at=now,
            assigned_by=assigned_by,
            pin_set=False,
        ), True

    def unassigned(self, user_id: str, changed_by: str, now: datetime) -> HardwareToken:
        """Back to the spare pool: no user, no name, no PIN, and Disabled until assigned again."""
        self.require_assigned_to(user_id)
        moved = self._moved_to(TokenStatus.DISABLED, changed_by, now)
        return replace(
            moved, user_id=None, name=None, assigned_at=None, assigned_by=None, pin_set=False
        )

    def with_pin_cleared(self, user_id: str) -> tuple[HardwareToken, bool]:
        """The user sets a new PIN at the next authentication. Clearing a cleared PIN is a no-op."""
        self.require_assigned_to(user_id)
        if not self.pin_set:
            return self, False
        return replace(self, pin_set=False), True
