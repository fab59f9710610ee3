"""Users: the people who hold authenticators."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from mfadesk.domain.errors import BadRequest


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

    def require_enabled(self) -> None:
        """Issuing an emergency tokencode needs an enabled user (contract: 400)."""
        if self.status is not UserStatus.ENABLED:
            raise BadRequest("User is disabled.")


def normalize_email(email: str) -> str:
    """E-mail addresses compare case-insensitively and without surrounding blanks."""
    return email.strip().lower()
