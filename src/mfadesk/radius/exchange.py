"""One Access-Request through the authentication services `/mfa/v1_1` uses, and its reply.

Without a State the request is an ``initialize`` with one credential: the User-Password is a
SecurID passcode or an emergency tokencode (`domain.authn_methods.password_method`). With a
State it is a ``verify`` of the attempt the State names, answering the step the attempt waits
in (next tokencode, new PIN, new PIN + tokencode): the state machine stays in the domain
(`domain.securid_flow`), the attempt row in the database, so any worker can continue it.

The State carries the attempt id, the server's last message id (a stale State is out of
sequence: the attempt ends) and the method the challenge asked for: 244 random bits, bound to
the attempt, the RADIUS client and the User-Name, expiring with the attempt.
"""

from __future__ import annotations

from dataclasses import dataclass

from mfadesk.domain.authn_attempts import DEFAULT_ATTEMPT_TIMEOUT
from mfadesk.domain.authn_methods import Method, ResponseCode, password_method
from mfadesk.radius.packets import (
    ACCESS_ACCEPT,
    ACCESS_CHALLENGE,
    ACCESS_REJECT,
    AccessRequestPacket,
    Credential,
    build_reply,
)
from mfadesk.services.authn_attempts import (
    AuthnOutcome,
    CredentialInput,
    InitializeInput,
    VerifyInput,
    initialize,
    verify,
)
from mfadesk.services.authn_call import AuthnCall
from mfadesk.store.unit_of_work import UnitOfWork

# One message for every Access-Reject, whatever the reason (as the uniform FAIL).
REJECTED = "Authentication failed."
PAP_REQUIRED = "Only PAP is supported: send the passcode as User-Password (PAP)."
_STATE_PREFIX = b"mfadesk1:"


@dataclass(frozen=True, slots=True)
class Continuation:
    attempt_id: str
    message_id: str
    method: Method


def encode_state(attempt_id: str, message_id: str, method: Method) -> bytes:
    return _STATE_PREFIX + f"{attempt_id}:{message_id}:{method.value}".encode()


def decode_state(state: bytes) -> Continuation | None:
    if not state.startswith(_STATE_PREFIX):
        return None
    parts = state[len(_STATE_PREFIX) :].decode("ascii", errors="replace").split(":")
    if len(parts) != 3 or parts[2] not in Method.__members__:
        return None
    return Continuation(parts[0], parts[1], Method(parts[2]))


def _outcome(uow: UnitOfWork, call: AuthnCall, request: AccessRequestPacket) -> AuthnOutcome | None:
    """The use case's answer; None for a State that is none of ours (nothing to continue)."""
    message_id = call.env.random.uuid4()
    if request.state is None:
        method = (
            password_method(request.password)
            if request.credential is Credential.PAP
            else request.credential.value  # refused as a method we do not have, and logged
        )
        return initialize(
            uow,
            call,
            InitializeInput(
                subject_name=request.user_name,
                message_id=message_id,
                timeout_seconds=DEFAULT_ATTEMPT_TIMEOUT,
                client_id=request.nas_identifier,
                credentials=(CredentialInput(method, request.password),),
            ),
        )
    continuation = decode_state(request.state)
    if continuation is None:
        return None
    method_id = (
        continuation.method.value
        if request.credential is Credential.PAP
        else request.credential.value
    )
    return verify(
        uow,
        call,
        VerifyInput(
            attempt_id=continuation.attempt_id,
            message_id=message_id,
            in_response_to=continuation.message_id,
            credentials=(CredentialInput(method_id, request.password),),
            subject_name=request.user_name,
        ),
    )


def answer(uow: UnitOfWork, call: AuthnCall, request: AccessRequestPacket) -> bytes:
    """Run the request's use case in ``uow`` and build the reply."""
    outcome = _outcome(uow, call, request)
    if request.credential is not Credential.PAP:
        return build_reply(request, ACCESS_REJECT, PAP_REQUIRED)
    if outcome is None or outcome.code is ResponseCode.FAIL:
        return build_reply(request, ACCESS_REJECT, REJECTED)
    if outcome.code is ResponseCode.SUCCESS:
        return build_reply(request, ACCESS_ACCEPT, None)
    challenge = outcome.challenges[0]
    state = encode_state(outcome.attempt_id, outcome.message_id, challenge.method)
    return build_reply(request, ACCESS_CHALLENGE, challenge.default_text, state)


def rejected(request: AccessRequestPacket) -> bytes:
    """The reply to a throttled client: the same Access-Reject, nothing checked."""
    message = PAP_REQUIRED if request.credential is not Credential.PAP else REJECTED
    return build_reply(request, ACCESS_REJECT, message)
