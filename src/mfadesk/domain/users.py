"""Users: the people who hold authenticators, their status and pending deletion."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from mfadesk.domain.errors import BadRequest, Conflict
from mfadesk.domain.lockout import Lockout

# User search pages (Cloud Administration User Search API): 1..25 users, 25 unless asked.
MAX_SEARCH_PAGE_SIZE = 25
DEFAULT_SEARCH_PAGE_SIZE = 25
# Users marked deleted are removed this long after they were marked (the cloud service's rule).
PURGE_AFTER = timedelta(days=7)
MAX_EMAIL_LENGTH = 320
MAX_NAME_LENGTH = 255
MAX_USERNAME_LENGTH = 320


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
    # The identity source the user belongs to, and what it calls them. The source's name is
    # `identitySource` on the wire; a missing principal username is the e-mail, a missing
    # unique identifier the user's id (local and CSV users have no directory id).
    source_id: str | None = None
    principal_username: str | None = None
    alternate_username: str | None = None
    primary_unique_identifier: str | None = None
    last_sync_time: datetime | None = None

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

    def require_deletable_now(self) -> None:
        """Delete User Now takes only a disabled user that is not already pending deletion."""
        if self.status is UserStatus.ENABLED:
            raise Conflict(f"User {self.id} is enabled: disable the user first")
        if self.mark_deleted:
            raise Conflict(f"User {self.id} is marked deleted: the deletion is already pending")

    def due_for_purge(self, now: datetime, after: timedelta = PURGE_AFTER) -> bool:
        """Marked deleted at least `after` ago."""
        marked_at = self.mark_deleted_at
        return self.mark_deleted and marked_at is not None and marked_at <= now - after

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


def check_email(email: str) -> str:
    """The normalised address, or a 400 for something that is not one."""
    normalized = normalize_email(email)
    if "@" not in normalized or len(normalized) > MAX_EMAIL_LENGTH:
        raise BadRequest(f"{email!r} is not an e-mail address")
    return normalized


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
