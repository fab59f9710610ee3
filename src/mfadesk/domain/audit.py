"""Audit events: who did what to which object, with what result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Action(StrEnum):
    """The ``activityKey`` of an audit entry."""

    AUTHENTICATE = "AUTHENTICATE"
    # Refused before the action: a missing OAuth scope, or an API-key JWT on an OAuth-only
    # endpoint.
    AUTHORIZE = "AUTHORIZE"
    LOOKUP_USER = "LOOKUP_USER"
    ENABLE_EMERGENCY_TOKENCODE = "ENABLE_EMERGENCY_TOKENCODE"
    DISABLE_EMERGENCY_TOKENCODE = "DISABLE_EMERGENCY_TOKENCODE"
    ENABLE_HARDWARE_TOKEN = "ENABLE_HARDWARE_TOKEN"
    DISABLE_HARDWARE_TOKEN = "DISABLE_HARDWARE_TOKEN"
    LOOKUP_HARDWARE_TOKEN = "LOOKUP_HARDWARE_TOKEN"
    ASSIGN_HARDWARE_TOKEN = "ASSIGN_HARDWARE_TOKEN"
    UNASSIGN_HARDWARE_TOKEN = "UNASSIGN_HARDWARE_TOKEN"
    DELETE_HARDWARE_TOKEN = "DELETE_HARDWARE_TOKEN"
    CLEAR_HARDWARE_TOKEN_PIN = "CLEAR_HARDWARE_TOKEN_PIN"
    ENABLE_DS100_OTP = "ENABLE_DS100_OTP"
    DISABLE_DS100_OTP = "DISABLE_DS100_OTP"
    LOOKUP_DS100 = "LOOKUP_DS100"
    DELETE_DS100_OTP = "DELETE_DS100_OTP"
    CLEAR_DS100_OTP_PIN = "CLEAR_DS100_OTP_PIN"
    CREATE_COMPANY = "CREATE_COMPANY"
    CREATE_ADMIN = "CREATE_ADMIN"
    CREATE_API_KEY = "CREATE_API_KEY"
    REVOKE_API_KEY = "REVOKE_API_KEY"
    CREATE_USER = "CREATE_USER"
    CREATE_HARDWARE_TOKEN = "CREATE_HARDWARE_TOKEN"
    CREATE_DS100_DEVICE = "CREATE_DS100_DEVICE"
    EXPORT_ADMIN_LOG = "EXPORT_ADMIN_LOG"
    EXPORT_USER_EVENT_LOG = "EXPORT_USER_EVENT_LOG"
    SEARCH_USERS = "SEARCH_USERS"
    ENABLE_USER = "ENABLE_USER"
    DISABLE_USER = "DISABLE_USER"
    MARK_USER_DELETED = "MARK_USER_DELETED"
    UNMARK_USER_DELETED = "UNMARK_USER_DELETED"
    SYNC_USER = "SYNC_USER"
    LIST_USER_DEVICES = "LIST_USER_DEVICES"
    CHANGE_EMERGENCY_ACCESS_SETTINGS = "CHANGE_EMERGENCY_ACCESS_SETTINGS"
    CHANGE_PIN_POLICY = "CHANGE_PIN_POLICY"
    CREATE_AUTHN_KEY = "CREATE_AUTHN_KEY"
    REVOKE_AUTHN_KEY = "REVOKE_AUTHN_KEY"
    CREATE_OAUTH_CLIENT = "CREATE_OAUTH_CLIENT"
    REVOKE_OAUTH_CLIENT = "REVOKE_OAUTH_CLIENT"
    ISSUE_OAUTH_TOKEN = "ISSUE_OAUTH_TOKEN"
    DELETE_USER = "DELETE_USER"
    PURGE_USER = "PURGE_USER"
    IMPORT_USERS = "IMPORT_USERS"
    IMPORT_HARDWARE_TOKENS = "IMPORT_HARDWARE_TOKENS"
    CREATE_IDENTITY_SOURCE = "CREATE_IDENTITY_SOURCE"
    REMOVE_IDENTITY_SOURCE = "REMOVE_IDENTITY_SOURCE"


class Result(StrEnum):
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    DENIED = "DENIED"


class TargetType(StrEnum):
    USER = "USER"
    HARDWARE_TOKEN = "HARDWARE_TOKEN"
    DS100_DEVICE = "DS100_DEVICE"
    DS100_OTP_CREDENTIAL = "DS100_OTP_CREDENTIAL"
    EMERGENCY_TOKENCODE = "EMERGENCY_TOKENCODE"
    ADMIN_API = "ADMIN_API"
    ADMIN = "ADMIN"
    AUDIT_LOG = "AUDIT_LOG"
    COMPANY = "COMPANY"
    AUTHN_KEY = "AUTHN_KEY"
    OAUTH_CLIENT = "OAUTH_CLIENT"
    IDENTITY_SOURCE = "IDENTITY_SOURCE"


@dataclass(frozen=True, slots=True)
class Target:
    type: TargetType
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One append-only record. Codes and secrets never go in here."""

    occurred_at: datetime
    action: Action
    target: Target
    result: Result
    changed: bool
    message: str
    source_ip: str | None
    company_id: str | None = None
    admin_email: str | None = None
    admin_role: str | None = None
    access_id: str | None = None


@dataclass(frozen=True, slots=True)
class StoredAuditEvent:
    seq: int
    event_id: str
    event: AuditEvent
