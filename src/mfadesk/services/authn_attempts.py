"""The authentication conversation: initialize, verify, status and cancel.

Each call runs in one transaction: the client key is checked, the attempt row (if any) is locked,
credentials are checked with their rows locked, and every step is recorded in the user event log
before the commit. Every failure answers the same ``FAIL``; only the log says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mfadesk.domain.authn_attempts import AttemptStatus, Attribute, AuthnAttempt
from mfadesk.domain.authn_methods import CANCELLED_REASON, REASONS, Challenge, ResponseCode
from mfadesk.domain.user_events import UserEventReason, UserEventResult
from mfadesk.services.authn_call import AuthnCall
from mfadesk.services.authn_credentials import (
    EVENT_RESULTS,
    CredentialInput,
    MethodResult,
    check_as_if,
    check_credentials,
    failed_results,
    find_user,
    offered_methods,
    refusal,
)
from mfadesk.services.authn_keys import authenticate_client
from mfadesk.services.user_events import Subject, record_user_event
from mfadesk.store.unit_of_work import UnitOfWork

__all__ = [
    "NO_ATTEMPT_STATUS",
    "AuthnOutcome",
    "CredentialInput",
    "InitializeInput",
    "StatusOutcome",
    "VerifyInput",
    "cancel",
    "initialize",
    "purge_expired_attempts",
    "status",
    "uniform_fail",
    "verify",
]


@dataclass(frozen=True, slots=True)
class InitializeInput:
    subject_name: str
    message_id: str
    timeout_seconds: int
    keep: bool = False
    client_id: str | None = None
    assurance_policy_id: str | None = None
    session_attributes: tuple[Attribute, ...] = ()
    credentials: tuple[CredentialInput, ...] = ()


@dataclass(frozen=True, slots=True)
class VerifyInput:
    attempt_id: str
    message_id: str
    in_response_to: str | None
    credentials: tuple[CredentialInput, ...]


@dataclass(frozen=True, slots=True)
class AuthnOutcome:
    """What an initialize, verify or cancel call answers."""

    attempt_id: str
    message_id: str
    in_response_to: str | None
    code: ResponseCode
    reason: str
    results: tuple[MethodResult, ...] = ()
    challenges: tuple[Challenge, ...] = ()


@dataclass(frozen=True, slots=True)
class StatusOutcome:
    code: ResponseCode
    reason: str
    attempt: AuthnAttempt | None


def uniform_fail(
    attempt_id: str,
    message_id: str,
    in_response_to: str | None,
    credentials: tuple[CredentialInput, ...],
) -> AuthnOutcome:
    """The one FAIL an initialize or verify answers, whatever the reason: unknown, disabled or
    deleted user, no such method, wrong, replayed or locked code, a dead or crossed attempt, a
    throttled client (and the cancel of an attempt there is not). Only the ids differ from one
    FAIL to the next; the log says why."""
    return AuthnOutcome(
        attempt_id,
        message_id,
        in_response_to,
        ResponseCode.FAIL,
        REASONS[ResponseCode.FAIL],
        failed_results(credentials),
    )


# The status of an attempt that is unknown, removed or expired (or of a throttled client's).
NO_ATTEMPT_STATUS = StatusOutcome(ResponseCode.FAIL, REASONS[ResponseCode.FAIL], None)

_STATUSES = {
    ResponseCode.SUCCESS: AttemptStatus.SUCCESS,
    ResponseCode.FAIL: AttemptStatus.FAIL,
    ResponseCode.CHALLENGE: AttemptStatus.CHALLENGE,
}


def _keep_or_drop(uow: UnitOfWork, attempt: AuthnAttempt, *, stored: bool) -> None:
    """Open attempts are kept; finished ones only if the agent asked to (keepAttempt)."""
    if attempt.open or attempt.keep:
        (uow.authn_attempts.save if stored else uow.authn_attempts.add)(attempt)
    elif stored:
        uow.authn_attempts.remove(attempt.id)


def initialize(uow: UnitOfWork, call: AuthnCall, request: InitializeInput) -> AuthnOutcome:
    key = authenticate_client(uow, call)
    random = call.env.random
    user = find_user(
        uow, key.company_id, request.subject_name, for_update=bool(request.credentials)
    )
    attempt = AuthnAttempt(
        id=random.uuid4(),
        company_id=key.company_id,
        authn_key_id=key.id,
        client_id=request.client_id,
        subject_name=request.subject_name,
        user_id=user.id if user else None,
        status=AttemptStatus.CHALLENGE,
        last_message_id="",
        timeout_seconds=request.timeout_seconds,
        expires_at=call.now,
        keep=request.keep,
        created_at=call.now,
        assurance_policy_id=request.assurance_policy_id,
        session_attributes=request.session_attributes,
    )
    subject = Subject(request.subject_name, attempt.user_id, request.client_id, attempt.id)
    message_id = random.uuid4()
    refused = refusal(user)
    challenges: tuple[Challenge, ...] = ()
    results: tuple[MethodResult, ...] = ()
    # An unknown, disabled or deleted user gets the FAIL any user can get (see uniform_fail).
    if refused is not None or user is None:
        code = ResponseCode.FAIL
        for credential in request.credentials:
            check_as_if(uow, call, key.company_id, attempt.user_id or "", credential)
        record_user_event(
            uow, call, subject, UserEventResult.FAIL, refused or UserEventReason.USER_NOT_FOUND
        )
        attempt = attempt.answered(message_id, call.now, AttemptStatus.FAIL)
    elif not request.credentials:
        challenges = offered_methods(uow, call, user)
        code = ResponseCode.CHALLENGE if challenges else ResponseCode.FAIL
        reason = (
            UserEventReason.METHODS_OFFERED if challenges else UserEventReason.NO_USABLE_CREDENTIAL
        )
        record_user_event(uow, call, subject, EVENT_RESULTS[code], reason)
        attempt = attempt.answered(message_id, call.now, _STATUSES[code])
    else:
        checked = check_credentials(uow, call, user, subject, request.credentials, None)
        code, results, challenges = checked.code, checked.results, checked.challenges
        attempt = attempt.answered(
            message_id,
            call.now,
            _STATUSES[code],
            succeeded=checked.succeeded,
            pending=checked.pending,
        )
    _keep_or_drop(uow, attempt, stored=False)
    if code is ResponseCode.FAIL:
        return uniform_fail(attempt.id, message_id, request.message_id, request.credentials)
    return AuthnOutcome(
        attempt.id, message_id, request.message_id, code, REASONS[code], results, challenges
    )


def _attempt(
    uow: UnitOfWork, call: AuthnCall, attempt_id: str, *, for_update: bool
) -> tuple[AuthnAttempt | None, bool]:
    """The caller's company's attempt, and whether it is still alive (an expired one is
    removed as it is found)."""
    attempt = uow.authn_attempts.get(attempt_id, for_update=for_update)
    if attempt is None or attempt.company_id != call.client.company_id:
        return None, False
    if attempt.expired(call.now):
        uow.authn_attempts.remove(attempt.id)
        return attempt, False
    return attempt, True


def _live_attempt(
    uow: UnitOfWork, call: AuthnCall, attempt_id: str, *, for_update: bool
) -> AuthnAttempt | None:
    attempt, alive = _attempt(uow, call, attempt_id, for_update=for_update)
    return attempt if alive else None


def _subject_of(attempt: AuthnAttempt) -> Subject:
    return Subject(attempt.subject_name, attempt.user_id, attempt.client_id, attempt.id)


def verify(uow: UnitOfWork, call: AuthnCall, request: VerifyInput) -> AuthnOutcome:
    authenticate_client(uow, call)
    message_id = call.env.random.uuid4()

    def failed(reason: UserEventReason, attempt: AuthnAttempt | None) -> AuthnOutcome:
        if attempt is not None:
            subject = _subject_of(attempt)
            record_user_event(uow, call, subject, UserEventResult.FAIL, reason)
        return uniform_fail(request.attempt_id, message_id, request.message_id, request.credentials)

    attempt, alive = _attempt(uow, call, request.attempt_id, for_update=True)
    if attempt is None or not attempt.open:
        return failed(UserEventReason.ATTEMPT_NOT_FOUND, attempt)
    if not alive:
        return failed(UserEventReason.ATTEMPT_EXPIRED, attempt)
    if not attempt.in_sequence(request.in_response_to):
        # A replayed or crossed message ends the attempt without looking at its credentials.
        _keep_or_drop(uow, attempt.answered(message_id, call.now, AttemptStatus.FAIL), stored=True)
        return failed(UserEventReason.OUT_OF_SEQUENCE, attempt)
    user = uow.users.get(attempt.company_id, attempt.user_id or "", for_update=True)
    refused = refusal(user)
    if refused is not None or user is None:
        for credential in request.credentials:
            check_as_if(uow, call, attempt.company_id, attempt.user_id or "", credential)
        _keep_or_drop(uow, attempt.answered(message_id, call.now, AttemptStatus.FAIL), stored=True)
        return failed(refused or UserEventReason.USER_NOT_FOUND, attempt)
    checked = check_credentials(
        uow, call, user, _subject_of(attempt), request.credentials, attempt.pending
    )
    updated = attempt.answered(
        message_id,
        call.now,
        _STATUSES[checked.code],
        succeeded=checked.succeeded,
        pending=checked.pending,
    )
    _keep_or_drop(uow, updated, stored=True)
    if checked.code is ResponseCode.FAIL:
        return uniform_fail(attempt.id, message_id, request.message_id, request.credentials)
    return AuthnOutcome(
        attempt.id,
        message_id,
        request.message_id,
        checked.code,
        REASONS[checked.code],
        checked.results,
        checked.challenges,
    )


def status(uow: UnitOfWork, call: AuthnCall, attempt_id: str, remove: bool) -> StatusOutcome:
    authenticate_client(uow, call)
    attempt = _live_attempt(uow, call, attempt_id, for_update=remove)
    if attempt is None:
        return NO_ATTEMPT_STATUS
    if remove:
        uow.authn_attempts.remove(attempt.id)
    code = attempt.status.response_code
    reason = CANCELLED_REASON if attempt.status is AttemptStatus.CANCELLED else REASONS[code]
    return StatusOutcome(code, reason, attempt)


def cancel(uow: UnitOfWork, call: AuthnCall, attempt_id: str, remove: bool) -> AuthnOutcome:
    authenticate_client(uow, call)
    message_id = call.env.random.uuid4()
    attempt = _live_attempt(uow, call, attempt_id, for_update=True)
    if attempt is None:
        return uniform_fail(attempt_id, message_id, None, ())
    if attempt.open:
        record_user_event(
            uow, call, _subject_of(attempt), UserEventResult.CANCELLED, UserEventReason.CANCELLED
        )
        attempt = attempt.answered(message_id, call.now, AttemptStatus.CANCELLED)
    if remove or not attempt.keep:
        uow.authn_attempts.remove(attempt.id)
    else:
        uow.authn_attempts.save(attempt)
    return AuthnOutcome(attempt.id, message_id, None, ResponseCode.FAIL, CANCELLED_REASON)


def purge_expired_attempts(uow: UnitOfWork, now: datetime) -> int:
    return uow.authn_attempts.purge_expired(now)
