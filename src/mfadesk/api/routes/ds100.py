"""SecurID DS100 OTP credential routes."""

from __future__ import annotations

from starlette.responses import Response

from mfadesk.api.endpoint import AdminRequest, Endpoint, Outcome
from mfadesk.api.responses import json_response
from mfadesk.api.routes.outcomes import BAD_REQUEST, FORBIDDEN, NOT_FOUND, SERVER_ERROR, TOO_MANY
from mfadesk.domain.clock import format_timestamp
from mfadesk.domain.hardware_tokens import TokenStatus
from mfadesk.services.ds100 import UserCredential, set_ds100_status
from mfadesk.wire.ds100 import Ds100CredentialStatus, Ds100CredentialStatusList, Ds100OtpRequest


def credential_status_body(entry: UserCredential) -> Ds100CredentialStatus:
    credential = entry.credential
    return Ds100CredentialStatus(
        userId=entry.user_id,
        tokenSerialNumber=credential.serial,
        tokenStatus=credential.status.value,
        tokenStatusChangedAt=format_timestamp(credential.status_changed_at),
        tokenStatusChangedBy=credential.status_changed_by,
        deviceSerialNumber=credential.device_serial,
    )


async def _set_status(request: AdminRequest, status: TokenStatus) -> Response:
    body = await request.body(Ds100OtpRequest)
    entries = await request.run(
        set_ds100_status, body.deviceSerialNumber, body.userId.lower(), status
    )
    return json_response(Ds100CredentialStatusList([credential_status_body(e) for e in entries]))


async def disable(request: AdminRequest) -> Response:
    return await _set_status(request, TokenStatus.DISABLED)


async def enable(request: AdminRequest) -> Response:
    return await _set_status(request, TokenStatus.ENABLED)


def _outcomes(verb: str) -> dict[int, Outcome]:
    return {
        200: Outcome(
            f"Successfully {verb}d DS100 OTP credential assigned to the user.",
            Ds100CredentialStatusList,
        ),
        400: Outcome(
            "Bad Request. Operation not performed because of client syntax errors.",
            BAD_REQUEST.model,
        ),
        403: FORBIDDEN,
        404: Outcome(
            "Either the user or the SecurID DS100 authenticator does not exist.", NOT_FOUND.model
        ),
        429: TOO_MANY,
        500: SERVER_ERROR,
    }


ENDPOINTS = (
    Endpoint(
        "PATCH",
        "/v1/ds100/disable/otp",
        "Disable SecurID DS100 OTP Credential",
        disable,
        Ds100OtpRequest,
        _outcomes("disable"),
        tag="DS100",
    ),
    Endpoint(
        "PATCH",
        "/v1/ds100/enable/otp",
        "Enable SecurID DS100 OTP Credential",
        enable,
        Ds100OtpRequest,
        _outcomes("enable"),
        tag="DS100",
    ),
)
