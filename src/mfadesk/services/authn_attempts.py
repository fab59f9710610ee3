"""The authentication conversation: initialize, verify, status and cancel.

Each call runs in one transaction: the client key is checked, the attempt row (if any) is locked,
credentials are checked with their rows locked, and every step is recorded in the user event log
before the commit. Every failure answers the same ``FAIL``; only the log says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from mfadesk.domain.authn_attempts import (
    AttemptStatus,
    Attribute,
    AuthnAttempt,
    PendingNextTokencode,
    Verdict,
)
from mfadesk.domain.authn_methods import (
    CANCELLED_REASON,
    REASONS,
    Method,
    ResponseCode,
    parse_method,
)
from mfadesk.domain.user_events import UserEventReason, UserEventResult
from mfadesk.domain.users import User, UserStatus, normalize_email
from mfadesk.services.authn_call import AuthnCall
from mfadesk.services.authn_emergency import has_usable_emergency, offline_ticket, verify_emergency
from mfadesk.services.authn_keys import authenticate_client
from mfadesk.services.authn_securid import (
    has_usable_securid,
    verify_next_tokencode,
    verify_passcode,
)
from mfadesk.services.user_events import Subject, record_user_event
from mfadesk.store.unit_of_work import UnitOfWork

OFFLINE_DATA_TICKET = "OFFLINE_DATA_TICKET"


@dataclass(frozen=True, slots=True)
class CredentialInput:
    method_id: str
    value: str


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
class MethodResult:
    method_id: str
    code: ResponseCode
    attributes: tuple[Attribute, ...] = ()

    @property
    def reason(self) -> str:
        return REASONS[self.code]


@dataclass(frozen=True, slots=True)
class AuthnOutcome:
    """What an initialize, verify or cancel call answers."""

    attempt_id: str
    message_id: str
    in_response_to: str | None
    code: ResponseCode
    reason: str
    results: tuple[MethodResult, ...] = ()
    challenges: tuple[Method, ...] = ()


@dataclass(frozen=True, slots=True)
class StatusOutcome:
    code: ResponseCode
    reason: str
    attempt: AuthnAttempt | None


_EVENT_RESULTS = {
    ResponseCode.SUCCESS: UserEventResult.SUCCESS,
    ResponseCode.FAIL: UserEventResult.FAIL,
    ResponseCode.CHALLENGE: UserEventResult.CHALLENGE,
}
_STATUSES = {
    ResponseCode.SUCCESS: AttemptStatus.SUCCESS,
    ResponseCode.FAIL: AttemptStatus.FAIL,
    ResponseCode.CHALLENGE: AttemptStatus.CHALLENGE,
}


def _find_user(uow: UnitOfWork, company_id: str, subject_name: str) -> User | None:
    """``subjectName`` is the user's e-mail address or user id."""
    name = subject_name.strip()
    try:
        user_id = str(UUID(name))
    except ValueError:
        return uow.users.get_by_email(company_id, normalize_email(name))
    return uow.users.get(company_id, user_id)


def _refusal(user: User | None) -> UserEventReason | None:
    """Why this user cannot authenticate at all, if so."""
    if user is None:
        return UserEventReason.USER_NOT_FOUND
    if user.mark_deleted:
        return UserEventReason.USER_DELETED
    if user.status is not UserStatus.ENABLED:
        return UserEventReason.USER_DISABLED
    return None


def _offered(uow: UnitOfWork, call: AuthnCall, user: User) -> tuple[Method, ...]:
    """The methods the user can use now: a disabled token or a removed code is not offered."""
    methods: list[Method] = []
    if has_usable_securid(uow, call, user):
        methods.append(Method.SECURID)
    if has_usable_emergency(uow, call, user):
        methods.append(Method.EMERGENCY_TOKENCODE)
    return tuple(methods)


def _check(
    uow: UnitOfWork,
    call: AuthnCall,
    user: User,
    credential: CredentialInput,
    pending: PendingNextTokencode | None,
) -> Verdict:
    method = parse_method(credential.method_id)
    # A next-tokencode challenge is answered with the next tokencode, and only then.
    if method is None or (method is Method.SECURID_NEXT_TOKENCODE) != (pending is not None):
        return Verdict.fail(UserEventReason.METHOD_NOT_SUPPORTED)
    if method is Method.SECURID:
        return verify_passcode(uow, call, user, credential.value)
    if method is Method.EMERGENCY_TOKENCODE:
        return verify_emergency(uow, call, user, credential.value)
    assert pending is not None
    return verify_next_tokencode(uow, call, user, pending, credential.value)


@dataclass(frozen=True, slots=True)
class _Checked:
    code: ResponseCode
    results: tuple[MethodResult, ...]
    succeeded: Method | None
    pending: PendingNextTokencode | None


def _check_all(
    uow: UnitOfWork,
    call: AuthnCall,
    user: User,
    subject: Subject,
    credentials: tuple[CredentialInput, ...],
    pending: PendingNextTokencode | None,
) -> _Checked:
    """Check the credentials in order until one is not a failure; log each check."""
    results: list[MethodResult] = []
    for credential in credentials:
        verdict = _check(uow, call, user, credential, pending)
        record_user_event(
            uow,
            call,
            subject,
            _EVENT_RESULTS[verdict.code],
            verdict.reason,
            method=credential.method_id,
            serial=verdict.serial,
        )
        attributes: tuple[Attribute, ...] = ()
        if verdict.code is ResponseCode.SUCCESS:
            ticket = offline_ticket(uow, call, user)
            if ticket is not None:
                attributes = (Attribute(OFFLINE_DATA_TICKET, ticket, "STRING"),)
        results.append(MethodResult(credential.method_id, verdict.code, attributes))
        if verdict.code is not ResponseCode.FAIL:
            method = parse_method(credential.method_id)
            succeeded = method if verdict.code is ResponseCode.SUCCESS else None
            return _Checked(verdict.code, tuple(results), succeeded, verdict.pending)
    return _Checked(ResponseCode.FAIL, tuple(results), None, None)


def _challenge_for(checked: _Checked) -> tuple[Method, ...]:
    if checked.code is ResponseCode.CHALLENGE:
        return (Method.SECURID_NEXT_TOKENCODE,)
    return ()


def _keep_or_drop(uow: UnitOfWork, attempt: AuthnAttempt, *, stored: bool) -> None:
    """Open attempts are kept; finished ones only if the agent asked to (keepAttempt)."""
    if attempt.open or attempt.keep:
        (uow.authn_attempts.save if stored else uow.authn_attempts.add)(attempt)
    elif stored:
        uow.authn_attempts.remove(attempt.id)


def initialize(uow: UnitOfWork, call: AuthnCall, request: InitializeInput) -> AuthnOutcome:
    key = authenticate_client(uow, call)
    random = call.env.random
    user = _find_user(uow, key.company_id, request.subject_name)
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
    refusal = _refusal(user)
    challenges: tuple[Method, ...] = ()
    results: tuple[MethodResult, ...] = ()
    if refusal is not None or user is None:
        code = ResponseCode.FAIL
        record_user_event(
            uow, call, subject, UserEventResult.FAIL, refusal or UserEventReason.USER_NOT_FOUND
        )
        attempt = attempt.answered(message_id, call.now, AttemptStatus.FAIL)
    elif not request.credentials:
        challenges = _offered(uow, call, user)
        code = ResponseCode.CHALLENGE if challenges else ResponseCode.FAIL
        reason = (
            UserEventReason.METHODS_OFFERED if challenges else UserEventReason.NO_USABLE_CREDENTIAL
        )
        record_user_event(uow, call, subject, _EVENT_RESULTS[code], reason)
        attempt = attempt.answered(message_id, call.now, _STATUSES[code])
    else:
        checked = _check_all(uow, call, user, subject, request.credentials, None)
        code, results, challenges = checked.code, checked.results, _challenge_for(checked)
        attempt = attempt.answered(
            message_id,
            call.now,
            _STATUSES[code],
            succeeded=checked.succeeded,
            pending=checked.pending,
        )
    _keep_or_drop(uow, attempt, stored=False)
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
        return AuthnOutcome(
            request.attempt_id,
            message_id,
            request.message_id,
            ResponseCode.FAIL,
            REASONS[ResponseCode.FAIL],
        )

    attempt, alive = _attempt(uow, call, request.attempt_id, for_update=True)
    if attempt is None or not alive or not attempt.open:
        reason = UserEventReason.ATTEMPT_NOT_FOUND if alive else UserEventReason.ATTEMPT_EXPIRED
        return failed(reason, attempt)
    if not attempt.in_sequence(request.in_response_to):
        # A replayed or crossed message ends the attempt without looking at its credentials.
        _keep_or_drop(uow, attempt.answered(message_id, call.now, AttemptStatus.FAIL), stored=True)
        return failed(UserEventReason.OUT_OF_SEQUENCE, attempt)
    user = uow.users.get(attempt.company_id, attempt.user_id or "")
    refusal = _refusal(user)
    if refusal is not None or user is None:
        _keep_or_drop(uow, attempt.answered(message_id, call.now, AttemptStatus.FAIL), stored=True)
        return failed(refusal or UserEventReason.USER_NOT_FOUND, attempt)
    checked = _check_all(
        uow, call, user, _subject_of(attempt), request.credentials, attempt.pending
    )
    if not request.credentials:
        record_user_event(
            uow, call, _subject_of(attempt), UserEventResult.FAIL, UserEventReason.WRONG_CREDENTIAL
        )
    updated = attempt.answered(
        message_id,
        call.now,
        _STATUSES[checked.code],
        succeeded=checked.succeeded,
        pending=checked.pending,
    )
    _keep_or_drop(uow, updated, stored=True)
    return AuthnOutcome(
        attempt.id,
        message_id,
        request.message_id,
        checked.code,
        REASONS[checked.code],
        checked.results,
        _challenge_for(checked),
    )


def status(uow: UnitOfWork, call: AuthnCall, attempt_id: str, remove: bool) -> StatusOutcome:
    authenticate_client(uow, call)
    attempt = _live_attempt(uow, call, attempt_id, for_update=remove)
    if attempt is None:
        return StatusOutcome(ResponseCode.FAIL, REASONS[ResponseCode.FAIL], None)
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
        return AuthnOutcome(
            attempt_id, message_id, None, ResponseCode.FAIL, REASONS[ResponseCode.FAIL]
        )
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
