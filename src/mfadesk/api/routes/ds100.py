"""SecurID DS100 OTP credential routes."""

from __future__ import annotations

from pydantic import BaseModel
from starlette.responses import Response

from mfadesk.api.endpoint import AdminRequest, Endpoint, Outcome
from mfadesk.api.responses import json_response
from mfadesk.api.routes.outcomes import BAD_REQUEST, FORBIDDEN, NOT_FOUND, SERVER_ERROR, TOO_MANY
from mfadesk.domain.clock import format_timestamp
from mfadesk.domain.hardware_tokens import TokenStatus
from mfadesk.domain.oauth_clients import Scope
from mfadesk.services.ds100 import (
    DeviceDetails,
    UserCredential,
    clear_ds100_otp_pin,
    delete_ds100_otp,
    lookup_ds100,
    set_ds100_status,
)
from mfadesk.wire.ds100 import (
    Ds100ClearPinRequest,
    Ds100CredentialDetails,
    Ds100CredentialDetailsList,
    Ds100CredentialStatus,
    Ds100CredentialStatusList,
    Ds100DeleteOtpRequest,
    Ds100DeleteResponse,
    Ds100LookupRequest,
    Ds100OtpRequest,
    Ds100PinResponse,
)
from mfadesk.wire.errors import ErrorBody

TAG = "DS100"


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


def device_details_body(details: DeviceDetails) -> Ds100CredentialDetailsList:
    return Ds100CredentialDetailsList(
        [
            Ds100CredentialDetails(
                userId=details.device.user_id,
                assignedUserEmail=details.user_email,
                deviceSerialNumber=details.device.serial,
                deviceType="SecurID DS100",
                tokenSerialNumber=credential.serial,
                tokenStatus=credential.status.value,
                tokenStatusChangedAt=format_timestamp(credential.status_changed_at),
                tokenStatusChangedBy=credential.status_changed_by,
                pinSet=credential.pin_set,
            )
            for credential in details.credentials
        ]
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


async def lookup(request: AdminRequest) -> Response:
    body = await request.body(Ds100LookupRequest)
    details = await request.run(lookup_ds100, body.deviceSerialNumber)
    return json_response(device_details_body(details))


async def delete_otp(request: AdminRequest) -> Response:
    body = await request.body(Ds100DeleteOtpRequest)
    await request.run(
        delete_ds100_otp, body.tokenSerialNumber, body.deviceSerialNumber, body.userId.lower()
    )
    return json_response(Ds100DeleteResponse())


async def clear_pin(request: AdminRequest) -> Response:
    body = await request.body(Ds100ClearPinRequest)
    user_id = body.userId.lower()
    credential = await request.run(clear_ds100_otp_pin, body.tokenSerialNumber, user_id)
    return json_response(
        Ds100PinResponse(
            userId=user_id, tokenSerialNumber=credential.serial, pinSet=credential.pin_set
        )
    )


_SYNTAX = Outcome(
    "Bad Request. Operation not performed because of client syntax errors.", BAD_REQUEST.model
)
_NOT_FOUND = Outcome(
    "Either the user or the SecurID DS100 authenticator does not exist (or is not registered "
    "to this user).",
    NOT_FOUND.model,
)


def _outcomes(done: str, model: type[BaseModel]) -> dict[int, Outcome]:
    return {
        200: Outcome(done, model),
        400: _SYNTAX,
        403: FORBIDDEN,
        404: _NOT_FOUND,
        429: TOO_MANY,
        500: SERVER_ERROR,
    }


_DELETE_OUTCOMES = {
    **_outcomes("OTP credential deleted.", Ds100DeleteResponse),
    403: Outcome(
        "Only a Super Admin may delete DS100 OTP credentials (error body), or the JWT was "
        "refused (filter body).",
        ErrorBody,
    ),
}

ENDPOINTS = (
    Endpoint(
        "PATCH",
        "/v1/ds100/disable/otp",
        "Disable SecurID DS100 OTP Credential",
        disable,
        Ds100OtpRequest,
        _outcomes(
            "Successfully disabled DS100 OTP credential assigned to the user.",
            Ds100CredentialStatusList,
        ),
        tag=TAG,
        scope=Scope.DS100_MANAGE,
    ),
    Endpoint(
        "PATCH",
        "/v1/ds100/enable/otp",
        "Enable SecurID DS100 OTP Credential",
        enable,
        Ds100OtpRequest,
        _outcomes(
            "Successfully enabled DS100 OTP credential assigned to the user.",
            Ds100CredentialStatusList,
        ),
        tag=TAG,
        scope=Scope.DS100_MANAGE,
    ),
    Endpoint(
        "POST",
        "/v1/ds100/lookup",
        "Retrieve SecurID DS100 OTP Credential",
        lookup,
        Ds100LookupRequest,
        {
            **_outcomes(
                "The device's OTP credentials (an array; empty when all were deleted).",
                Ds100CredentialDetailsList,
            ),
            404: Outcome("The SecurID DS100 authenticator does not exist.", NOT_FOUND.model),
        },
        tag=TAG,
        scope=Scope.DS100_READ,
    ),
    Endpoint(
        "DELETE",
        "/v1/ds100/delete/otp",
        "Delete SecurID DS100 OTP Credential",
        delete_otp,
        Ds100DeleteOtpRequest,
        _DELETE_OUTCOMES,
        tag=TAG,
        scope=Scope.DS100_DELETE,
    ),
    Endpoint(
        "PATCH",
        "/v1/ds100/clearPin/otp",
        "Clear PIN SecurID DS100 OTP Credential",
        clear_pin,
        Ds100ClearPinRequest,
        _outcomes(
            "PIN cleared: the user sets a new one at the next authentication.", Ds100PinResponse
        ),
        tag=TAG,
        scope=Scope.DS100_MANAGE,
    ),
)
