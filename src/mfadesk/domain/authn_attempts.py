"""Authentication attempts: the server side of one agent's initialize/verify conversation.

Every answer carries a fresh server messageId; the agent's next request of the same attempt must
name it in ``inResponseTo``. Anything else is out of sequence: a replayed or crossed message.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from mfadesk.domain.authn_methods import Challenge, Method, ResponseCode
from mfadesk.domain.errors import BadRequest
from mfadesk.domain.lockout import Lockout, LockoutPolicy
from mfadesk.domain.securid_steps import Pending
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


# Failures that are no attempt at a credential: a method we do not have (or one nobody asked
# for), new PINs the policy refused, a New PIN exchange another one overtook.
_NOT_COUNTED = frozenset(
    {
        UserEventReason.METHOD_NOT_SUPPORTED,
        UserEventReason.PIN_REJECTED,
        UserEventReason.PIN_ALREADY_SET,
    }
)


@dataclass(frozen=True, slots=True)
class Verdict:
    """How checking one credential ended: the wire code, and the reason kept for the log; a
    challenge names what it asks for, and the step the attempt then waits in."""

    code: ResponseCode
    reason: UserEventReason
    serial: str | None = None
    pending: Pending | None = None
    challenge: Challenge | None = None

    @classmethod
    def fail(cls, reason: UserEventReason, serial: str | None = None) -> Verdict:
        return cls(ResponseCode.FAIL, reason, serial)

    def counted(self, user_lockout: Lockout, now: datetime, policy: LockoutPolicy) -> Lockout:
        """The user's consecutive failures after this check: a success clears them, a failed
        check of one of our methods adds one (whatever failed: code, PIN, replay, lock, nothing
        to check it against); a method we do not have, a next tokencode nobody asked for, or a
        new PIN the policy refused is no attempt at a credential."""
        if self.code is ResponseCode.SUCCESS:
            return Lockout()
        if self.code is ResponseCode.FAIL and self.reason not in _NOT_COUNTED:
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
    pending: Pending | None = None
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
        pending: Pending | None = None,
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
