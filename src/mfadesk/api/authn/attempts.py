"""``/authn/initialize``, ``/authn/verify``, ``/authn/status`` and ``/authn/cancel``."""

from __future__ import annotations

from starlette.responses import Response

from mfadesk.api.authn.outcomes import authn_outcomes
from mfadesk.api.authn.pipeline import AuthnEndpoint, AuthnRequest
from mfadesk.api.responses import json_response
from mfadesk.domain.authn_attempts import Attribute, attempt_timeout
from mfadesk.domain.authn_methods import METHOD_VERSION, Challenge
from mfadesk.domain.clock import format_timestamp
from mfadesk.services.authn_attempts import (
    NO_ATTEMPT_STATUS,
    AuthnOutcome,
    CredentialInput,
    InitializeInput,
    StatusOutcome,
    VerifyInput,
    cancel,
    initialize,
    status,
    uniform_fail,
    verify,
)
from mfadesk.wire import authn as wire


def _value(credential: wire.CredentialInput) -> str:
    """The input named after the method (or the only input there is)."""
    inputs = credential.collectedInputs
    named = [i for i in inputs if i.name.strip().upper() == credential.methodId.strip().upper()]
    chosen = named[0] if named else inputs[0] if len(inputs) == 1 else None
    if chosen is None or chosen.value is None:
        return ""
    return chosen.value


def _credentials(credentials: list[wire.CredentialInput] | None) -> tuple[CredentialInput, ...]:
    return tuple(CredentialInput(c.methodId, _value(c)) for c in credentials or ())


def _pairs(attributes: tuple[Attribute, ...]) -> list[wire.NameValuePair]:
    return [
        wire.NameValuePair(name=a.name, value=a.value, dataType=a.data_type) for a in attributes
    ]


def _prompt(challenge: Challenge) -> wire.MethodPrompt:
    """A PIN to define states the policy: lengths, the format, and that it is being defined."""
    policy = challenge.pin_policy
    return wire.MethodPrompt(
        promptResourceId=challenge.prompt.resource_id,
        defaultText=challenge.default_text,
        formatRegex=policy.format_regex if policy else None,
        valueBeingDefined=policy is not None,
        minLength=policy.min_length if policy else None,
        maxLength=policy.max_length if policy else None,
        promptArgs=list(challenge.prompt_args),
    )


def _method_body(challenge: Challenge, priority: int) -> wire.AuthenticationMethod:
    return wire.AuthenticationMethod(
        methodId=challenge.method.value,
        displayName=challenge.prompt.display_name,
        priority=priority,
        versions=[
            wire.AuthenticationMethodVersion(versionId=METHOD_VERSION, prompt=_prompt(challenge))
        ],
    )


def authn_response_body(outcome: AuthnOutcome) -> wire.AuthnResponse:
    return wire.AuthnResponse(
        context=wire.AuthnContext(
            authnAttemptId=outcome.attempt_id,
            messageId=outcome.message_id,
            inResponseTo=outcome.in_response_to,
        ),
        credentialValidationResults=[
            wire.CredentialValidationResult(
                methodId=r.method_id,
                methodResponseCode=r.code.value,
                methodReasonCode=r.reason,
                authnAttributes=_pairs(r.attributes),
            )
            for r in outcome.results
        ],
        attemptResponseCode=outcome.code.value,
        attemptReasonCode=outcome.reason,
        # One set per method: an agent offers the user a choice between them.
        challengeMethods=wire.ChallengeMethods(
            challenges=[
                wire.ChallengeMethodSet(requiredMethods=[_method_body(challenge, priority)])
                for priority, challenge in enumerate(outcome.challenges, start=1)
            ]
        ),
    )


def _initialize_input(body: wire.InitializeRequest) -> InitializeInput:
    return InitializeInput(
        subject_name=body.subjectName,
        message_id=body.context.messageId,
        timeout_seconds=attempt_timeout(body.authnAttemptTimeout),
        keep=bool(body.keepAttempt),
        client_id=body.clientId,
        assurance_policy_id=body.assurancePolicyId,
        session_attributes=tuple(
            Attribute(a.name, a.value, a.dataType) for a in body.sessionAttributes or ()
        ),
        credentials=_credentials(body.subjectCredentials),
    )


def _verify_input(body: wire.VerifyRequest) -> VerifyInput:
    context = body.context
    return VerifyInput(
        attempt_id=context.authnAttemptId,
        message_id=context.messageId,
        in_response_to=context.inResponseTo,
        credentials=_credentials(body.subjectCredentials),
    )


async def initialize_attempt(request: AuthnRequest) -> Response:
    inputs = _initialize_input(await request.body(wire.InitializeRequest))
    outcome = await request.run(initialize, inputs)
    await request.runtime.after_initialize()
    return json_response(authn_response_body(outcome))


async def verify_attempt(request: AuthnRequest) -> Response:
    inputs = _verify_input(await request.body(wire.VerifyRequest))
    return json_response(authn_response_body(await request.run(verify, inputs)))


# A throttled client: the answer the request would get were nothing to be found (unknown user,
# unknown attempt), from the request alone, with fresh ids drawn as the use cases draw them.


async def throttled_initialize(request: AuthnRequest) -> Response:
    inputs = _initialize_input(await request.body(wire.InitializeRequest))
    random = request.call.env.random
    attempt_id, message_id = random.uuid4(), random.uuid4()
    outcome = uniform_fail(attempt_id, message_id, inputs.message_id, inputs.credentials)
    return json_response(authn_response_body(outcome))


async def throttled_verify(request: AuthnRequest) -> Response:
    inputs = _verify_input(await request.body(wire.VerifyRequest))
    message_id = request.call.env.random.uuid4()
    outcome = uniform_fail(inputs.attempt_id, message_id, inputs.message_id, inputs.credentials)
    return json_response(authn_response_body(outcome))


def status_body(outcome: StatusOutcome) -> wire.AuthnStatusResponse:
    attempt = outcome.attempt
    return wire.AuthnStatusResponse(
        attemptResponseCode=outcome.code.value,
        attemptReasonCode=outcome.reason,
        subjectName=attempt.subject_name if attempt else None,
        authnPolicyId=attempt.assurance_policy_id if attempt else None,
        sessionAttributes=_pairs(attempt.session_attributes) if attempt else [],
        successfulMethods=[m.value for m in attempt.successful_methods] if attempt else [],
        attemptExpires=format_timestamp(attempt.expires_at) if attempt else None,
    )


async def attempt_status(request: AuthnRequest) -> Response:
    body = await request.body(wire.StatusRequest)
    outcome = await request.run(status, body.authnAttemptId, bool(body.removeAttemptId))
    return json_response(status_body(outcome))


async def throttled_status(request: AuthnRequest) -> Response:
    await request.body(wire.StatusRequest)
    return json_response(status_body(NO_ATTEMPT_STATUS))


async def cancel_attempt(request: AuthnRequest) -> Response:
    body = await request.body(wire.CancelRequest)
    outcome = await request.run(cancel, body.authnAttemptId, bool(body.removeAttemptId))
    return json_response(authn_response_body(outcome))


async def throttled_cancel(request: AuthnRequest) -> Response:
    body = await request.body(wire.CancelRequest)
    message_id = request.call.env.random.uuid4()
    return json_response(
        authn_response_body(uniform_fail(body.authnAttemptId, message_id, None, ()))
    )


ENDPOINTS = (
    AuthnEndpoint(
        "POST",
        "/authn/initialize",
        "Initialize an authentication attempt",
        initialize_attempt,
        wire.InitializeRequest,
        authn_outcomes(wire.AuthnResponse),
        throttled=throttled_initialize,
    ),
    AuthnEndpoint(
        "POST",
        "/authn/verify",
        "Verify authentication credentials",
        verify_attempt,
        wire.VerifyRequest,
        authn_outcomes(wire.AuthnResponse),
        throttled=throttled_verify,
    ),
    AuthnEndpoint(
        "POST",
        "/authn/status",
        "Check the status of an authentication attempt",
        attempt_status,
        wire.StatusRequest,
        authn_outcomes(wire.AuthnStatusResponse),
        throttled=throttled_status,
    ),
    AuthnEndpoint(
        "POST",
        "/authn/cancel",
        "Cancel an authentication attempt",
        cancel_attempt,
        wire.CancelRequest,
        authn_outcomes(wire.AuthnResponse),
        throttled=throttled_cancel,
    ),
)
