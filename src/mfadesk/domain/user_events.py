"""The user event log: one record per authentication step an agent asked for.

What was tried and how it ended, in enough detail for an administrator; never a code or a
passcode. The sequence number is gap-free, so exports can page it like the admin audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class UserEventResult(StrEnum):
    SUCCESS = "SUCCESS"
    FAIL = "FAIL"
    CHALLENGE = "CHALLENGE"
    CANCELLED = "CANCELLED"


class UserEventReason(StrEnum):
    """Why, for administrators only: agents always get the same ``VERIFY_ERROR``."""

    CREDENTIAL_VERIFIED = "CREDENTIAL_VERIFIED"
    METHODS_OFFERED = "METHODS_OFFERED"
    NEXT_TOKENCODE_REQUIRED = "NEXT_TOKENCODE_REQUIRED"
    NEW_PIN_REQUIRED = "NEW_PIN_REQUIRED"  # the tokencode was right; the credential has no PIN
    PIN_ACCEPTED = "PIN_ACCEPTED"  # stored; the new PIN and a later tokencode complete it
    PIN_REJECTED = "PIN_REJECTED"  # the new PIN breaks the policy (the third time: FAIL)
    PIN_ALREADY_SET = "PIN_ALREADY_SET"  # another New PIN exchange set this credential's PIN
    WRONG_PIN = "WRONG_PIN"  # the tokencode was right, the PIN part was not
    WRONG_CREDENTIAL = "WRONG_CREDENTIAL"
    REPLAYED_TOKENCODE = "REPLAYED_TOKENCODE"
    WRONG_NEXT_TOKENCODE = "WRONG_NEXT_TOKENCODE"
    CREDENTIAL_LOCKED = "CREDENTIAL_LOCKED"
    USER_LOCKED = "USER_LOCKED"
    NO_USABLE_CREDENTIAL = "NO_USABLE_CREDENTIAL"
    METHOD_NOT_SUPPORTED = "METHOD_NOT_SUPPORTED"
    USER_NOT_FOUND = "USER_NOT_FOUND"
    USER_DISABLED = "USER_DISABLED"
    USER_DELETED = "USER_DELETED"
    ATTEMPT_NOT_FOUND = "ATTEMPT_NOT_FOUND"
    ATTEMPT_EXPIRED = "ATTEMPT_EXPIRED"
    OUT_OF_SEQUENCE = "OUT_OF_SEQUENCE"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True, slots=True)
class UserEvent:
    occurred_at: datetime
    company_id: str
    subject_name: str
    result: UserEventResult
    reason: UserEventReason
    authn_key_name: str
    user_id: str | None = None
    method: str | None = None
    client_id: str | None = None
    source_ip: str | None = None
    attempt_id: str | None = None
    credential_serial: str | None = None


@dataclass(frozen=True, slots=True)
class StoredUserEvent:
    seq: int
    event_id: str
    event: UserEvent
