"""Administrators, their roles and what each role may do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from mfadesk.domain.errors import Forbidden


class Role(StrEnum):
    """The two roles of the Cloud Administration API, by their wire names."""

    SUPER_ADMIN = "Super Admin"
    HELP_DESK_ADMIN = "Help Desk Admin"

    @classmethod
    def from_cli_name(cls, name: str) -> Role:
        return {"super-admin": cls.SUPER_ADMIN, "help-desk-admin": cls.HELP_DESK_ADMIN}[name]


class Permission(StrEnum):
    READ_USERS = "read users"
    CREATE_USERS = "create users"
    MANAGE_EMERGENCY_TOKENCODES = "manage emergency tokencodes"
    MANAGE_HARDWARE_TOKENS = "manage hardware tokens"
    DELETE_HARDWARE_TOKENS = "delete hardware tokens"
    MANAGE_DS100 = "manage DS100 OTP credentials"
    DELETE_DS100 = "delete DS100 OTP credentials"
    MANAGE_USER_STATUS = "change user status"
    MARK_USERS_DELETED = "mark users deleted"
    DELETE_USERS = "delete users"
    EXPORT_AUDIT = "export audit logs"
    EXPORT_USER_EVENTS = "export the user event log"
    MANAGE_SETTINGS = "change company settings"


_HELP_DESK_DENIED = frozenset(
    {
        Permission.DELETE_HARDWARE_TOKENS,
        Permission.DELETE_DS100,
        Permission.MANAGE_USER_STATUS,
        Permission.MARK_USERS_DELETED,
        Permission.DELETE_USERS,
        Permission.EXPORT_AUDIT,
        Permission.MANAGE_SETTINGS,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.SUPER_ADMIN: frozenset(Permission),
    Role.HELP_DESK_ADMIN: frozenset(Permission) - _HELP_DESK_DENIED,
}


@dataclass(frozen=True, slots=True)
class Admin:
    id: str
    company_id: str
    email: str
    role: Role

    def require(self, permission: Permission) -> None:
        if permission not in ROLE_PERMISSIONS[self.role]:
            raise Forbidden(f"The {self.role} role is not allowed to {permission}.")


@dataclass(frozen=True, slots=True)
class ApiKey:
    """The public half of an administrator's API key. The private half never reaches us."""

    access_id: str
    admin_id: str
    public_key_pem: str
    revoked: bool = False
    expires_at: datetime | None = None  # None: valid until revoked

    def usable(self, now: datetime) -> bool:
        """Neither revoked nor expired: the contract answers both with 403."""
        return not self.revoked and (self.expires_at is None or now < self.expires_at)
