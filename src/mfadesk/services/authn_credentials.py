"""Who is authenticating, what they can use now, and checking the credentials an agent sent.

Each method's check lives with its noun (``authn_securid``, ``authn_emergency``); this module
picks the check, logs every one in the user event log and adds the offline data ticket to a
success.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from mfadesk.domain.authn_attempts import Attribute, Verdict
from mfadesk.domain.authn_methods import (
    REASONS,
    Challenge,
    Method,
    ResponseCode,
    canonical_method_id,
    parse_method,
)
from mfadesk.domain.lockout import Lockout
from mfadesk.domain.securid_steps import Pending, Step
from mfadesk.domain.user_events import UserEventReason, UserEventResult
from mfadesk.domain.users import User, UserStatus, normalize_email
from mfadesk.observability import events
from mfadesk.services.authn_call import AuthnCall
from mfadesk.services.authn_emergency import has_usable_emergency, offline_ticket, verify_emergency
from mfadesk.services.authn_new_pin import verify_new_pin
from mfadesk.services.authn_securid import (
    check_decoy,
    has_usable_securid,
    verify_next_tokencode,
    verify_passcode,
)
from mfadesk.services.user_events import Subject, record_user_event
from mfadesk.store.unit_of_work import UnitOfWork

OFFLINE_DATA_TICKET = "OFFLINE_DATA_TICKET"
# Where check_as_if writes a user's failure count: no user has this id (ids are UUIDs).
NO_USER_ID = ""
_STEP_ONLY = frozenset({Method.SECURID_NEXT_TOKENCODE, Method.SECURID_NEWPIN})
EVENT_RESULTS = {
    ResponseCode.SUCCESS: UserEventResult.SUCCESS,
    ResponseCode.FAIL: UserEventResult.FAIL,
    ResponseCode.CHALLENGE: UserEventResult.CHALLENGE,
}


@dataclass(frozen=True, slots=True)
class CredentialInput:
    method_id: str
    value: str


@dataclass(frozen=True, slots=True)
class MethodResult:
    method_id: str
    code: ResponseCode
    attributes: tuple[Attribute, ...] = ()

    @property
    def reason(self) -> str:
        return REASONS[self.code]


@dataclass(frozen=True, slots=True)
class CheckedCredentials:
    code: ResponseCode
    results: tuple[MethodResult, ...]
    succeeded: Method | None = None
    pending: Pending | None = None
    challenges: tuple[Challenge, ...] = ()


def failed_results(credentials: tuple[CredentialInput, ...]) -> tuple[MethodResult, ...]:
    """The per-method results of every FAIL: one ``FAIL`` for each method sent, in order,
    whatever went wrong (and nothing at all when nothing was sent)."""
    return tuple(
        MethodResult(canonical_method_id(c.method_id), ResponseCode.FAIL) for c in credentials
    )


def find_user(
    uow: UnitOfWork, company_id: str, subject_name: str, *, for_update: bool = False
) -> User | None:
    """``subjectName`` (and RADIUS's User-Name) is the user's e-mail address, their user id, or
    their principal username in any case (an e-mail address names its owner first). A
    verification reads the user ``for_update``: the user's row is the first it locks (then the
    credentials' rows), so one user's verifications take turns and their failure count is
    exact."""
    name = subject_name.strip()
    try:
        user_id = str(UUID(name))
    except ValueError:
        users = uow.users
        by_email = users.get_by_email(company_id, normalize_email(name), for_update=for_update)
        if by_email is not None:
            return by_email
        return users.get_by_principal_username(company_id, name, for_update=for_update)
    return uow.users.get(company_id, user_id, for_update=for_update)


def refusal(user: User | None) -> UserEventReason | None:
    """Why this user cannot authenticate at all, if so."""
    if user is None:
        return UserEventReason.USER_NOT_FOUND
    if user.mark_deleted:
        return UserEventReason.USER_DELETED
    if user.status is not UserStatus.ENABLED:
        return UserEventReason.USER_DISABLED
    return None


def offered_methods(uow: UnitOfWork, call: AuthnCall, user: User) -> tuple[Challenge, ...]:
    """The methods the user can use now: a disabled token or a removed code is not offered."""
    methods: list[Challenge] = []
    if has_usable_securid(uow, call, user):
        methods.append(Challenge.of(Method.SECURID))
    if has_usable_emergency(uow, call, user):
        methods.append(Challenge.of(Method.EMERGENCY_TOKENCODE))
    return tuple(methods)


def check_as_if(
    uow: UnitOfWork, call: AuthnCall, company_id: str, user_id: str, credential: CredentialInput
) -> None:
    """Do for a credential that is not checked (its user is unknown, refused or locked) what
    checking a wrong one would: for a ``SECURID`` passcode, read the user's credentials (none,
    for an unknown user), check it against the decoy and write its failures — the decoy's and
    the user's failure counts — to rows that do not exist (no user id is empty). (An emergency
    tokencode's check is one HMAC: nothing to hide.)"""
    if parse_method(credential.method_id) is Method.SECURID:
        uow.securid_credentials.of_user(company_id, user_id, for_update=True)
        check_decoy(uow, call, credential.value)
        lockout = Lockout().after_failure(call.now, call.config.lockout)
        uow.users.save_authn_lockout(NO_USER_ID, lockout)


def _answers(method: Method, pending: Pending | None) -> bool:
    """A step is answered by its one method; a next tokencode or a new PIN only when asked."""
    if pending is not None:
        return method is pending.method
    return method not in _STEP_ONLY


def _check(
    uow: UnitOfWork,
    call: AuthnCall,
    user: User,
    credential: CredentialInput,
    pending: Pending | None,
) -> Verdict:
    method = parse_method(credential.method_id)
    if method is None or not _answers(method, pending):
        return Verdict.fail(UserEventReason.METHOD_NOT_SUPPORTED)
    if method is Method.EMERGENCY_TOKENCODE:
        return verify_emergency(uow, call, user, credential.value)
    if pending is None:
        return verify_passcode(uow, call, user, credential.value)
    if pending.step is Step.NEXT_TOKENCODE:
        return verify_next_tokencode(uow, call, user, pending, credential.value)
    if pending.step is Step.NEW_PIN:
        return verify_new_pin(uow, call, user, pending, credential.value)
    return verify_passcode(uow, call, user, credential.value, only=pending)


def check_credentials(
    uow: UnitOfWork,
    call: AuthnCall,
    user: User,
    subject: Subject,
    credentials: tuple[CredentialInput, ...],
    pending: Pending | None,
) -> CheckedCredentials:
    """Check the credentials in order until one is not a failure; log each check. The user
    (read ``for_update``) counts the failures: once locked, nothing is checked any more."""
    now, policy = call.now, call.config.lockout
    lockout = user.authn_lockout.current(now)
    for index, credential in enumerate(credentials):
        if lockout.locked(now, policy):
            check_as_if(uow, call, user.company_id, user.id, credential)
            verdict = Verdict.fail(UserEventReason.USER_LOCKED)
        else:
            verdict = _check(uow, call, user, credential, pending)
            lockout = verdict.counted(lockout, now, policy)
        method_id = canonical_method_id(credential.method_id)
        record_user_event(
            uow,
            call,
            subject,
            EVENT_RESULTS[verdict.code],
            verdict.reason,
            method=method_id,
            serial=verdict.serial,
        )
        if verdict.code is ResponseCode.FAIL:
            continue
        _save_lockout(uow, call, user, lockout)
        attributes: tuple[Attribute, ...] = ()
        if verdict.code is ResponseCode.SUCCESS:
            ticket = offline_ticket(uow, call, user)
            if ticket is not None:
                attributes = (Attribute(OFFLINE_DATA_TICKET, ticket, "STRING"),)
        return CheckedCredentials(
            verdict.code,
            (
                *failed_results(credentials[:index]),
                MethodResult(method_id, verdict.code, attributes),
            ),
            parse_method(method_id) if verdict.code is ResponseCode.SUCCESS else None,
            verdict.pending,
            (verdict.challenge,) if verdict.challenge else (),
        )
    if not credentials:
        record_user_event(
            uow, call, subject, UserEventResult.FAIL, UserEventReason.WRONG_CREDENTIAL
        )
    _save_lockout(uow, call, user, lockout)
    return CheckedCredentials(ResponseCode.FAIL, failed_results(credentials))


def _save_lockout(uow: UnitOfWork, call: AuthnCall, user: User, lockout: Lockout) -> None:
    if lockout != user.authn_lockout:
        uow.users.save_authn_lockout(user.id, lockout)
        now, policy = call.now, call.config.lockout
        if lockout.locked(now, policy) and not user.authn_lockout.current(now).locked(now, policy):
            agent = call.client
            events.lockout(agent.transport.value, agent.name)
