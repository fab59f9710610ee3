"""Authentication attempts: the server side of one agent's initialize/verify conversation.

Every answer carries a fresh server messageId; the agent's next request of the same attempt must
name it in ``inResponseTo``. Anything else is out of sequence: a replayed or crossed message.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from mfadesk.domain.authn_methods import Method, ResponseCode
from mfadesk.domain.errors import BadRequest
from mfadesk.domain.lockout import Lockout, LockoutPolicy
from mfadesk.domain.securid_credentials import CredentialKind
from mfadesk.domain.user_events import UserEventReason

DEFAULT_ATTEMPT_TIMEOUT = 180
MAX_ATTEMPT_TIMEOUT = 3600


class AttemptStatus(StrEnum):
    CHALLENGE = "CHALLENGE"
    SUCCESS = "SUCCESS"
    FAIL = "FAIL"
    CANCELLED = "CANCELLED"

    @property
    def response_code(self) -> ResponseCode:
        return ResponseCode.FAIL if self is AttemptStatus.CANCELLED else ResponseCode(self.value)


@dataclass(frozen=True, slots=True)
class Attribute:
    """A name/value pair as the agent sent it (session attributes)."""

    name: str
    value: str | None
    data_type: str | None = None


@dataclass(frozen=True, slots=True)
class PendingNextTokencode:
    """A drifted code was right: the next consecutive code of this credential completes it."""

    kind: CredentialKind
    serial: str
    interval: int


@dataclass(frozen=True, slots=True)
class Verdict:
    """How checking one credential ended: the wire code, and the reason kept for the log."""

    code: ResponseCode
    reason: UserEventReason
    serial: str | None = None
    pending: PendingNextTokencode | None = None

    @classmethod
    def fail(cls, reason: UserEventReason, serial: str | None = None) -> Verdict:
        return cls(ResponseCode.FAIL, reason, serial)

    def counted(self, user_lockout: Lockout, now: datetime, policy: LockoutPolicy) -> Lockout:
        """The user's consecutive failures after this check: a success clears them, a failed
        check of one of our methods adds one (whatever failed: code, replay, lock, nothing to
        check it against); a method we do not have, or a next tokencode nobody asked for, is
        no attempt at a credential."""
        if self.code is ResponseCode.SUCCESS:
            return Lockout()
        if (
            self.code is ResponseCode.FAIL
            and self.reason is not UserEventReason.METHOD_NOT_SUPPORTED
        ):
            return user_lockout.after_failure(now, policy)
        return user_lockout


@dataclass(frozen=True, slots=True)
class AuthnAttempt:
    id: str
    company_id: str
    authn_key_id: str
    client_id: str | None
    subject_name: str
    user_id: str | None
    status: AttemptStatus
    last_message_id: str
    timeout_seconds: int
    expires_at: datetime
    keep: bool
    created_at: datetime
    successful_methods: tuple[Method, ...] = ()
    pending: PendingNextTokencode | None = None
    assurance_policy_id: str | None = None
    session_attributes: tuple[Attribute, ...] = ()

    @property
    def open(self) -> bool:
        return self.status is AttemptStatus.CHALLENGE

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def in_sequence(self, in_response_to: str | None) -> bool:
        return in_response_to == self.last_message_id

    def answered(
        self,
        message_id: str,
        now: datetime,
        status: AttemptStatus,
        *,
        succeeded: Method | None = None,
        pending: PendingNextTokencode | None = None,
    ) -> AuthnAttempt:
        """The attempt after the server's answer: each call keeps it alive for its timeout."""
        methods = self.successful_methods + ((succeeded,) if succeeded else ())
        return replace(
            self,
            status=status,
            last_message_id=message_id,
            expires_at=now + timedelta(seconds=self.timeout_seconds),
            successful_methods=methods,
            pending=pending,
        )


def attempt_timeout(requested: float | None) -> int:
    """``authnAttemptTimeout`` in whole seconds (default 180): a fraction is rounded up (the
    agent asked for at least that long), and anything outside 1 to 3600 is brought within."""
    if requested is None:
        return DEFAULT_ATTEMPT_TIMEOUT
    if math.isnan(requested):
        raise BadRequest("authnAttemptTimeout: Input should be a number of seconds")
    return math.ceil(min(max(requested, 1.0), float(MAX_ATTEMPT_TIMEOUT)))
