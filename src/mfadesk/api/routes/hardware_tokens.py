"""SID700 hardware token routes."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pydantic import BaseModel
from starlette.responses import Response

from mfadesk.api.endpoint import AdminRequest, Endpoint, Outcome
from mfadesk.api.responses import json_response
from mfadesk.api.routes.outcomes import (
    BAD_REQUEST,
    CONFLICT,
    FORBIDDEN,
    NOT_FOUND,
    SERVER_ERROR,
    TOO_MANY,
)
from mfadesk.domain.clock import format_timestamp
from mfadesk.domain.hardware_tokens import HardwareToken, TokenStatus
from mfadesk.domain.oauth_clients import Scope
from mfadesk.services.hardware_tokens import (
    TokenDetails,
    assign_hardware_token,
    clear_hardware_token_pin,
    delete_hardware_token,
    lookup_hardware_token,
    set_hardware_token_status,
    unassign_hardware_token,
)
from mfadesk.wire.errors import ErrorBody
from mfadesk.wire.hardware_tokens import (
    ASSIGNED_TOKEN_STATE,
    AssignSidTokenRequest,
    SidTokenAssignmentResponse,
    SidTokenDetailsResponse,
    SidTokenPinResponse,
    SidTokenRequest,
    SidTokenStatusResponse,
    SidTokenUnassignmentResponse,
)

TAG = "hardware tokens"


def token_status_body(token: HardwareToken, user_id: str) -> SidTokenStatusResponse:
    return SidTokenStatusResponse(
        userId=user_id,
        tokenSerialNumber=token.serial,
        tokenStatus=token.status.value,
        tokenStatusChangedBy=token.status_changed_by,
        tokenStatusChangedAt=format_timestamp(token.status_changed_at),
    )


def _optional_time(moment: datetime | None) -> str | None:
    return None if moment is None else format_timestamp(moment)


def _day(day: date | None) -> str | None:
    return (
        None
        if day is None
        else format_timestamp(datetime(day.year, day.month, day.day, tzinfo=UTC))
    )


def token_details_body(details: TokenDetails) -> SidTokenDetailsResponse:
    token = details.token
    return SidTokenDetailsResponse(
        tokenSerialNumber=token.serial,
        deviceType="SID700",
        tokenStatus=token.status.value,
        userId=token.user_id,
        assignedUserEmail=details.user_email,
        name=token.name,
        assignedBy=token.assigned_by,
        assignedAt=_optional_time(token.assigned_at),
        registeredDate=_optional_time(token.assigned_at),
        pinSet=token.pin_set,
        expiryDate=_day(token.expiry_date),
        tokenStatusChangedBy=token.status_changed_by,
        tokenStatusChangedAt=format_timestamp(token.status_changed_at),
    )


def _user_id(request: AdminRequest) -> str:
    return request.path("userId").lower()


async def _set_status(request: AdminRequest, status: TokenStatus) -> Response:
    body = await request.body(SidTokenRequest)
    user_id = _user_id(request)
    token = await request.run(set_hardware_token_status, user_id, body.tokenSerialNumber, status)
    return json_response(token_status_body(token, user_id))


async def disable(request: AdminRequest) -> Response:
    return await _set_status(request, TokenStatus.DISABLED)


async def enable(request: AdminRequest) -> Response:
    return await _set_status(request, TokenStatus.ENABLED)


async def lookup(request: AdminRequest) -> Response:
    body = await request.body(SidTokenRequest)
    details = await request.run(lookup_hardware_token, body.tokenSerialNumber)
    return json_response(token_details_body(details))


async def assign(request: AdminRequest) -> Response:
    body = await request.body(AssignSidTokenRequest)
    user_id = _user_id(request)
    token = await request.run(
        assign_hardware_token, user_id, body.tokenSerialNumber, body.tokenName
    )
    assert token.name is not None  # an assigned token always has a name
    return json_response(
        SidTokenAssignmentResponse(
            userId=user_id,
            tokenSerialNumber=token.serial,
            tokenState=ASSIGNED_TOKEN_STATE,
            tokenName=token.name,
            tokenStatus=token.status.value,
            tokenStatusChangedBy=token.status_changed_by,
            tokenStatusChangedAt=format_timestamp(token.status_changed_at),
        )
    )


async def unassign(request: AdminRequest) -> Response:
    body = await request.body(SidTokenRequest)
    user_id = _user_id(request)
    token = await request.run(unassign_hardware_token, user_id, body.tokenSerialNumber)
    return json_response(
        SidTokenUnassignmentResponse(
            userId=user_id,
            tokenSerialNumber=token.serial,
            tokenState="Unassigned",
            tokenStatus=token.status.value,
            tokenStatusChangedBy=token.status_changed_by,
            tokenStatusChangedAt=format_timestamp(token.status_changed_at),
        )
    )


async def delete(request: AdminRequest) -> Response:
    body = await request.body(SidTokenRequest)
    details = await request.run(delete_hardware_token, body.tokenSerialNumber)
    return json_response(token_details_body(details))


async def clear_pin(request: AdminRequest) -> Response:
    body = await request.body(SidTokenRequest)
    user_id = _user_id(request)
    token = await request.run(clear_hardware_token_pin, user_id, body.tokenSerialNumber)
    return json_response(
        SidTokenPinResponse(userId=user_id, tokenSerialNumber=token.serial, pinSet=token.pin_set)
    )


_NO_USER_OR_TOKEN = Outcome(
    "Either the user or the hardware token does not exist.", NOT_FOUND.model
)


def _outcomes(done: str, model: type[BaseModel], conflict: str) -> dict[int, Outcome]:
    return {
        200: Outcome(done, model),
        400: BAD_REQUEST,
        403: FORBIDDEN,
        404: _NO_USER_OR_TOKEN,
        409: Outcome(conflict, CONFLICT.model),
        429: TOO_MANY,
        500: SERVER_ERROR,
    }


def _status_outcomes(verb: str) -> dict[int, Outcome]:
    return _outcomes(
        f"Successfully {verb}d hardware token assigned to a user.",
        SidTokenStatusResponse,
        f"Cannot {verb} a hardware token that is not assigned to this user.",
    )


_LOOKUP_OUTCOMES = {
    200: Outcome("The hardware token's details.", SidTokenDetailsResponse),
    400: BAD_REQUEST,
    403: FORBIDDEN,
    404: Outcome("The hardware token does not exist.", NOT_FOUND.model),
    429: TOO_MANY,
    500: SERVER_ERROR,
}

_DELETE_OUTCOMES = {
    200: Outcome("Deleted; the token's details as they were.", SidTokenDetailsResponse),
    400: BAD_REQUEST,
    403: Outcome(
        "Only a Super Admin may delete hardware tokens (error body), or the JWT was refused "
        "(filter body).",
        ErrorBody,
    ),
    404: Outcome("The hardware token does not exist.", NOT_FOUND.model),
    429: TOO_MANY,
    500: SERVER_ERROR,
}

ENDPOINTS = (
    Endpoint(
        "PATCH",
        "/v1/users/{userId}/sidTokens/disable",
        "Disable Hardware Token",
        disable,
        SidTokenRequest,
        _status_outcomes("disable"),
        tag=TAG,
        scope=Scope.SIDTOKEN_MANAGE,
    ),
    Endpoint(
        "PATCH",
        "/v1/users/{userId}/sidTokens/enable",
        "Enable Hardware Token",
        enable,
        SidTokenRequest,
        _status_outcomes("enable"),
        tag=TAG,
        scope=Scope.SIDTOKEN_MANAGE,
    ),
    Endpoint(
        "POST",
        "/v1/sidTokens/lookup",
        "Retrieve Hardware Token Details",
        lookup,
        SidTokenRequest,
        _LOOKUP_OUTCOMES,
        tag=TAG,
        scope=Scope.SIDTOKEN_READ,
    ),
    Endpoint(
        "PATCH",
        "/v1/users/{userId}/sidTokens/assign",
        "Assign Hardware Token",
        assign,
        AssignSidTokenRequest,
        _outcomes(
            "Assigned (and enabled), or renamed when already assigned to this user.",
            SidTokenAssignmentResponse,
            "The hardware token is assigned to another user.",
        ),
        tag=TAG,
        scope=Scope.SIDTOKEN_MANAGE,
    ),
    Endpoint(
        "PATCH",
        "/v1/users/{userId}/sidTokens/unassign",
        "Unassign Hardware Token",
        unassign,
        SidTokenRequest,
        _outcomes(
            "Unassigned; the token is Disabled until assigned again.",
            SidTokenUnassignmentResponse,
            "The hardware token is not assigned to this user.",
        ),
        tag=TAG,
        scope=Scope.SIDTOKEN_MANAGE,
    ),
    Endpoint(
        "DELETE",
        "/v1/sidTokens/delete",
        "Delete Hardware Token",
        delete,
        SidTokenRequest,
        _DELETE_OUTCOMES,
        tag=TAG,
        scope=Scope.SIDTOKEN_DELETE,
    ),
    Endpoint(
        "PATCH",
        "/v2/users/{userId}/sidTokens/clearPin",
        "Clear PIN for Hardware Token",
        clear_pin,
        SidTokenRequest,
        _outcomes(
            "PIN cleared: the user sets a new one at the next authentication.",
            SidTokenPinResponse,
            "The hardware token is not assigned to this user.",
        ),
        tag=TAG,
        scope=Scope.SIDTOKEN_MANAGE,
    ),
)
