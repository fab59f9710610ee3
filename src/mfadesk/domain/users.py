"""Users: the people who hold authenticators, their status and pending deletion."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from mfadesk.domain.errors import BadRequest, Conflict
from mfadesk.domain.lockout import Lockout

# User search pages (Cloud Administration User Search API): 1..25 users, 25 unless asked.
MAX_SEARCH_PAGE_SIZE = 25
DEFAULT_SEARCH_PAGE_SIZE = 25


class UserStatus(StrEnum):
    ENABLED = "Enabled"
    DISABLED = "Disabled"


@dataclass(frozen=True, slots=True)
class User:
    id: str
    company_id: str
    email: str
    first_name: str
    last_name: str
    status: UserStatus
    mark_deleted: bool = False
    created_at: datetime | None = None
    mark_deleted_at: datetime | None = None
    mark_deleted_by: str | None = None
    # Consecutive failed verifications across all of the user's authentication methods.
    authn_lockout: Lockout = field(default_factory=Lockout)

    def require_enabled(self) -> None:
        """Issuing an emergency tokencode needs an enabled user (contract: 400)."""
        if self.status is not UserStatus.ENABLED:
            raise BadRequest("User is disabled.")

    def with_status(self, status: UserStatus) -> tuple[User, bool]:
        """Enable or disable; repeats change nothing. A user pending deletion stays disabled."""
        if self.status is status:
            return self, False
        if status is UserStatus.ENABLED and self.mark_deleted:
            raise Conflict(f"User {self.id} is marked deleted: undelete the user before enabling")
        return replace(self, status=status), True

    def with_mark_deleted(self, mark: bool, changed_by: str, now: datetime) -> User:
        """Mark a disabled user for deletion, or take the mark back (each only from the other)."""
        if mark:
            if self.mark_deleted:
                raise Conflict(f"User {self.id} is already marked deleted")
            if self.status is UserStatus.ENABLED:
                raise Conflict(f"User {self.id} is enabled: disable the user first")
            return replace(self, mark_deleted=True, mark_deleted_at=now, mark_deleted_by=changed_by)
        if not self.mark_deleted:
            raise Conflict(f"User {self.id} is not marked deleted")
        return replace(self, mark_deleted=False, mark_deleted_at=None, mark_deleted_by=None)


def normalize_email(email: str) -> str:
    """E-mail addresses compare case-insensitively and without surrounding blanks."""
    return email.strip().lower()


def parse_user_status(raw: object) -> UserStatus:
    """``Enabled`` / ``Disabled`` (any case)."""
    if isinstance(raw, str):
        for status in UserStatus:
            if raw.strip().lower() == status.value.lower():
                return status
    raise BadRequest("userStatus must be Enabled or Disabled")


def parse_mark_deleted(raw: object) -> bool:
    """``true`` / ``false``; the reference page's example sends them as strings."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
        return raw.strip().lower() == "true"
    raise BadRequest("markDeleted must be true or false")
